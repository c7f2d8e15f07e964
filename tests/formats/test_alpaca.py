"""Alpaca rows: instruction + input become the user turn."""

from __future__ import annotations

import json

from hermes_data.formats import Unreadable, read_records
from hermes_data.record import meta_of


def _read(tmp_path, rows):
    path = tmp_path / "alpaca.json"
    path.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return list(read_records(str(path)))


def test_input_follows_the_instruction_after_a_blank_line(tmp_path):
    (record,) = _read(tmp_path, [{"instruction": "Reverse the words.", "input": "Words: a b", "output": "b a"}])
    assert record["messages"] == [
        {"role": "user", "content": "Reverse the words.\n\nWords: a b"},
        {"role": "assistant", "content": "b a"},
    ]
    assert record["source"] == f"file:{tmp_path / 'alpaca.json'}" and record["category"] is None


def test_empty_input_leaves_the_instruction_alone_and_system_comes_first(tmp_path):
    (record,) = _read(tmp_path, [{"instruction": "Say hi.", "input": " ", "output": "Hi.", "system": "Be kind."}])
    assert [m["role"] for m in record["messages"]] == ["system", "user", "assistant"]
    assert record["messages"][1]["content"] == "Say hi."


def test_unknown_fields_go_to_meta_and_id_is_kept_as_string(tmp_path):
    (record,) = _read(tmp_path, [{"id": 7, "instruction": "a", "output": "b", "text": "### a", "category": "qa"}])
    assert record["id"] == "7"
    assert meta_of(record) == {"text": "### a", "source_category": "qa"}


def test_non_string_output_is_unreadable_not_a_crash(tmp_path):
    items = _read(tmp_path, [{"instruction": "a", "output": None}, {"instruction": "a", "output": "b"}])
    assert isinstance(items[0], Unreadable) and "output" in items[0].message
    assert items[1]["messages"][1]["content"] == "b"


def test_documents_are_folded_into_the_user_turn(tmp_path):
    rows = [{"instruction": "Who wrote it?", "output": "<co:0>Ann</co>", "documents": ["Ann wrote the book."]}]
    (record,) = _read(tmp_path, rows)
    user = record["messages"][0]["content"]
    assert user.startswith("Who wrote it?\n\nCONTEXT:\nDocument:0\n") and "Text: Ann wrote the book." in user
    assert record["documents"] == [{"id": "0", "title": "", "text": "Ann wrote the book."}]
