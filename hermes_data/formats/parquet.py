"""Parquet input: canonical record files, a folder of shards (a build's `data/`), or other tools' Parquet exports.

Rows are read in record batches, so memory stays bounded whatever the file size. A file whose columns are not the
record schema but a known row shape (ShareGPT `conversations`, OpenAI `messages`, Alpaca) is converted like JSON rows.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator

import pyarrow.parquet as pq

from hermes_data.errors import DataError, FormatError
from hermes_data.formats.common import RowError
from hermes_data.formats.items import ReadItem, Unreadable
from hermes_data.formats.rows import convert_row, shapes_of
from hermes_data.io.user_files import unreadable_parquet

_BATCH_ROWS = 1024


def parquet_files(path: str) -> list[str]:
    """The Parquet files of `path`: itself, the `*.parquet` in a folder, or else those under its `data/`."""
    if os.path.isfile(path):
        return [path]
    files = sorted(glob.glob(os.path.join(glob.escape(path), "*.parquet")))
    if not files:
        data = os.path.join(glob.escape(path), "data")
        files = sorted(glob.glob(os.path.join(data, "**", "*.parquet"), recursive=True))
    if not files:
        raise DataError(f"{path}: no *.parquet files in this folder or its data/ folder")
    return files


def read_parquet(path: str, *, source: str | None = None) -> Iterator[ReadItem]:
    """Records of every Parquet file of `path`, in file order; rows that cannot convert come as `Unreadable`."""
    for file in parquet_files(path):
        yield from read_parquet_file(file, source or f"file:{file}")


def read_parquet_file(file: str, source: str, rows: tuple[int, int] | None = None) -> Iterator[ReadItem]:
    """Records of one Parquet file, or of its rows `[start, end)` (indexed from the range's start): only the row
    groups the range overlaps are decoded, batch by batch, and the rest of the last one is not."""
    try:
        parquet = pq.ParquetFile(file)
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError variants for truncated or foreign files
        raise unreadable_parquet(file, exc) from None
    shapes = shapes_of(parquet.schema_arrow.names)
    if len(shapes) != 1:
        raise FormatError(
            f"{file}: columns {parquet.schema_arrow.names} are not the record schema nor one row shape "
            "(conversations / messages / instruction+output)"
        )
    index = 0
    for batch in _batches(parquet, rows):
        for row in batch.to_pylist():
            try:
                yield convert_row(row, shapes[0], source=source)
            except (RowError, DataError) as exc:
                yield Unreadable(file, None, index, str(exc))
            index += 1


def _batches(parquet: pq.ParquetFile, rows: tuple[int, int] | None) -> Iterator:
    if rows is None:
        yield from parquet.iter_batches(batch_size=_BATCH_ROWS)
        return
    start, end = rows
    groups, first, at = [], None, 0
    for g in range(parquet.metadata.num_row_groups):
        n = parquet.metadata.row_group(g).num_rows
        if at + n > start and at < end:
            groups.append(g)
            first = at if first is None else first
        at += n
    if not groups:
        return
    at = first
    for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, row_groups=groups):
        lo, hi = max(start - at, 0), min(end - at, batch.num_rows)
        if hi > lo:
            yield batch.slice(lo, hi - lo)
        at += batch.num_rows
        if at >= end:
            return
