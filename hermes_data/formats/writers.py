"""Atomic writers: canonical Parquet, OpenAI chat JSONL and ShareGPT JSONL.

Output appears under its final name only when complete (STYLE §5): rows go to a temporary file in the same folder,
which then replaces the target with `os.replace` (atomic on one filesystem).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

import pyarrow.parquet as pq

from hermes_data.errors import DataError
from hermes_data.formats.items import Unreadable
from hermes_data.formats.openai_writer import record_to_openai
from hermes_data.formats.sharegpt import record_to_sharegpt
from hermes_data.record import RECORD_SCHEMA, records_to_table

WRITE_FORMATS = ("parquet", "openai", "sharegpt")
_BATCH = 1000  # records per Parquet row group write: bounded memory for any input size


@contextlib.contextmanager
def atomic_output(path: str) -> Iterator[str]:
    """A temporary path next to `path` that becomes `path` when the block ends without an exception."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the output is an ordinary data file
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _records_only(records: Iterable[Any]) -> Iterator[dict[str, Any]]:
    for record in records:
        if isinstance(record, Unreadable):
            # Writing past an unreadable row would silently shrink the output; the caller decides what to report.
            raise DataError(f"{record}: write_records got an Unreadable item; filter them out (and report them) first")
        yield record


def write_parquet(records: Iterable[dict[str, Any]], path: str) -> int:
    """Records to one canonical Parquet file (RECORD_SCHEMA)."""
    count = 0
    rows = _records_only(records)
    with atomic_output(path) as tmp, pq.ParquetWriter(tmp, RECORD_SCHEMA) as writer:
        while batch := list(islice(rows, _BATCH)):
            writer.write_table(records_to_table(batch))
            count += len(batch)
    return count


def write_jsonl(records: Iterable[dict[str, Any]], path: str, to_row: Callable[[dict], dict]) -> int:
    """Records to JSON Lines through `to_row` (UTF-8, non-ASCII kept as is)."""
    count = 0
    with atomic_output(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        for record in _records_only(records):
            f.write(json.dumps(to_row(record), ensure_ascii=False) + "\n")
            count += 1
    return count


def write_records(records: Iterable[dict[str, Any]], path: str, to: str) -> int:
    """Write records as `to` (parquet, openai or sharegpt) to `path` atomically; returns the number of rows."""
    if to == "parquet":
        return write_parquet(records, path)
    if to == "openai":
        return write_jsonl(records, path, record_to_openai)
    if to == "sharegpt":
        return write_jsonl(records, path, record_to_sharegpt)
    raise DataError(f"cannot write format {to!r}; choose one of {', '.join(WRITE_FORMATS)}")
