"""Read conversation data in the common formats into records, and write records back out (DESIGN §3).

`read_records(path)` yields record dicts (hermes_data.record) and, for rows that cannot become one, `Unreadable`
items naming file:line and why, so callers report them and keep going. `write_records(records, path, to)` writes
parquet, openai or sharegpt atomically.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from hermes_data.errors import DataError, FormatError
from hermes_data.formats.column_map import ColumnMap
from hermes_data.formats.common import UTF8_REPLACED, RowError
from hermes_data.formats.detect import FORMATS, detect, detect_format
from hermes_data.formats.hub import read_dataset
from hermes_data.formats.items import ReadItem, Unreadable
from hermes_data.formats.jsonrows import iter_json_rows, json_files
from hermes_data.formats.parquet import read_parquet
from hermes_data.formats.row_ids import UniqueIds
from hermes_data.formats.rows import convert_row
from hermes_data.formats.writers import WRITE_FORMATS, write_records

__all__ = [
    "FORMATS",
    "ColumnMap",
    "WRITE_FORMATS",
    "ReadItem",
    "UniqueIds",
    "Unreadable",
    "detect_format",
    "read_records",
    "write_records",
]


def read_records(
    path: str,
    format: str | None = None,  # noqa: A002 - the CLI flag is --format
    *,
    source: str | None = None,
    config: str | None = None,
    revision: str | None = None,
    split: str = "train",
    columns: ColumnMap | None = None,
    ids: UniqueIds | None = None,
) -> Iterator[ReadItem]:
    """Records of `path` (a file, a folder or a Hub reference), with an `Unreadable` for each row that is not one.

    Missing inputs and unknown formats raise at once (DataError/FormatError); row problems never stop the reading.
    `columns` renames each JSON row's columns, turn keys and roles before detection and conversion (column_map.py).
    Ids are unique within `ids` (one per source; a fresh one for this input when not given; row_ids.py).
    """
    columns = columns or ColumnMap()
    ids = ids if ids is not None else UniqueIds()
    fmt = format or detect(path, columns)
    if fmt is None:  # an empty JSON file: nothing to read
        return iter(())
    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r}; accepted formats: {', '.join(FORMATS)}")
    if columns and fmt in ("hub", "parquet"):
        raise FormatError(f"{path}: `columns`/`roles` apply to JSON/JSONL files; convert this {fmt} input first")
    if fmt == "hub":
        return ids.unique_rows(read_dataset(path, source=source, config=config, revision=revision, split=split), path)
    if not os.path.exists(path):
        raise DataError(f"{path}: no such file or folder")
    if fmt == "parquet":
        return ids.unique_rows(read_parquet(path, source=source), path)
    return _readjson_files(json_files(path), fmt, source, columns, ids)


def _readjson_files(
    files: list[str], fmt: str, source: str | None, columns: ColumnMap, ids: UniqueIds
) -> Iterator[ReadItem]:
    for path in files:
        yield from convert_json_rows(path, iter_json_rows(path), fmt, source, columns, ids)


def convert_json_rows(
    path: str, rows: Iterator, fmt: str, source: str | None, columns: ColumnMap, ids: UniqueIds
) -> Iterator[ReadItem]:
    """Records of one JSON file's raw rows (`iter_json_rows`, or a range of them), ids unique by line."""
    src = source or f"file:{path}"
    for item in rows:
        if isinstance(item, Unreadable):
            yield item
            continue
        meta = {UTF8_REPLACED: True} if item.replaced else None
        try:
            record = convert_row(columns.apply(item.value), fmt, source=src, meta=meta)
        except (RowError, DataError) as exc:
            yield Unreadable(path, item.line, item.index, str(exc))
            continue
        yield ids.unique(record, f"{path}:{item.line}", f"L{item.line}")
