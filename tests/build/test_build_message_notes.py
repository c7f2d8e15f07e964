"""A build over content parts, reasoning and multimodal rows: what is dropped, rendered or kept, and counted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NAMES = ("content_parts_value.jsonl", "reasoning_content.jsonl", "multimodal_parts.jsonl")


def _build(tmp_path: Path, build_sources, sources: list[dict]) -> tuple[dict, list[dict], list[dict]]:
    for name in NAMES:
        shutil.copy(FIXTURES / name, tmp_path / name)
    result, out = build_sources("notes", [{"category": "general", **s} for s in sources])
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [r for f in sorted((out / "data").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    rejected = [r for f in sorted((out / "rejected").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    return json.loads((out / "manifest.json").read_text()), rows, rejected


def test_build_drops_multimodal_renders_reasoning_and_keeps_parts(tmp_path, build_sources):
    manifest, rows, rejected = _build(
        tmp_path,
        build_sources,
        [
            {"path": "content_parts_value.jsonl"},
            {"path": "reasoning_content.jsonl", "reasoning": {"mode": "render", "tag": "THINKING"}},
            {"path": "multimodal_parts.jsonl"},
        ],
    )
    by_id = {r["id"]: r for r in rows}
    assert len(rows) == 5 and {"r-1", "r-2", "mm-text-only"} <= set(by_id)
    assert [len(by_id[i]["messages"]) for i in ("r-1", "r-2")] == [2, 4]
    answer = by_id["r-2"]["messages"][3]["content"]
    assert answer == "<THINKING>\n42 * 2 = 84.\n</THINKING>\n84."
    meta = json.loads(by_id["r-2"]["meta"])
    assert "reasoning_content" not in meta and meta["reasoning_rendered"] == "THINKING"
    assert meta["message_extras"]["3"] == {"loss_weight": 0.5}
    dropped = {r["id"]: (r["stage"], r["reason"]) for r in rejected}
    assert dropped == {i: ("content", "non_text_content") for i in ("mm-url", "mm-placeholder", "mm-audio")}
    assert manifest["sources"][1]["reasoning"] == {"render": 3}
    assert "reasoning" not in manifest["sources"][0]


def test_build_keeps_reasoning_in_meta_or_drops_it_and_can_keep_multimodal_text(tmp_path, build_sources):
    _, rows, rejected = _build(
        tmp_path,
        build_sources,
        [
            {"path": "reasoning_content.jsonl", "reasoning": {"mode": "drop"}},
            {"path": "multimodal_parts.jsonl", "non_text": "keep"},
        ],
    )
    by_id = {r["id"]: r for r in rows}
    assert "reasoning_content" not in json.loads(by_id["r-1"]["meta"])
    assert by_id["r-1"]["messages"][1]["content"] == "No: 91 = 7 x 13."
    kept = json.loads(by_id["mm-url"]["meta"])
    assert [p["type"] for p in kept["non_text_parts"]] == ["image_url"] and kept["non_text_kept"].startswith("text")
    assert by_id["mm-placeholder"]["messages"][0]["content"] == "<image>Who is in the photo?"
    assert {r["id"]: r["reason"] for r in rejected} == {"mm-audio": "empty_turn"}  # its only user part was audio
