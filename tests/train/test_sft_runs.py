"""`hermes-train sft recipes/sft-tiny-cpu.yaml` through the CLI: 1 process vs 2, and a run killed with SIGKILL.

One uninterrupted 2-process run of one epoch (4 steps, step-2/ and step-4/ checkpoints, epoch-1/ export) is the
reference for both tests; the demo build is shared with test_sft_e2e.py (conftest.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from hermes_train.checkpoint import MARKER, latest_checkpoint  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "recipes" / "sft-tiny-cpu.yaml"
# 512-token rows and hidden size 32 keep a step well under a second (the 128K-vocabulary softmax dominates).
FAST = ["max_length=512", "overflow=truncate", "model.config.hidden_size=32", "epochs=1", "global_batch_size=2",
        "optimizer.warmup_steps=1", "optimizer.lr=3e-3", "checkpoint_every=2"]  # fmt: skip


def sft_args(data: Path, out: Path, nproc: int) -> list[str]:
    sets = [f"dataset={data}", f"output={out}", *FAST]
    return ["hermes-train", "sft", str(RECIPE), "--nproc", str(nproc), *[a for s in sets for a in ("--set", s)]]


def metrics(out: Path) -> dict[int, dict]:
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    steps = [row["step"] for row in rows]
    assert len(steps) == len(set(steps)), f"a step logged twice: {steps}"
    return {row["step"]: row for row in rows}


@pytest.fixture(scope="module")
def reference(demo_build, cli, tmp_path_factory) -> Path:
    """The uninterrupted 2-process run."""
    out = tmp_path_factory.mktemp("reference") / "run"
    cli(*sft_args(demo_build, out, 2), cwd=out.parent)
    return out


@pytest.mark.slow
def test_one_process_gives_the_two_process_loss_curve(reference, demo_build, cli, tmp_path):
    out = tmp_path / "run"
    cli(*sft_args(demo_build, out, 1), cwd=tmp_path)
    one, two = metrics(out), metrics(reference)
    assert sorted(one) == sorted(two) == [1, 2, 3, 4]
    assert json.loads((out / "run.json").read_text())["accumulation_steps"] == 2  # 1 rank runs both rows itself
    for step in one:
        # Same rows, same token counts: the global batch is split differently, not changed.
        assert (one[step]["tokens"], one[step]["loss_tokens"]) == (two[step]["tokens"], two[step]["loss_tokens"])
        # fp32 on CPU: the runs differ only in summation order (1 rank adds its 2 micro-batches; 2 ranks all-reduce),
        # about 1e-7 relative per reduction, and AdamW's normalized updates do not amplify that over 4 steps (measured:
        # equal losses, grad norms 1e-6 apart). 1e-5 is far below what a normalization error shows: a per-rank mean
        # or a missing world-size factor moves the gradient norm by up to 2x and the later losses with it.
        assert one[step]["loss"] == pytest.approx(two[step]["loss"], rel=1e-5)
        assert one[step]["grad_norm"] == pytest.approx(two[step]["grad_norm"], rel=1e-4)
    assert one[4]["loss"] < one[1]["loss"]


def _wait_for(path: Path, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, "the run ended before writing " + str(path)
        assert time.monotonic() < deadline, f"no {path} after {timeout} s"
        time.sleep(0.02)


def _processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line contains `text` (Linux /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            mentions = entry.name.isdigit() and text in (entry / "cmdline").read_bytes().decode(errors="replace")
            if mentions and (entry / "stat").read_text().split(") ")[-1][0] != "Z":  # zombies hold no files
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def _check_nothing_incomplete_looks_complete(out: Path) -> None:
    """A folder with a final name (no .tmp) is complete: checkpoints have their marker and shards, exports load."""
    for child in out.iterdir():
        if child.name.startswith("step-") and (child / MARKER).is_file():
            names = {p.name for p in child.iterdir()}
            assert {".metadata", "trainer.json", "rng-rank-0.pt", "rng-rank-1.pt"} <= names, child
        if child.name.startswith("epoch-") and not child.name.endswith(".tmp"):
            assert (child / "config.json").is_file() and list(child.glob("*.safetensors")), child


@pytest.mark.slow
def test_sigkilled_run_resumes_from_its_last_checkpoint(reference, demo_build, cli, tmp_path):
    from transformers import AutoModelForCausalLM

    out = tmp_path / "run"
    args = sft_args(demo_build, out, 2)
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "OMP_NUM_THREADS": "1"}
    log = (tmp_path / "killed.log").open("w")
    # A session of its own, so one killpg reaches hermes-train and torchrun at once, as a preempted job step.
    process = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        _wait_for(out / "step-2" / MARKER, process, timeout=240)
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        log.close()
    assert process.returncode == -signal.SIGKILL
    # torchrun puts each rank in a session of its own, out of reach of the group kill: the ranks must die with it
    # (train.die_with_launcher), or they train on as orphans and write into the folder the rerun resumes from.
    deadline = time.monotonic() + 20
    while _processes_mentioning(str(out)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _processes_mentioning(str(out)), "ranks outlived the SIGKILL of their launcher"
    assert not (out / "run.json").exists() and not (out / "epoch-1").exists()  # killed mid-run, before the epoch end
    assert latest_checkpoint(out) == out / "step-2"
    _check_nothing_incomplete_looks_complete(out)

    # What a kill between renaming step-3.tmp/ and writing its marker, or during an export, leaves behind.
    (out / "step-3").mkdir()
    (out / "step-3" / "__0_0.distcp").write_bytes(b"partial")
    (out / "epoch-1.tmp").mkdir()
    (out / "epoch-1.tmp" / "config.json").write_text("{}")
    assert latest_checkpoint(out) == out / "step-2"  # the marker-less step-3/ is not a checkpoint

    result = cli(*args, cwd=tmp_path)  # the same command again
    assert "resumed from" in result.stderr and "step-2" in result.stderr
    assert "removed incomplete outputs of an earlier run: epoch-1.tmp, step-3" in result.stderr
    assert not (out / "step-3").exists() and not (out / "epoch-1.tmp").exists()
    run = json.loads((out / "run.json").read_text())
    assert run["resumed_from_step"] == 2 and run["last_step"] == 4
    _check_nothing_incomplete_looks_complete(out)

    resumed, uninterrupted = metrics(out), metrics(reference)
    assert sorted(resumed) == [1, 2, 3, 4]
    for step in (3, 4):  # restored weights, AdamW moments, LR schedule and data position: the same curve
        for key in ("loss", "grad_norm", "lr", "tokens"):
            assert resumed[step][key] == pytest.approx(uninterrupted[step][key], rel=1e-6), (step, key)
    exported = AutoModelForCausalLM.from_pretrained(out / "epoch-1").state_dict()
    expected = AutoModelForCausalLM.from_pretrained(reference / "epoch-1").state_dict()
    assert exported.keys() == expected.keys()
    for name, tensor in expected.items():
        torch.testing.assert_close(exported[name], tensor, rtol=1e-5, atol=1e-7, msg=name)
