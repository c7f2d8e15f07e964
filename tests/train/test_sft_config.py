"""The SFT recipe: strict keys, cross-field checks that name the fix, overrides, and `--dry-run` of every shipped
recipe (the paper's three sizes and the tiny CPU run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hermes_data.errors import RecipeError
from hermes_train.cli import app
from hermes_train.launch import torchrun_command
from hermes_train.recipe import parse_overrides
from hermes_train.sft.config import load_sft_recipe
from hermes_train.sft.launch import launch

RECIPES = Path(__file__).resolve().parents[2] / "recipes"
TINY = RECIPES / "sft-tiny-cpu.yaml"


def test_paper_defaults_and_overrides():
    recipe = load_sft_recipe(RECIPES / "sft-llama3.1-8b.yaml", parse_overrides(["optimizer.lr=1e-5", "epochs=2"]))
    assert (recipe.optimizer.lr, recipe.epochs) == (1e-5, 2)
    optimizer = recipe.optimizer
    assert (optimizer.weight_decay, optimizer.warmup_steps, optimizer.decay) == (0.01, 300, "cosine")
    assert load_sft_recipe(RECIPES / "sft-llama3.1-405b.yaml").optimizer.lr == 3.5e-6
    assert load_sft_recipe(RECIPES / "sft-llama3.1-405b.yaml").fsdp.cpu_offload


def test_unknown_key_lists_the_allowed_ones():
    with pytest.raises(RecipeError, match=r"unknown key 'optimizer.learning_rate'.*allowed keys: .*lr"):
        load_sft_recipe(TINY, {"optimizer.learning_rate": 1e-3})


def test_model_needs_exactly_one_source(tmp_path):
    with pytest.raises(RecipeError, match="exactly one of model.name"):
        load_sft_recipe(TINY, {"model.name": "meta-llama/Llama-3.1-8B"})


def test_global_batch_must_split_over_ranks():
    recipe = load_sft_recipe(TINY, {"global_batch_size": 6, "micro_batch_size": 1})
    assert recipe.check_world(2) == 3  # accumulation steps
    with pytest.raises(RecipeError, match="global_batch_size"):
        recipe.check_world(4)


def test_bad_override_is_a_recipe_error():
    with pytest.raises(RecipeError, match="key=value"):
        parse_overrides(["epochs"])


def test_torchrun_command_passes_multi_node_settings():
    single = torchrun_command(TINY, ["epochs=1"], module="hermes_train.sft.train", nproc=2)
    assert "--standalone" in single and single[-2:] == ["--set", "epochs=1"]
    multi = torchrun_command(TINY, [], module="m", nproc=8, nnodes=6, node_rank=3, master_addr="10.0.0.1")
    assert "--standalone" not in multi
    for flag, value in (("--nnodes", "6"), ("--node-rank", "3"), ("--master-addr", "10.0.0.1")):
        assert multi[multi.index(flag) + 1] == value


def test_multi_node_recipe_needs_master_addr():
    with pytest.raises(RecipeError, match="--master-addr"):
        launch(RECIPES / "sft-llama3.1-8b.yaml", [])  # fails before any process starts


def dry_run(recipe: Path, *args: str) -> dict:
    result = CliRunner().invoke(app, ["sft", str(recipe), "--dry-run", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize(
    ("name", "billions", "world", "fits_80gib_without_offload"),
    [("8b", 8.0, 48, True), ("70b", 70.6, 48, True), ("405b", 405.9, 128, False)],
)
def test_paper_recipes_dry_run(name, billions, world, fits_80gib_without_offload):
    plan = dry_run(RECIPES / f"sft-llama3.1-{name}.yaml")
    assert plan["num_params"] / 1e9 == pytest.approx(billions, abs=0.1)
    assert plan["world_size"] == world and plan["micro_batch_tokens"] == 8192
    memory = plan["per_rank_gib"]
    assert (memory["no_offload"]["device_total"] < 80) == fits_80gib_without_offload
    assert memory["cpu_offload"]["device_total"] < 80  # 405B fits an 80 GiB H100 only with offload, as in the paper
    assert memory["cpu_offload"]["host_total"] > 0 == memory["no_offload"]["host_total"]


def test_tiny_recipe_dry_run_follows_nproc():
    one, two = dry_run(TINY, "--nproc", "1", "--set", "global_batch_size=2"), dry_run(TINY, "--nproc", "2")
    assert one["accumulation_steps"] == 2 and two["accumulation_steps"] == 1
    assert one["per_rank_gib"]["no_offload"]["optimizer"] > two["per_rank_gib"]["no_offload"]["optimizer"]
    assert one["per_rank_gib"]["no_offload"]["device_total"] < 24  # the budget for the CPU run
