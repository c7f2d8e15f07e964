"""Writers: atomic replacement, canonical Parquet, refusing Unreadable items."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from hermes_data.errors import DataError
from hermes_data.formats import Unreadable, read_records, write_records
from hermes_data.record import RECORD_SCHEMA, make_record

RECORDS = [
    make_record(
        [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
        id="a",
        category="general",
        source="gen:t",
    ),
    make_record(
        [{"role": "user", "content": "2+2"}, {"role": "assistant", "content": "4"}], source="gen:t", meta={"k": "v"}
    ),
]


def test_parquet_has_the_record_schema_and_reads_back_equal(tmp_path):
    path = tmp_path / "out.parquet"
    assert write_records(iter(RECORDS), str(path), "parquet") == 2
    assert pq.read_schema(path).equals(RECORD_SCHEMA)
    back = list(read_records(str(path)))
    assert back == RECORDS  # record rows keep id, category and source; columns re-derived from the text


def test_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text("old\n", encoding="utf-8")

    def broken():
        yield RECORDS[0]
        raise RuntimeError("source died")

    with pytest.raises(RuntimeError):
        write_records(broken(), str(path), "sharegpt")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_write_creates_missing_folders_and_leaves_only_the_target(tmp_path):
    path = tmp_path / "deep" / "er" / "out.jsonl"
    assert write_records(RECORDS, str(path), "openai") == 2
    assert [p.name for p in path.parent.iterdir()] == ["out.jsonl"]


def test_unreadable_items_are_refused_not_dropped_silently(tmp_path):
    items = [RECORDS[0], Unreadable("in.jsonl", 3, 2, "malformed JSON")]
    with pytest.raises(DataError, match="in.jsonl:3"):
        write_records(items, str(tmp_path / "out.jsonl"), "openai")
    assert not (tmp_path / "out.jsonl").exists()


def test_unknown_target_format_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="parquet, openai, sharegpt"):
        write_records(RECORDS, str(tmp_path / "out.csv"), "csv")


def test_sharegpt_writer_uses_hermes_roles_and_keeps_meta(tmp_path):
    import json

    path = tmp_path / "out.jsonl"
    write_records(RECORDS, str(path), "sharegpt")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert rows[0] == {
        "id": "a",
        "conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}],
        "category": "general",
    }
    assert rows[1]["meta"] == {"k": "v"}
