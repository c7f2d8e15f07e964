"""Read conversation data in the common formats into records, and write records back out (DESIGN §3).

`read_records(path)` yields record dicts (hermes_data.record) and, for rows that cannot become one, `Unreadable`
items naming file:line and why, so callers report them and keep going. `write_records(records, path, to)` writes
parquet, openai or sharegpt atomically.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator

from hermes_data.errors import DataError, FormatError
from hermes_data.formats.common import UTF8_REPLACED, RowError
from hermes_data.formats.detect import FORMATS, detect, detect_format
from hermes_data.formats.hub import read_dataset
from hermes_data.formats.items import ReadItem, Unreadable
from hermes_data.formats.jsonrows import iter_json_rows
from hermes_data.formats.parquet import read_parquet
from hermes_data.formats.rows import convert_row
from hermes_data.formats.writers import WRITE_FORMATS, write_records
from hermes_data.io.compressed import COMPRESSED_SUFFIXES

__all__ = [
    "FORMATS",
    "WRITE_FORMATS",
    "ReadItem",
    "Unreadable",
    "detect_format",
    "read_records",
    "write_records",
]

_JSON_FILES = tuple(f"*{ext}{z}" for ext in (".json", ".jsonl", ".ndjson") for z in ("", *COMPRESSED_SUFFIXES))


def read_records(
    path: str,
    format: str | None = None,  # noqa: A002 - the CLI flag is --format
    *,
    source: str | None = None,
    config: str | None = None,
    revision: str | None = None,
    split: str = "train",
) -> Iterator[ReadItem]:
    """Records of `path` (a file, a folder or a Hub reference), with an `Unreadable` for each row that is not one.

    Missing inputs and unknown formats raise at once (DataError/FormatError); row problems never stop the reading.
    """
    fmt = format or detect(path)
    if fmt is None:  # an empty JSON file: nothing to read
        return iter(())
    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r}; accepted formats: {', '.join(FORMATS)}")
    if fmt == "hub":
        return read_dataset(path, source=source, config=config, revision=revision, split=split)
    if not os.path.exists(path):
        raise DataError(f"{path}: no such file or folder")
    if fmt == "parquet":
        return read_parquet(path, source=source)
    return _read_json_files(_json_files(path), fmt, source)


def _json_files(path: str) -> list[str]:
    if os.path.isfile(path):
        return [path]
    files = sorted(f for pattern in _JSON_FILES for f in glob.glob(os.path.join(glob.escape(path), pattern)))
    if not files:
        raise DataError(f"{path}: a folder without *.json/*.jsonl files")
    return files


def _read_json_files(files: list[str], fmt: str, source: str | None) -> Iterator[ReadItem]:
    for path in files:
        src = source or f"file:{path}"
        for item in iter_json_rows(path):
            if isinstance(item, Unreadable):
                yield item
                continue
            meta = {UTF8_REPLACED: True} if item.replaced else None
            try:
                yield convert_row(item.value, fmt, source=src, meta=meta)
            except (RowError, DataError) as exc:
                yield Unreadable(path, item.line, item.index, str(exc))
