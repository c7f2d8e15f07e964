"""Suite files (paths, shipped suites, the SFT recipe's `eval:`), the scores file's merging, and `compare`."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import ROOT, TINY_SUITE

from hermes_data.errors import DataError, RecipeError
from hermes_train.eval.compare import build_comparison, to_markdown
from hermes_train.eval.scores import merge_checkpoint, read_scores, write_scores
from hermes_train.eval.suite import load_suite
from hermes_train.sft.config import load_sft_recipe


def test_tiny_suite_resolves_paths_against_its_folder():
    suite = load_suite(TINY_SUITE)
    data = ROOT / "recipes" / "eval-tiny"
    assert suite.include_path == str(data / "tasks")
    assert suite.tasks[0].data_files == {"test": str(data / "arc.jsonl")}
    assert suite.mtbench.questions == str(data / "mtbench.jsonl")
    assert suite.groups()["gpt4all"] == ["arc_easy/acc_norm", "hellaswag/acc_norm"]


def test_hermes3_suite_has_the_papers_tasks_shots_and_groups():
    suite = load_suite("hermes3")
    shots = {t.task: t.num_fewshot for t in suite.tasks}
    assert shots["hellaswag"] == 10 and shots["winogrande"] == 5 and shots["arc_challenge"] == 0
    groups = suite.groups()
    assert set(groups) == {"gpt4all", "agieval", "ifeval", "mtbench"}
    assert len(groups["gpt4all"]) == 7 and len(groups["agieval"]) == 8
    assert groups["ifeval"] == ["ifeval/prompt_level_strict_acc"] and groups["mtbench"] == ["mtbench/score"]
    assert all(m.startswith("agieval_") for m in groups["agieval"])


def test_suite_errors_name_the_field(tmp_path):
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({"name": "x", "tasks": [{"task": "a", "group": "g", "shots": 1}]}))
    with pytest.raises(RecipeError, match=r"unknown key 'tasks.0.shots'.*num_fewshot"):
        load_suite(tmp_path / "s.yaml")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({"name": "x", "tasks": [{"task": "a", "group": "g"}] * 2}))
    with pytest.raises(RecipeError, match="listed twice"):
        load_suite(tmp_path / "s.yaml")
    with pytest.raises(RecipeError, match="no such suite file"):
        load_suite(tmp_path / "missing.yaml")


def test_overrides_reach_the_judge_and_skip_suites_without_mtbench(tmp_path):
    suite = load_suite(TINY_SUITE, {"mtbench.judge.base_url": "http://judge/v1", "limit": 2})
    assert suite.mtbench.judge.base_url == "http://judge/v1" and suite.mtbench.judge.model == "judge"
    assert suite.limit == 2
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({"name": "x", "tasks": [{"task": "a", "group": "g"}]}))
    assert load_suite(tmp_path / "s.yaml", {"mtbench.judge.model": "m"}).mtbench is None


def test_sft_recipe_eval_section(tmp_path):
    recipe = load_sft_recipe(ROOT / "recipes" / "sft-tiny-cpu.yaml",
                             {"eval.suite": "tiny", "eval.judge.base_url": "http://j/v1", "eval.limit": 2})  # fmt: skip
    assert recipe.eval.suite_overrides() == {"mtbench.judge.base_url": "http://j/v1", "limit": 2}
    assert load_sft_recipe(ROOT / "recipes" / "sft-tiny-cpu.yaml").eval is None
    with pytest.raises(RecipeError, match=r"eval.judge.modle"):
        load_sft_recipe(ROOT / "recipes" / "sft-tiny-cpu.yaml", {"eval.judge.modle": "x"})


def test_scores_append_replace_and_merge_groups(tmp_path):
    path = tmp_path / "scores.json"
    scores = read_scores(path)
    assert not merge_checkpoint(scores, "a", {"x/acc": 0.5}, {"g": ["x/acc"]}, {"path": "/a"})
    write_scores(path, scores)
    scores = read_scores(path)
    assert not merge_checkpoint(scores, "b", {"x/acc": 0.7, "y/acc": 0.1}, {"g": ["x/acc", "y/acc"]}, {"path": "/b"})
    assert merge_checkpoint(scores, "a", {"x/acc": 0.6, "y/acc": 0.2}, {"g": ["x/acc", "y/acc"]}, {"path": "/a2"})
    write_scores(path, scores)
    saved = json.loads(path.read_text())
    assert list(saved["checkpoints"]) == ["a", "b"] and saved["checkpoints"]["a"] == {"x/acc": 0.6, "y/acc": 0.2}
    assert saved["groups"] == {"g": ["x/acc", "y/acc"]} and saved["meta"]["a"] == {"path": "/a2"}
    assert [p.name for p in tmp_path.iterdir()] == ["scores.json"]  # no temporary file left behind
    path.write_text("{not json")
    with pytest.raises(DataError, match="not valid JSON"):
        read_scores(path)


def test_comparison_marks_the_best_and_deltas_against_the_baseline():
    scores = {"checkpoints": {"sft": {"a": 0.5, "b": 0.25, "m": 7.0}, "dpo": {"a": 0.75, "b": 0.25, "m": 6.5}},
              "groups": {"gpt4all": ["a", "b"], "mtbench": ["m"]}}  # fmt: skip
    comparison = build_comparison(scores, baseline="sft")
    assert [label for label, _ in comparison.rows] == ["a", "b", "gpt4all (mean)", "m"]
    markdown = to_markdown(comparison).splitlines()
    assert markdown[0] == "| metric | sft (baseline) | dpo |"
    assert markdown[2] == "| a | 0.5000 | **0.7500** (+0.2500) |"
    assert markdown[4] == "| gpt4all (mean) | 0.3750 | **0.5000** (+0.1250) |"
    assert markdown[5] == "| m | **7.0000** | 6.5000 (-0.5000) |"
    with pytest.raises(DataError, match="known: sft, dpo"):
        build_comparison(scores, baseline="base")


def test_ifeval_without_punkt_stops_only_when_the_data_needs_it(tmp_path, monkeypatch):
    nltk = pytest.importorskip("nltk")
    from hermes_train.eval.harness import check_ifeval_data

    monkeypatch.setattr(nltk.data, "path", [str(tmp_path / "no-nltk-data")])  # as on a fresh offline machine
    suite = load_suite(TINY_SUITE)
    ifeval = next(spec for spec in suite.tasks if spec.task == "ifeval")
    check_ifeval_data(suite, [(ifeval, {})])  # the shipped test rows use no sentence counting: runs offline
    rows = tmp_path / "ifeval.jsonl"
    rows.write_text(json.dumps({"key": 1, "prompt": "Answer in 3 sentences.", "kwargs": [{"num_sentences": 3}],
                                "instruction_id_list": ["length_constraints:number_sentences"]}) + "\n")  # fmt: skip
    with pytest.raises(DataError, match="nltk.downloader punkt_tab"):
        check_ifeval_data(suite, [(ifeval.model_copy(update={"data_files": {"train": str(rows)}}), {})])
    with pytest.raises(DataError, match="punkt_tab"):  # Hub data: the real IFEval uses those instructions
        check_ifeval_data(suite, [(ifeval.model_copy(update={"data_files": None}), {})])
