"""Sharded `step-N/` checkpoints: a 2-process run resumed from step 2 continues the same loss curve."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

from hermes_train.checkpoint import MARKER, latest_checkpoint  # noqa: E402

WORKER = Path(__file__).resolve().parent / "checkpoint_worker.py"


def torchrun(*args: str) -> None:
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2", str(WORKER)]
    result = subprocess.run([*command, *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


def test_latest_checkpoint_ignores_folders_without_marker(tmp_path):
    assert latest_checkpoint(tmp_path / "missing") is None
    for step, complete in ((2, True), (10, True), (30, False)):
        (tmp_path / f"step-{step}").mkdir()
        if complete:
            (tmp_path / f"step-{step}" / MARKER).write_text(f"{step}\n")
    (tmp_path / "step-40.tmp").mkdir()
    assert latest_checkpoint(tmp_path) == tmp_path / "step-10"  # numeric order, not "step-2" > "step-10"


@pytest.mark.slow
def test_resume_continues_the_same_loss_curve(tmp_path):
    torchrun(str(tmp_path))
    assert latest_checkpoint(tmp_path) == tmp_path / "step-2"
    assert {p.name for p in (tmp_path / "step-2").iterdir()} >= {MARKER, "trainer.json", "rng-rank-0.pt", ".metadata"}
    for rank in (0, 1):
        full = json.loads((tmp_path / f"losses-full-rank-{rank}.json").read_text())
        resumed = json.loads((tmp_path / f"losses-resume-rank-{rank}.json").read_text())
        # Step 5's loss follows the step-4 update, whose learning rate comes from the restored scheduler.
        assert list(resumed) == ["3", "4", "5"]
        assert resumed == pytest.approx({k: full[k] for k in ("3", "4", "5")}, rel=1e-6)
    assert full["5"] < full["1"]  # it trained (lr 1e-2 on a tiny model)
