"""`hermes-train eval --device cuda` on tiny checkpoints (a model and a LoRA adapter merged onto its base), the real
lm_eval harness and MT-Bench against the local judge (`pytest -m gpu`; skipped with the reason where torch sees no
GPU)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TINY_SUITE
from judge_server import JudgeServer

pytest.importorskip("lm_eval")

pytestmark = pytest.mark.gpu


@pytest.mark.slow
def test_eval_runs_the_suite_on_the_gpu(tiny_checkpoints, tmp_path):
    out = tmp_path / "scores.json"
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HF_HUB_OFFLINE": "1",
           "HF_DATASETS_OFFLINE": "1"}  # fmt: skip
    with JudgeServer() as judge:
        checkpoints = [tiny_checkpoints["epoch-1"], tiny_checkpoints["dpo-adapter"]]
        args = ["hermes-train", "eval", *checkpoints, "--suite", TINY_SUITE, "--out", out, "--device", "cuda",
                "--judge-base-url", judge.base_url, "--limit", "3"]  # fmt: skip
        result = subprocess.run(list(map(str, args)), cwd=tmp_path, env=env, capture_output=True, text=True,
                                timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    scores = json.loads(out.read_text())
    assert list(scores["checkpoints"]) == ["epoch-1", "dpo-adapter"]
    for name, metrics in scores["checkpoints"].items():
        assert scores["meta"][name]["device"] == "cuda"
        assert all(isinstance(v, float) and math.isfinite(v) for v in metrics.values()), name
        assert 1 <= metrics["mtbench/score"] <= 10
    assert len(judge.requests) == 12  # 2 checkpoints x 3 questions x 2 turns
