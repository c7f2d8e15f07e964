"""`hermes-train sft recipes/sft-tiny-cpu.yaml --nproc 2` end to end (FSDP2 on gloo), on a small demo build.

A first run stops after step 3 (step-2/ is its last checkpoint: the state of step 3 is lost, as in a killed run); the
second run resumes from step-2/, repeats step 3 with the same loss and finishes the epoch, exporting epoch-1/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "recipes" / "sft-tiny-cpu.yaml"
# The time goes into the 128K-vocabulary softmax, so fewer tokens per step (512-token rows) is what makes it fast; one
# epoch of the 8 packed rows of a 4,000-token demo build is 4 steps at global batch 2.
FAST = ["max_length=512", "overflow=truncate", "model.config.hidden_size=32", "epochs=1", "optimizer.warmup_steps=1",
        "optimizer.lr=3e-3", "checkpoint_every=2"]  # fmt: skip


def sft(cli, tmp_path: Path, data: Path, out: Path, *extra: str) -> None:
    sets = [f"dataset={data}", f"output={out}", *FAST, *extra]
    cli("hermes-train", "sft", str(RECIPE), "--nproc", "2", *[a for s in sets for a in ("--set", s)], cwd=tmp_path)


def first_step_loss_unsharded(spec) -> float:
    """Step 1's loss computed in this process on the unsharded model: the global batch the ranks split, summed."""
    from hermes_train.collate import PackedCollator
    from hermes_train.fsdp import CausalLMWithLoss
    from hermes_train.models import build_model
    from hermes_train.sft.train import build_data, global_batch_rows

    tokenizer, samples, info = build_data(spec)
    model = CausalLMWithLoss(build_model(spec.model, seed=spec.seed))
    total, count = 0.0, 0
    with torch.no_grad():
        for row in global_batch_rows(len(info["bins"]), spec, 0, 0):
            packed = [{"input_ids": samples["input_ids"][i], "labels": samples["labels"][i]} for i in info["bins"][row]]
            loss_sum, num = model(**PackedCollator(tokenizer.pad_token_id)([packed]))
            total, count = total + float(loss_sum), count + num
    return total / count


def metrics(out: Path) -> dict[int, dict]:
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    return {row["step"]: row for row in rows}


@pytest.mark.slow
def test_tiny_sft_trains_resumes_and_exports(tmp_path, demo_build, cli):
    from transformers import AutoModelForCausalLM

    from hermes_train.checkpoint import latest_checkpoint
    from hermes_train.models import build_model
    from hermes_train.recipe import parse_overrides
    from hermes_train.sft.config import load_sft_recipe

    data, out = demo_build, tmp_path / "run"

    sft(cli, tmp_path, data, out, "max_steps=3")
    first = metrics(out)
    assert sorted(first) == [1, 2, 3] and latest_checkpoint(out) == out / "step-2"
    assert not (out / "epoch-1").exists()

    sft(cli, tmp_path, data, out)
    second = metrics(out)
    assert sorted(second) == [1, 2, 3, 4]  # step 3 once: the resumed run replaced the lost step's line
    assert second[3]["loss"] == pytest.approx(first[3]["loss"], rel=1e-5)  # same data, same weights after step 2
    assert second[4]["loss"] < second[1]["loss"]
    assert all(row["tokens"] >= row["loss_tokens"] > 0 and row["grad_norm"] > 0 for row in second.values())

    run_json = json.loads((out / "run.json").read_text())
    assert run_json["dataset"]["content_sha256"] and 0.8 < run_json["packing_efficiency"] <= 1.0
    assert run_json["world_size"] == 2 and run_json["last_step"] == 4 and run_json["tokens_per_second"] > 0
    assert (run_json["backend"], run_json["device"]) == ("gloo", "cpu")

    # The ranks built the model on the meta device and got rank 0's initialization by broadcast: the sharded step-1
    # loss is the loss of the plain model (weights and rotary buffers arrived intact).
    spec = load_sft_recipe(RECIPE, parse_overrides([f"dataset={data}", f"output={out}", *FAST]))
    assert second[1]["loss"] == pytest.approx(first_step_loss_unsharded(spec), rel=1e-5)

    exported = AutoModelForCausalLM.from_pretrained(out / "epoch-1")
    initial = dict(build_model(spec.model, seed=spec.seed).named_parameters())
    unchanged = [name for name, p in exported.named_parameters() if torch.equal(p, initial[name])]
    assert not unchanged  # every trainable parameter moved (AdamW's decay moves even never-seen embedding rows)
