"""FSDP2 on 2 gloo processes gives the gradients and loss of 1 process over the same global batch (DESIGN §8)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

WORKER = Path(__file__).resolve().parent / "fsdp_worker.py"


@pytest.mark.slow
def test_two_process_fsdp_matches_one_process(tmp_path):
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2", str(WORKER)]
    result = subprocess.run([*command, str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank-{r}.json").read_text(encoding="utf-8")) for r in (0, 1)]
    for rank in ranks:
        assert rank["tokens"] == rank["reference_tokens"] > 0
        assert rank["loss"] == pytest.approx(rank["reference_loss"], rel=1e-5)
        # Gradients equal to float tolerance; the largest gradient shows the tolerance is far below the signal.
        assert rank["max_grad_diff"] < 1e-6 < rank["max_grad"] / 100
