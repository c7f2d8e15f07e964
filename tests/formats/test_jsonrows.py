"""JSON/JSONL row iteration: layouts, line numbers, malformed rows, bad UTF-8, huge rows."""

from __future__ import annotations

import json

from hermes_data.formats.items import Unreadable
from hermes_data.formats.jsonrows import RawRow, iter_json_rows


def _rows(path):
    return list(iter_json_rows(str(path)))


def test_jsonl_rows_keep_their_line_numbers_and_skip_blank_lines(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2}\n', encoding="utf-8")
    rows = _rows(path)
    assert [(r.line, r.index, r.value) for r in rows] == [(1, 0, {"a": 1}), (3, 1, {"a": 2})]


def test_malformed_line_is_unreadable_and_reading_goes_on(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"a": 1}\n{"a": \n{"a": 3}\n', encoding="utf-8")
    rows = _rows(path)
    assert isinstance(rows[1], Unreadable) and rows[1].line == 2 and rows[1].index == 1
    assert "malformed JSON" in rows[1].message and str(path) in str(rows[1])
    assert isinstance(rows[2], RawRow) and rows[2].value == {"a": 3}


def test_broken_first_line_of_jsonl_does_not_hide_the_rest(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"a": \n{"a": 2}\n', encoding="utf-8")
    rows = _rows(path)
    assert isinstance(rows[0], Unreadable) and rows[0].line == 1
    assert rows[1].value == {"a": 2}


def test_json_array_elements_get_the_line_they_start_on(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('[\n  {"a": 1},\n\n  {"a":\n   2}\n]\n', encoding="utf-8")
    rows = _rows(path)
    assert [(r.line, r.value) for r in rows] == [(2, {"a": 1}), (4, {"a": 2})]


def test_malformed_array_element_reports_its_line_and_stops(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('[\n{"a": 1},\n{"a": tru},\n{"a": 3}\n]', encoding="utf-8")
    rows = _rows(path)
    assert rows[0].value == {"a": 1}
    assert isinstance(rows[1], Unreadable) and rows[1].line == 3 and len(rows) == 2


def test_single_pretty_printed_object_is_one_row(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('\n{\n  "conversations": []\n}\n', encoding="utf-8")
    rows = _rows(path)
    assert len(rows) == 1 and rows[0].value == {"conversations": []} and rows[0].line == 2


def test_invalid_utf8_is_replaced_and_the_row_still_parses(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"a": "caf\xe9 ok"}\n{"a": "fine"}\n')
    rows = _rows(path)
    assert rows[0].value == {"a": "caf\ufffd ok"} and rows[0].replaced
    assert rows[1].value == {"a": "fine"} and not rows[1].replaced


def test_row_of_several_megabytes_reads(tmp_path):
    big = "x" * (6 * 1024 * 1024)
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"a": big}) + "\n" + '{"a": "small"}\n', encoding="utf-8")
    rows = _rows(path)
    assert len(rows[0].value["a"]) == len(big) and rows[1].value == {"a": "small"}


def test_empty_and_blank_files_give_no_rows(tmp_path):
    (tmp_path / "e.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("\n  \n", encoding="utf-8")
    assert _rows(tmp_path / "e.jsonl") == [] and _rows(tmp_path / "b.jsonl") == []


def test_byte_order_mark_is_ignored(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes('\ufeff{"a": 1}\n'.encode())
    assert _rows(path)[0].value == {"a": 1}
