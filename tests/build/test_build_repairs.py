"""Repairs in a build: prompt/completion rows whose completions end in another template's `<|endoftext|>` (as some
public T0-style sets do) are dropped as `control_token` without the repair and kept, stripped, with it."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

ROWS = [
    {"prompt": "Wall St. bears claw back into the black.\nWhat label best describes this news article?\n",
     "completion": "Business<|endoftext|>"},
    {"prompt": "Carlyle looks toward commercial aerospace.\nWhat label best describes this news article?\n",
     "completion": "Business <|endoftext|>\n"},
    {"prompt": "Oil prices hit a record.\nWhat label best describes this news article?\n",
     "completion": "Business<|endoftext|>"},
    {"prompt": "Which team won?\n", "completion": "The home team<|im_end|>\n<|im_start|>user\nand the score?"},
    {"prompt": "Mars rover finds water ice.\nWhat label best describes this news article?\n",
     "completion": "Sci/Tech"},
]  # fmt: skip
SOURCE = {"path": "t0.jsonl", "category": "general", "columns": {"instruction": "prompt", "output": "completion"}}


def _rows(folder):
    return [r for f in sorted(folder.glob("*.parquet")) for r in pq.read_table(f).to_pylist()]


def test_trailing_control_tokens_are_dropped_or_repaired(tmp_path, build_sources):
    (tmp_path / "t0.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")

    result, out = build_sources("t0", [SOURCE])
    assert result.returncode == 0, result.stdout + result.stderr
    assert [r["messages"][1]["content"] for r in _rows(out / "data")] == ["Sci/Tech"]
    rejected = _rows(out / "rejected")
    assert len(rejected) == 4 and {r["reason"] for r in rejected} == {"control_token"}

    result, out = build_sources("t0", [SOURCE], repair=["control_token"])
    assert result.returncode == 0, result.stdout + result.stderr
    answers = sorted(r["messages"][1]["content"] for r in _rows(out / "data"))
    assert answers == ["Business", "Business", "Business", "Sci/Tech"]
    (left,) = _rows(out / "rejected")  # one inside the text is not repairable
    assert left["reason"] == "control_token" and left["messages"][1]["content"].startswith("The home team<|im_end|>")
    funnel = json.loads((out / "manifest.json").read_text())["funnel"]
    (repair,) = [step for step in funnel if step["stage"] == "repair"]
    assert (repair["reason"], repair["rows"], repair["action"]) == ("control_token", 3, "repaired")
    assert "repair control_token: 3 rows repaired and kept" in result.stdout
