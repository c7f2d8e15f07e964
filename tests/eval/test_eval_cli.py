"""`hermes-train eval` end to end: the real lm_eval harness on tiny random checkpoints (two exports and a LoRA
adapter), local task data, MT-Bench against a local judge; then `select` and `compare` read the scores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TINY_SUITE
from judge_server import JudgeServer

pytest.importorskip("lm_eval")


def hermes_train(*args: object, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HF_HUB_OFFLINE": "1",
           "HF_DATASETS_OFFLINE": "1", "OMP_NUM_THREADS": "1"}  # fmt: skip
    result = subprocess.run(["hermes-train", *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def evaluated(tiny_checkpoints, tmp_path_factory):
    work = tmp_path_factory.mktemp("eval")
    out = work / "scores.json"
    with JudgeServer() as judge:
        result = hermes_train("eval", *tiny_checkpoints.values(), "--suite", TINY_SUITE, "--out", out,
                              "--judge-base-url", judge.base_url, "--limit", 3, cwd=work)  # fmt: skip
    return work, out, result, judge


def test_scores_are_in_select_format_with_provenance(evaluated, tiny_checkpoints):
    _, out, _, judge = evaluated
    scores = json.loads(out.read_text())
    assert list(scores["checkpoints"]) == ["epoch-1", "epoch-2", "dpo-adapter"]
    assert scores["groups"] == {
        "gpt4all": ["arc_easy/acc_norm", "hellaswag/acc_norm"],
        "agieval": ["tiny_mc/acc_norm"],
        "ifeval": ["ifeval/prompt_level_strict_acc"],
        "mtbench": ["mtbench/score"],
    }
    for name, metrics in scores["checkpoints"].items():
        for group_metrics in scores["groups"].values():
            assert all(isinstance(metrics[m], float) for m in group_metrics), name
        assert all(0 <= metrics[m] <= 1 for m in metrics if not m.startswith("mtbench/"))
        assert 1 <= metrics["mtbench/score"] <= 10 and {"mtbench/turn_1", "mtbench/turn_2"} <= set(metrics)
    meta = scores["meta"]["epoch-1"]
    assert meta["path"] == str(tiny_checkpoints["epoch-1"].resolve()) and meta["kind"] == "model"
    assert meta["tasks"]["hellaswag"]["num_fewshot"] == 2 and meta["tasks"]["arc_easy"]["num_fewshot"] == 0
    assert meta["tasks"]["ifeval"]["version"] == 4.0 and meta["tasks"]["arc_easy"]["num_docs"] == 3
    assert meta["seeds"]["fewshot_random_seed"] == 1234 and meta["lm_eval_version"]
    assert meta["mtbench"]["num_judgments"] == 6 and meta["mtbench"]["num_failed"] == 0
    assert len(judge.requests) == 18  # 3 checkpoints x 3 questions x 2 turns, none retried
    adapter = scores["meta"]["dpo-adapter"]
    assert adapter["kind"] == "adapter" and adapter["base_model"] == str(tiny_checkpoints["epoch-1"].resolve())


def test_select_picks_from_the_scores(evaluated):
    work, out, _, _ = evaluated
    selection = json.loads(hermes_train("select", out, "--json", cwd=work).stdout)
    assert selection["selected"] in ("epoch-1", "epoch-2", "dpo-adapter")
    totals = {name: row["total"] for name, row in selection["table"].items()}
    assert totals[selection["selected"]] == max(t or 0 for t in totals.values())


def test_compare_marks_best_and_deltas(evaluated):
    work, out, _, _ = evaluated
    scores = json.loads(out.read_text())
    table = hermes_train("compare", out, "--markdown", "--baseline", "epoch-2", cwd=work).stdout
    lines = table.splitlines()
    assert lines[0] == "| metric | epoch-1 | epoch-2 (baseline) | dpo-adapter |"
    row = next(line for line in lines if line.startswith("| mtbench/score |"))
    values = {name: scores["checkpoints"][name]["mtbench/score"] for name in ("epoch-1", "epoch-2", "dpo-adapter")}
    best = max(values.values())
    assert f"**{best:.4f}**" in row
    delta = values["epoch-1"] - values["epoch-2"]
    assert f"({delta:+.4f})" in row.split("|")[2]
    assert any(line.startswith("| gpt4all (mean) |") for line in lines)


def test_eval_reports_progress_and_the_file(evaluated):
    _, out, result, _ = evaluated
    assert f"wrote {out}" in result.stderr and "evaluating dpo-adapter" in result.stderr
    assert "mtbench/score" in result.stdout  # the summary table
