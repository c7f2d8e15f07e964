"""Compressed inputs read like plain ones: chosen by magic bytes, whatever the name says."""

import bz2
import gzip
import json
import lzma

import pyarrow as pa
import pytest

from hermes_data.formats import read_records
from hermes_data.formats.jsonrows import iter_json_rows
from hermes_data.io.compressed import codec_of, open_data

ROWS = [
    {"id": f"r{i}", "conversations": [{"from": "human", "value": f"q{i}"}, {"from": "gpt", "value": f"a{i}"}]}
    for i in range(3)
]
DATA = "".join(json.dumps(r) + "\n" for r in ROWS).encode()


def _zstd(path, data):
    with pa.output_stream(str(path), compression="zstd") as f:
        f.write(data)


WRITERS = {
    "gz": lambda p, d: p.write_bytes(gzip.compress(d)),
    "bz2": lambda p, d: p.write_bytes(bz2.compress(d)),
    "xz": lambda p, d: p.write_bytes(lzma.compress(d)),
    "zst": _zstd,
}


@pytest.mark.parametrize("ext", sorted(WRITERS))
def test_each_codec_reads_as_records(tmp_path, ext):
    path = tmp_path / f"train.jsonl.{ext}"
    WRITERS[ext](path, DATA)
    records = list(read_records(str(path)))
    assert [r["id"] for r in records] == ["r0", "r1", "r2"]
    assert [len(r["messages"]) for r in records] == [2, 2, 2]


def test_magic_bytes_win_over_the_name(tmp_path):
    hidden = tmp_path / "rows.jsonl"  # gzip bytes, plain name
    hidden.write_bytes(gzip.compress(DATA))
    plain = tmp_path / "rows2.jsonl.gz"  # plain bytes, .gz name (already decompressed by a download tool)
    plain.write_bytes(DATA)
    assert codec_of(hidden) == "gzip" and codec_of(plain) is None
    assert [r["id"] for r in read_records(str(hidden))] == ["r0", "r1", "r2"]
    assert [r["id"] for r in read_records(str(plain))] == ["r0", "r1", "r2"]


def test_folder_picks_up_compressed_files(tmp_path):
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(DATA))
    _zstd(tmp_path / "b.jsonl.zst", DATA)
    assert len(list(read_records(str(tmp_path), "sharegpt"))) == 6


def test_compressed_json_array_streams_with_lines(tmp_path):
    text = "[\n" + ",\n".join(json.dumps(r) for r in ROWS) + "\n]\n"
    path = tmp_path / "rows.json.zst"
    _zstd(path, text.encode())
    rows = list(iter_json_rows(str(path)))
    assert [r.value["id"] for r in rows] == ["r0", "r1", "r2"]
    assert [r.line for r in rows] == [2, 3, 4]


def test_open_data_streams_lines(tmp_path):
    path = tmp_path / "x.zst"
    _zstd(path, DATA)
    with open_data(path) as fh:
        assert next(iter(fh)) == DATA.split(b"\n")[0] + b"\n"
