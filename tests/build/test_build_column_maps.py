"""A build over sources that need a column map, Dolly rows mapped by category, and a source that repeats ids."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pyarrow.parquet as pq

DOLLY = [
    {
        "instruction": "Who wrote Dune?",
        "context": "Dune is a 1965 novel.",
        "response": "Frank Herbert wrote it.",
        "category": "closed_qa",
    },
    {
        "instruction": "Name three colours.",
        "context": "",
        "response": "Red, green and blue.",
        "category": "brainstorming",
    },
]
QA = [
    {"id": "q1", "question": "What is the boiling point of water at sea level?", "answer": "100 degrees Celsius."},
    {"id": "q1", "question": "What is the freezing point of water?", "answer": "Zero degrees Celsius."},
    {"id": "q3", "question": "A row that lost its answer"},
]


def _build(tmp_path: Path, build_sources, sources: list[dict]) -> tuple[subprocess.CompletedProcess, Path]:
    for name, rows in (("dolly.jsonl", DOLLY), ("qa.jsonl", QA)):
        (tmp_path / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return build_sources("maps", sources)


def test_column_map_source_dolly_categories_and_repeated_ids(tmp_path, build_sources):
    result, out = _build(
        tmp_path,
        build_sources,
        [
            {"path": "dolly.jsonl", "category_map": {"closed_qa": "domain_expert", "brainstorming": "general"}},
            {"path": "qa.jsonl", "category": "general", "columns": {"instruction": "question", "output": "answer"}},
        ],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [r for f in sorted((out / "data").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    by_id = {r["id"]: r for r in rows}
    assert sorted(r["category"] for r in rows if r["source"].endswith("dolly.jsonl")) == ["domain_expert", "general"]
    assert by_id["q1"]["messages"][0]["content"] == "What is the boiling point of water at sea level?"
    assert by_id["q1-L2"]["messages"][1]["content"] == "Zero degrees Celsius."
    assert "q3" not in by_id
    manifest = json.loads((out / "manifest.json").read_text())
    qa = next(s for s in manifest["sources"] if s["path"].endswith("qa.jsonl"))
    assert qa["rows_read"] == 2 and qa["rows_unreadable"] == 1
    assert "mapped column `answer` (columns: output) is missing" in qa["unreadable_examples"][0]
    assert qa["duplicate_ids"]["rows"] == 1 and "renamed 'q1-L2'" in qa["duplicate_ids"]["example"]
    dolly = next(s for s in manifest["sources"] if s["path"].endswith("dolly.jsonl"))
    assert "duplicate_ids" not in dolly
    assert "qa.jsonl: 1 rows repeated an id" in " ".join(result.stdout.split())


def test_a_bad_column_map_is_a_recipe_error_naming_the_source(tmp_path, build_sources):
    source = {"path": "qa.jsonl", "category": "general", "columns": {"answer": "output"}}
    result, out = _build(tmp_path, build_sources, [source])
    assert result.returncode == 2 and "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert "sources.0" in message and "unknown target `answer`" in message
    assert not out.exists()
