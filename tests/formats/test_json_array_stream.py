"""A JSON array is decoded from a small window: rows cut at any chunk boundary still come out whole."""

import json

import pytest

from hermes_data.formats import jsonrows
from hermes_data.formats.items import Unreadable


@pytest.mark.parametrize("chunk", [1, 3, 7, 64])
def test_rows_across_chunk_boundaries(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(jsonrows, "_CHUNK", chunk)  # a constant of the reader, not its logic
    rows = [{"instruction": "é" * i, "output": str(i)} for i in range(12)] + [12345678, True, "s"]
    path = tmp_path / "a.json"
    path.write_text("\ufeff[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n", "utf-8")
    got = list(jsonrows.iter_json_rows(str(path)))
    assert [g.value for g in got] == rows
    assert [g.line for g in got] == list(range(2, 2 + len(rows)))


def test_malformed_row_stops_with_its_line(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('[{"a": 1},\n{"a": 2,}]')
    got = list(jsonrows.iter_json_rows(str(path)))
    assert got[0].value == {"a": 1}
    assert isinstance(got[1], Unreadable) and got[1].line == 2


def test_unclosed_array(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('[{"a": 1},\n')
    got = list(jsonrows.iter_json_rows(str(path)))
    assert isinstance(got[-1], Unreadable) and "not closed" in got[-1].message
