"""Parquet input: canonical files, shard folders, build folders and other tools' Parquet rows."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hermes_data.errors import DataError, FormatError
from hermes_data.formats import Unreadable, read_records, write_records
from hermes_data.record import make_record


def _records(n, prefix):
    return [
        make_record(
            [{"role": "user", "content": f"{prefix} {i}"}, {"role": "assistant", "content": "ok"}], id=f"{prefix}{i}"
        )
        for i in range(n)
    ]


def test_folder_of_shards_reads_in_file_order(tmp_path):
    write_records(_records(2, "b"), str(tmp_path / "part-1.parquet"), "parquet")
    write_records(_records(3, "a"), str(tmp_path / "part-0.parquet"), "parquet")
    ids = [r["id"] for r in read_records(str(tmp_path))]
    assert ids == ["a0", "a1", "a2", "b0", "b1"]


def test_build_folder_reads_its_data_shards_only(tmp_path):
    write_records(_records(2, "k"), str(tmp_path / "data" / "train-00000.parquet"), "parquet")
    write_records(_records(1, "r"), str(tmp_path / "rejected" / "rejected.parquet"), "parquet")
    assert [r["id"] for r in read_records(str(tmp_path))] == ["k0", "k1"]


def test_source_defaults_to_the_shard_file(tmp_path):
    path = tmp_path / "x.parquet"
    pq.write_table(pa.Table.from_pylist([{"conversations": [{"from": "human", "value": "hi"}], "id": 5}]), path)
    (record,) = list(read_records(str(path)))
    assert record["source"] == f"file:{path}" and record["id"] == "5"
    assert record["messages"] == [{"role": "user", "content": "hi"}]


def test_bad_row_in_parquet_is_unreadable_with_its_index(tmp_path):
    path = tmp_path / "x.parquet"
    rows = [
        {"messages": [{"role": "user", "content": "a"}]},
        {"messages": [{"role": "narrator", "content": "b"}]},
    ]
    pq.write_table(pa.Table.from_pylist(rows), path)
    items = list(read_records(str(path)))
    assert not isinstance(items[0], Unreadable)
    assert isinstance(items[1], Unreadable) and items[1].index == 1 and items[1].line is None


def test_foreign_columns_are_a_format_error(tmp_path):
    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"text": ["a"]}), path)
    with pytest.raises(FormatError, match="x.parquet"):
        list(read_records(str(path)))


def test_folder_without_parquet_is_a_data_error(tmp_path):
    (tmp_path / "data").mkdir()
    with pytest.raises(DataError, match="no \\*.parquet"):
        list(read_records(str(tmp_path), "parquet"))
