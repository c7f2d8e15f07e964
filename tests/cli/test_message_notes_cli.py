"""validate and convert on files with content parts, reasoning and multimodal rows, through the CLI."""

from __future__ import annotations

import json


def test_validate_reports_non_text_content_with_its_row(cli, fixtures, tmp_path):
    report = tmp_path / "report.jsonl"
    result = cli("validate", fixtures / "multimodal_parts.jsonl", "--report", report)
    assert result.returncode == 1, result.stderr
    assert "non_text_content" in result.stdout
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    codes = {line["id"]: [e["code"] for e in line["errors"]] for line in lines}
    assert codes == {
        "mm-url": ["non_text_content"],
        "mm-placeholder": ["non_text_content"],
        "mm-audio": ["non_text_content", "empty_turn"],
        "mm-text-only": [],
    }


def test_validate_accepts_value_parts_and_reasoning(cli, fixtures):
    for name in ("content_parts_value.jsonl", "reasoning_content.jsonl"):
        result = cli("validate", fixtures / name)
        assert result.returncode == 0, result.stdout + result.stderr


def test_convert_to_openai_writes_reasoning_content_back(cli, fixtures, tmp_path):
    out = tmp_path / "chat.jsonl"
    result = cli("convert", fixtures / "reasoning_content.jsonl", out, "--to", "openai")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["r-1", "r-2"]
    assert [len(r["messages"]) for r in rows] == [2, 4]
    assert rows[0]["messages"][1]["reasoning_content"].startswith("91 = 7 * 13")
    assert rows[1]["messages"][3] == {
        "role": "assistant",
        "content": "84.",
        "thinking": "42 * 2 = 84.",
        "loss_weight": 0.5,
    }
