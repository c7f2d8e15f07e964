"""Mistakes a user makes with `hermes-train sft/dpo/select/compare` recipe and score files: each is one `error:` line
on stderr, exit 2, no traceback, and nothing written (the folder's files are byte-identical afterwards).

`hermes_train.cli.main` runs in-process (only argv is set), so each case costs milliseconds, not a Python start."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from hermes_train.cli import main

ROOT = Path(__file__).resolve().parents[2]
SFT, DPO = ROOT / "recipes" / "sft-tiny-cpu.yaml", ROOT / "recipes" / "dpo-tiny-cpu.yaml"
NOT_UTF8 = b"name: caf\xe9\n"  # Latin-1
BINARY = bytes(range(256)) * 4


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}


def one_line_exit_2(args: list[str], folder: Path, monkeypatch, capsys) -> str:
    before = snapshot(folder)
    monkeypatch.setattr(sys, "argv", ["hermes-train", *map(str, args)])
    with pytest.raises(SystemExit) as exited:
        main()
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert exited.value.code == 2 and len(lines) == 1 and lines[0].startswith("error: "), err[-2000:]
    assert snapshot(folder) == before, "a failed command wrote something"
    return lines[0]


def write(path: Path, content: bytes | str | None) -> Path:
    if content is None:
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["sft", "dpo"])
@pytest.mark.parametrize(
    ("content", "words"),
    [(NOT_UTF8, "not a UTF-8"), (BINARY, "not a UTF-8"), (None, "no such recipe file"), ("", "YAML mapping"),
     ("- a\n- b\n", "YAML mapping"), ("name: [x\n", "not valid YAML")],
    ids=["not-utf8", "binary", "folder", "empty", "list", "broken-yaml"],
)  # fmt: skip
def test_unreadable_recipe_files(command, content, words, tmp_path, monkeypatch, capsys):
    recipe = write(tmp_path / "recipe.yaml", content)
    line = one_line_exit_2([command, recipe, "--dry-run"], tmp_path, monkeypatch, capsys)
    assert str(recipe) in line and words in line


@pytest.mark.parametrize(("recipe", "command"), [(SFT, "sft"), (DPO, "dpo")])
@pytest.mark.parametrize(
    ("override", "words"),
    [("optimizer.lrr=1", "optimizer.lrr"), ("epochs=many", "epochs"), ("name=[unclosed", "not valid YAML"),
     ("epochs", "key=value"), ("global_batch_size=3", "global_batch_size"), ("model.name=x", "exactly one")],
)  # fmt: skip
def test_bad_overrides(recipe, command, override, words, tmp_path, monkeypatch, capsys):
    args = [command, recipe, "--set", f"output={tmp_path / 'out'}", "--set", override]
    if command == "dpo" or "global_batch_size" not in override:
        args.append("--dry-run")
    line = one_line_exit_2(args, tmp_path, monkeypatch, capsys)
    assert words in line


def test_a_model_folder_without_a_usable_config(tmp_path, monkeypatch, capsys):
    (tmp_path / "no-config").mkdir()
    (tmp_path / "no-config" / "model.safetensors").write_bytes(b"")
    write(tmp_path / "bad-config", None)
    (tmp_path / "bad-config" / "config.json").write_text('{"hidden_size": 8}')
    sets = ["--set", "model.config=null", "--set", f"output={tmp_path / 'out'}"]
    for command, recipe in (("sft", SFT), ("dpo", DPO)):
        for folder, words in (("no-config", "has no config.json"), ("bad-config", "cannot use the config")):
            args = [command, recipe, *sets, "--set", f"model.name={tmp_path / folder}", "--dry-run"]
            line = one_line_exit_2(args, tmp_path, monkeypatch, capsys)
            assert f"model.name: {tmp_path / folder}" in line or f"'{tmp_path / folder}'" in line
            assert words in line
        args = [command, recipe, *sets, "--set", f"model.name={tmp_path / 'missing'}", "--dry-run"]
        assert "no such model folder" in one_line_exit_2(args, tmp_path, monkeypatch, capsys)


SCORES_OK = {"checkpoints": {"a": {"m": 1.0}, "b": {"m": 2.0}}, "groups": {"g": ["m"]}}


@pytest.mark.parametrize("command", ["select", "compare"])
@pytest.mark.parametrize(
    ("content", "words"),
    [(NOT_UTF8, "not UTF-8"), (BINARY, "not UTF-8"), (None, "a folder"), ("", "not valid JSON"),
     ("[1, 2]", "JSON list"), ('{"checkpoints": ["a", "b"]}', "checkpoints"),
     ('{"checkpoints": {"a": {"m": 1}}, "groups": {"g": "m"}}', "groups")],
    ids=["not-utf8", "binary", "folder", "empty", "list", "checkpoints-list", "groups-string"],
)  # fmt: skip
def test_bad_score_files(command, content, words, tmp_path, monkeypatch, capsys):
    scores = write(tmp_path / "scores.json", content)
    line = one_line_exit_2([command, scores], tmp_path, monkeypatch, capsys)
    assert str(scores) in line and words in line


def test_a_missing_score_file(tmp_path, monkeypatch, capsys):
    for command in ("select", "compare"):
        line = one_line_exit_2([command, tmp_path / "nope.json"], tmp_path, monkeypatch, capsys)
        assert "nope.json: no such file" in line


def test_good_scores_still_work(tmp_path, monkeypatch, capsys):
    scores = write(tmp_path / "scores.json", json.dumps(SCORES_OK))
    for command in ("select", "compare"):
        monkeypatch.setattr(sys, "argv", ["hermes-train", command, str(scores)])
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code in (0, None)
    assert "selected: b" in capsys.readouterr().out
