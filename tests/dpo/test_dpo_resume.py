"""DPO step checkpoints through the CLI: a run killed with SIGKILL resumes from its last complete `step-N/` and ends
with the adapter of an uninterrupted run; a non-finite step stops the run, naming it, with nothing saved after it;
progress lines reach the console."""

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
pytest.importorskip("peft")

from hermes_train.checkpoint import MARKER, latest_checkpoint  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "recipes" / "dpo-tiny-cpu.yaml"
# 24 pairs: 19 train (4 pairs per step: 4 steps), 5 held out; no merged export (the adapter is what resumes).
FAST = ["global_batch_size=4", "epochs=1", "merge=false", "checkpoint_every=1", "progress_every=2"]


def dpo_args(data: Path, out: Path, *sets: str) -> list[str]:
    sets = (f"dataset={data}", f"output={out}", *FAST, *sets)
    return ["hermes-train", "dpo", str(RECIPE), "--nproc", "2", *[a for s in sets for a in ("--set", s)]]


def env() -> dict[str, str]:
    bin_dir = Path(sys.executable).parent
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "OMP_NUM_THREADS": "1"}


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env(), capture_output=True, text=True, timeout=300)


def metrics(out: Path) -> dict[int, dict]:
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    steps = [row["step"] for row in rows]
    assert len(steps) == len(set(steps)), f"a step logged twice: {steps}"
    return {row["step"]: row for row in rows}


def adapter(folder: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(str(folder / "adapter_model.safetensors"))


@pytest.mark.slow
def test_sigkilled_dpo_run_resumes_to_the_uninterrupted_adapter(pair_folder, tmp_path):
    pairs = pair_folder(tmp_path / "pairs", 24)
    reference = tmp_path / "reference"
    result = run(dpo_args(pairs, reference), tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    # Progress from rank 0 only, one plain line every progress_every steps (stdout is a pipe, not a terminal).
    progress = [line for line in result.stdout.splitlines() if line.startswith("step ")]
    assert [line.split()[1] for line in progress] == ["1/4", "2/4", "4/4"], result.stdout
    assert all(" loss " in line and " lr " in line and "tok/s" in line and " eta " in line for line in progress)
    assert sorted(p.name for p in reference.glob("step-*")) == ["step-1", "step-2", "step-3", "step-4"]
    assert not list((reference / "step-2").glob("*.safetensors"))  # the frozen base is not checkpointed

    out = tmp_path / "run"
    log = (tmp_path / "killed.log").open("w")
    process = subprocess.Popen(dpo_args(pairs, out), cwd=tmp_path, env=env(), stdout=log, stderr=log,
                               start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while not (out / "step-2" / MARKER).exists():
            assert process.poll() is None, (tmp_path / "killed.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "no step-2 checkpoint"
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        log.close()
    assert process.returncode == -signal.SIGKILL
    assert not (out / "run.json").exists() and not (out / "epoch-1").exists()
    killed_at = latest_checkpoint(out)
    assert killed_at is not None and killed_at.name in ("step-2", "step-3")
    time.sleep(1)  # the ranks die with their launcher (die_with_launcher), within moments

    result = run(dpo_args(pairs, out), tmp_path)  # the same command again
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"resumed from {killed_at}" in result.stderr
    run_json = json.loads((out / "run.json").read_text())
    assert run_json["resumed_from_step"] == int(killed_at.name.split("-")[1]) and run_json["last_step"] == 4
    resumed, uninterrupted = metrics(out), metrics(reference)
    assert sorted(resumed) == [1, 2, 3, 4]  # kept, not truncated: steps before the checkpoint are still there
    for step in (1, 2, 3, 4):  # restored adapter, RMSProp state, schedule, RNG (dropout, NEFTune), data position
        for key in ("loss", "grad_norm", "lr", "tokens", "rewards/margins"):
            assert resumed[step][key] == pytest.approx(uninterrupted[step][key], rel=1e-5), (step, key)
    final, expected = adapter(out / "epoch-1"), adapter(reference / "epoch-1")
    assert final.keys() == expected.keys() and final
    for name, tensor in expected.items():
        torch.testing.assert_close(final[name], tensor, rtol=1e-5, atol=1e-7, msg=name)


@pytest.mark.slow
def test_a_non_finite_step_stops_the_run_and_saves_nothing_after_it(pair_folder, tmp_path):
    pairs = pair_folder(tmp_path / "pairs", 24)
    out = tmp_path / "run"
    # An absurd learning rate with no warmup: step 1's update makes the adapter huge, step 2's loss is not finite.
    result = run(dpo_args(pairs, out, "optimizer.lr=1e30", "optimizer.warmup_steps=0"), tmp_path)
    assert result.returncode == 2  # the ranks' own status: a HermesError, not a crash
    # rank 0's line naming the step, then the launcher's one-line summary (no torchrun traceback)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2 and "stopped before applying it" in errors[0], result.stderr[-3000:]
    assert "rank(s) of hermes_train.dpo.train failed" in errors[1] and "Traceback" not in result.stderr
    bad_step = int(errors[0].split("step ")[1].split(":")[0])
    assert "not finite" in errors[0] or "nan" in errors[0] or "inf" in errors[0]
    saved = sorted(int(p.name.split("-")[1]) for p in out.glob("step-*"))
    assert saved == list(range(1, bad_step)), saved  # every step before it, none from it on
    assert not list(out.glob("epoch-*")) and not (out / "run.json").exists()
    for step in saved:  # what was saved holds finite weights only
        import torch.distributed.checkpoint as dcp
        from torch.distributed.checkpoint.format_utils import dcp_to_torch_save

        dcp_to_torch_save(str(out / f"step-{step}"), str(tmp_path / f"step-{step}.pt"))
        state = torch.load(tmp_path / f"step-{step}.pt", weights_only=False)["model"]
        assert state and all(torch.isfinite(t).all() for t in state.values() if isinstance(t, torch.Tensor))
        del dcp
