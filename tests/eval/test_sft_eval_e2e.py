"""Demo build -> `hermes-train sft` (tiny, two epochs, 2 processes) -> the tiny suite on each epoch export ->
scores.json -> `selected_checkpoint` in run.json (hermes_train.eval.after_training.evaluate_run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, TINY_SUITE
from judge_server import JudgeServer

pytest.importorskip("torch")
pytest.importorskip("lm_eval")

RECIPE = ROOT / "recipes" / "sft-tiny-cpu.yaml"
# As tests/train/test_sft_e2e.py: 512-token rows and a 32-wide model keep an epoch at a few steps.
FAST = ["max_length=512", "overflow=truncate", "model.config.hidden_size=32", "epochs=2", "optimizer.warmup_steps=1",
        "optimizer.lr=3e-3", "checkpoint_every=100"]  # fmt: skip


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HF_HUB_OFFLINE": "1",
           "OMP_NUM_THREADS": "1"}  # fmt: skip
    result = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.mark.slow
def test_sft_run_ends_with_a_selected_epoch(tmp_path):
    data, out = tmp_path / "demo", tmp_path / "run"
    run("hermes-data", "build", str(ROOT / "recipes" / "demo.yaml"), "--set", f"output={data}",
        "--set", "mixture.total=4000", cwd=tmp_path)  # fmt: skip
    with JudgeServer() as judge:
        # The recipe's `eval:` section makes the launcher score each epoch export and select one after training.
        sets = [f"dataset={data}", f"output={out}", *FAST, f"eval.suite={TINY_SUITE}",
                f"eval.judge.base_url={judge.base_url}", "eval.limit=2"]  # fmt: skip
        result = run("hermes-train", "sft", str(RECIPE), "--nproc", "2", *[a for s in sets for a in ("--set", s)],
                     cwd=tmp_path)  # fmt: skip
    assert (out / "epoch-1").is_dir() and (out / "epoch-2").is_dir()

    scores = json.loads((out / "scores.json").read_text())
    assert list(scores["checkpoints"]) == ["epoch-1", "epoch-2"]
    assert scores["meta"]["epoch-2"]["run"] == "sft-tiny-cpu"
    assert scores["meta"]["epoch-2"]["dataset"]["content_sha256"]  # the run's dataset reference, from run.json
    run_json = json.loads((out / "run.json").read_text())
    assert run_json["selected_checkpoint"] in ("epoch-1", "epoch-2")
    assert run_json["eval"]["scores"] == str(out / "scores.json") and set(run_json["eval"]["selection"]) == {
        "epoch-1",
        "epoch-2",
    }
    assert run_json["last_step"] > 0  # the training facts are still there
    assert f"selected {run_json['selected_checkpoint']}" in result.stdout + result.stderr
