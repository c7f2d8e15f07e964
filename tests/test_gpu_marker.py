"""`gpu`-marked tests on a machine without CUDA: each is reported as skipped with the reason, none as passed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_gpu_tests_run_only_where_torch_sees_cuda():
    """Without CUDA each is reported skipped with the reason, none as passed; with CUDA they run and pass."""
    torch = pytest.importorskip("torch")
    target = "tests/train/test_cuda_training.py"
    args = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", target, "-k", "sdpa"]
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    if torch.cuda.is_available():
        assert "2 passed" in summary and "skipped" not in summary, summary
    else:
        assert "2 skipped" in summary and "passed" not in summary and "failed" not in summary, summary
        assert "gpu test: no CUDA device" in result.stdout
