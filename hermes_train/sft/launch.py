"""`hermes-train sft`: validate the recipe and pre-flight it, then start one `hermes_train.sft.train` process per rank
(hermes_train/launch.py), or plan memory (`--dry-run`).

The recipe is validated here, before any process starts, so a typo is one line on the terminal and not N tracebacks
from N workers (STYLE: errors surface before the workers).
"""

from __future__ import annotations

from pathlib import Path

from hermes_train.launch import resolve_world, run_ranks
from hermes_train.preflight import preflight
from hermes_train.recipe import parse_overrides
from hermes_train.sft.config import SFTRecipe, load_sft_recipe

MODULE = "hermes_train.sft.train"


def launch(recipe_path: str | Path, overrides: list[str], *, nproc: int | None = None, nnodes: int | None = None,
           node_rank: int = 0, master_addr: str | None = None, master_port: int = 29500) -> int:  # fmt: skip
    """Validate, then run this node's ranks; returns their exit status."""
    recipe = load_sft_recipe(recipe_path, parse_overrides(overrides))
    nproc, nnodes = resolve_world(recipe, nproc=nproc, nnodes=nnodes, master_addr=master_addr)
    preflight(recipe)  # user errors as one line here, not one traceback per worker
    code = run_ranks(
        MODULE, recipe_path, overrides, nproc=nproc, nnodes=nnodes, node_rank=node_rank, master_addr=master_addr,
        master_port=master_port,
    )  # fmt: skip
    # Evaluation and selection run once, here, after the workers have exited (a recipe's `eval:` section): each
    # epoch export is scored, `select` picks one, and run.json records it.
    if code == 0 and recipe.eval is not None and node_rank == 0:
        from hermes_train.eval.after_training import evaluate_run

        evaluate_run(recipe, Path(recipe.output))
    return code


def plan_memory(recipe: SFTRecipe, *, world_size: int) -> dict:
    """Per-rank memory (GiB) of the recipe at `world_size` ranks, with and without CPU offload; the model is built
    on the meta device only (memory.py), so this runs anywhere in seconds."""
    from hermes_train.memory import estimate_memory, model_size
    from hermes_train.models import build_config

    config = build_config(recipe.model, planning=True)
    size = model_size(config)
    options = {
        "world_size": world_size,
        "micro_batch_tokens": recipe.micro_batch_size * recipe.max_length,
        "activation_checkpointing": recipe.gradient_checkpointing,
        "chunk_size": recipe.loss_chunk_size,
        "size": size,
    }
    return {
        "model": recipe.model.name or "config",
        "num_params": size.num_params,
        "world_size": world_size,
        "accumulation_steps": recipe.check_world(world_size),
        "micro_batch_tokens": options["micro_batch_tokens"],
        "recipe_cpu_offload": recipe.fsdp.cpu_offload,
        "per_rank_gib": {
            "no_offload": estimate_memory(config, cpu_offload=False, **options).as_dict(),
            "cpu_offload": estimate_memory(config, cpu_offload=True, **options).as_dict(),
        },
    }
