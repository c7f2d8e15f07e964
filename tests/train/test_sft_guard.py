"""`hermes-train sft` on a step whose loss is not finite (an absurd learning rate): the run stops naming the step,
before applying it, and writes no checkpoint or export from it on; progress lines reach the console before that."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "recipes" / "sft-tiny-cpu.yaml"
FAST = ["max_length=512", "overflow=truncate", "model.config.hidden_size=32", "epochs=1", "global_batch_size=2",
        "checkpoint_every=1", "progress_every=1"]  # fmt: skip


@pytest.mark.slow
def test_a_non_finite_step_stops_sft_and_saves_nothing_after_it(demo_build, tmp_path):
    out = tmp_path / "run"
    # No warmup and lr 1e30: AdamW's first update is about lr per weight, so step 2's forward overflows to NaN.
    sets = [f"dataset={demo_build}", f"output={out}", *FAST, "optimizer.lr=1e30", "optimizer.warmup_steps=0"]
    args = ["hermes-train", "sft", str(RECIPE), "--nproc", "2", *[a for s in sets for a in ("--set", s)]]
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    assert result.returncode == 2, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert errors[0].startswith("error: step ") and "not finite" not in errors[1]
    bad_step = int(errors[0].split("step ")[1].split(":")[0])
    assert bad_step >= 2 and "stopped before applying it" in errors[0]
    saved = sorted(int(p.name.split("-")[1]) for p in out.glob("step-*"))
    assert saved == list(range(1, bad_step))  # every finite step, nothing from the bad one on
    assert not list(out.glob("epoch-*")) and not (out / "run.json").exists()
    # Progress from rank 0 on the console: step/total, loss, learning rate, tokens/s, ETA (one line, once).
    progress = [line for line in result.stdout.splitlines() if line.startswith("step ")]
    assert [line.split()[1] for line in progress] == [f"{s}/4" for s in range(1, bad_step)], result.stdout
    assert all(" loss " in line and " lr 1.00e+30 " in line and "tok/s" in line and " eta " in line
               for line in progress)  # fmt: skip
