"""Mistakes a user makes with `hermes-train eval`/`compare`: one clear line on stderr and exit 2, before any model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import TINY_SUITE


def hermes_train(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HF_HUB_OFFLINE": "1"}
    return subprocess.run(["hermes-train", *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip


def one_error_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    return lines[0]


def fake_model(folder: Path) -> Path:
    """Looks like a model to the checks that run before loading (the errors below come first)."""
    folder.mkdir()
    for name in ("model.safetensors", "tokenizer.json"):
        (folder / name).write_text("{}")
    (folder / "config.json").write_text(json.dumps({"model_type": "llama"}))
    return folder


def test_a_folder_that_is_not_a_model(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("hi")
    line = one_error_line(hermes_train("eval", tmp_path / "notes", "--suite", TINY_SUITE, cwd=tmp_path))
    assert "notes: not a model" in line and "adapter" in line
    assert not (tmp_path / "scores.json").exists()


def test_a_missing_checkpoint_folder(tmp_path):
    line = one_error_line(hermes_train("eval", tmp_path / "epoch-9", "--suite", TINY_SUITE, cwd=tmp_path))
    assert "epoch-9: no such checkpoint folder" in line


def test_a_suite_pointing_at_a_missing_file(tmp_path):
    suite = yaml.safe_load(TINY_SUITE.read_text())
    suite["include_path"] = str(TINY_SUITE.parent / suite["include_path"])
    suite["tasks"][0]["data_files"] = {"test": "data/nowhere.jsonl"}
    (tmp_path / "suite.yaml").write_text(yaml.safe_dump(suite))
    line = one_error_line(hermes_train("eval", fake_model(tmp_path / "m"), "--suite", tmp_path / "suite.yaml",
                                       cwd=tmp_path))  # fmt: skip
    assert "tasks[arc_easy].data_files.test: no such file" in line and "nowhere.jsonl" in line


def test_an_unknown_suite_name(tmp_path):
    line = one_error_line(hermes_train("eval", fake_model(tmp_path / "m"), "--suite", "hermes9", cwd=tmp_path))
    assert "no suite 'hermes9'" in line and "hermes3" in line and "tiny" in line


@pytest.mark.skipif(pytest.importorskip("lm_eval") is None, reason="lm_eval")
def test_an_unknown_task_name(tmp_path):
    suite = {"name": "typo", "tasks": [{"task": "arc_easyy", "group": "gpt4all"}]}
    (tmp_path / "suite.yaml").write_text(yaml.safe_dump(suite))
    line = one_error_line(hermes_train("eval", fake_model(tmp_path / "m"), "--suite", tmp_path / "suite.yaml",
                                       cwd=tmp_path))  # fmt: skip
    assert "task 'arc_easyy' is not an lm_eval task" in line


def test_compare_with_an_unknown_baseline(tmp_path):
    scores = {"checkpoints": {"a": {"x": 1.0}, "b": {"x": 2.0}}, "groups": {"g": ["x"]}}
    (tmp_path / "scores.json").write_text(json.dumps(scores))
    line = one_error_line(hermes_train("compare", tmp_path / "scores.json", "--baseline", "c", cwd=tmp_path))
    assert "--baseline 'c' is not a checkpoint here; known: a, b" in line


def test_an_adapter_without_a_base(tmp_path):
    adapter = tmp_path / "epoch-1"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": None, "r": 4}))
    (adapter / "adapter_model.safetensors").write_text("")
    line = one_error_line(hermes_train("eval", adapter, "--suite", TINY_SUITE, cwd=tmp_path))
    assert "the adapter names no base model" in line


def test_a_model_folder_whose_config_transformers_cannot_use(tmp_path):
    model = fake_model(tmp_path / "m")
    (model / "config.json").write_text(json.dumps({"hidden_size": 8}))  # no model_type
    line = one_error_line(hermes_train("eval", model, "--suite", TINY_SUITE, cwd=tmp_path))
    assert str(model) in line and "cannot use the config" in line and "model_type" in line
    assert not (tmp_path / "scores.json").exists()


@pytest.mark.parametrize(
    ("out", "words"),
    [("folder", "a folder, not a scores file"), ("latin1.json", "not UTF-8"), ("list.json", "JSON list"),
     ("a-file/scores.json", "a-file is a file")],
)  # fmt: skip
def test_a_scores_out_file_that_cannot_be_used(out, words, tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "latin1.json").write_bytes(b'{"caf\xe9": 1}')
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "a-file").write_text("")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = hermes_train("eval", fake_model(tmp_path / "m"), "--suite", TINY_SUITE, "--no-mtbench", "--out",
                          tmp_path / out, cwd=tmp_path)  # fmt: skip
    line = one_error_line(result)
    assert words in line
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p.parent.name != "m"} == before
