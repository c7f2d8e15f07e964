"""The embedded sample must stay valid, balanced across categories, and its defective rows must keep triggering."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from hermes_data.categories import SLUGS
from hermes_data.formats import Unreadable, read_records
from hermes_data.sample import sample_path
from hermes_data.validate import validate_record

# Every code of DESIGN §5 must have a labelled defective row, so a validator change that stops detecting one shows up.
DESIGN_CODES = {
    "empty_turn",
    "no_assistant",
    "role_order",
    "tag_unbalanced",
    "tools_invalid",
    "python_literal",
    "tool_call_json",
    "tool_call_unknown",
    "tool_call_args",
    "tool_response_orphan",
    "citation_unknown",
    "citation_unbalanced",
    "citation_mismatch",
    "json_mode_schema",
}


def _raw_rows(name: str) -> list[dict]:
    with sample_path(name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _records(name: str) -> dict[str, dict]:
    items = list(read_records(str(sample_path(name))))
    unreadable = [str(i) for i in items if isinstance(i, Unreadable)]
    assert not unreadable, unreadable
    return {r["id"]: r for r in items}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return _raw_rows("conversations.jsonl")


@pytest.fixture(scope="module")
def defective() -> list[dict]:
    return _raw_rows("defective.jsonl")


def test_sample_path_rejects_unknown_name():
    with pytest.raises(ValueError, match="conversations.jsonl"):
        sample_path("nope.jsonl")


def test_every_category_has_enough_rows(rows):
    counts = Counter(r["category"] for r in rows)
    assert set(counts) == set(SLUGS)
    assert all(counts[slug] >= 12 for slug in SLUGS), counts


def test_ids_are_unique_across_both_files(rows, defective):
    ids = [r["id"] for r in rows + defective]
    assert len(ids) == len(set(ids))


def test_rows_use_hermes_sharegpt_roles(rows):
    for r in rows:
        assert {t["from"] for t in r["conversations"]} <= {"system", "human", "gpt", "tool"}, r["id"]


def test_refusals_are_labelled_and_few(rows):
    labelled = [r["id"] for r in rows if "label" in r]
    assert len(labelled) == 4
    assert all(r["label"] == "refusal" for r in rows if "label" in r)


def test_sample_covers_the_hermes_formats(rows):
    # The demo build and the training smoke run rely on each format being present at least twice.
    text = {r["id"]: "\n".join(t["value"] for t in r["conversations"]) for r in rows}
    needles = ["<tool_call>", "<tool_response>", "Cited Documents:", "<schema>", "<SCRATCHPAD>", "<RESTATEMENT>"]
    for needle in needles:
        assert sum(needle in t for t in text.values()) >= 2, needle


def test_every_sample_row_is_valid():
    records = _records("conversations.jsonl")
    problems = {rid: [i.code for i in validate_record(rec)] for rid, rec in records.items()}
    assert {rid: codes for rid, codes in problems.items() if codes} == {}


def test_sample_reads_back_tools_and_documents():
    records = _records("conversations.jsonl")
    assert json.loads(records["tool_use-002"]["tools"])[0]["function"]["name"] == "convert_currency"
    assert [d["id"] for d in records["tool_use-014"]["documents"]] == ["0", "1", "2"]


def test_defective_rows_cover_every_code(defective):
    assert {r["expected_error"] for r in defective} == DESIGN_CODES


def test_each_defective_row_reports_its_code(defective):
    records = _records("defective.jsonl")
    for row in defective:
        # Exactly its own code: a defect that also trips other codes would hide which check caught it.
        codes = {i.code for i in validate_record(records[row["id"]])}
        assert codes == {row["expected_error"]}, (row["id"], codes)
