"""Read preference pairs from JSON/JSONL files, Parquet files and `datasets` datasets (folders or the Hub).

`read_pairs(path)` yields pair dicts (`convert.pair_row_to_pair`) and, for rows that cannot become one, `Unreadable`
items naming file:line (or row index) and why, so callers count them and keep going. The container is detected from
the path (`pair_format`); the row layout from each row's keys (convert.py), so one file may mix layouts.
`input_kind` tells pair files from candidate files (records to pair) for a recipe source without `kind`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from hermes_data.errors import DataError, FormatError
from hermes_data.formats.column_map import ColumnMap
from hermes_data.formats.common import RowError
from hermes_data.formats.detect import looks_like_hub
from hermes_data.formats.hub import SAVED_MARKERS, load_split
from hermes_data.formats.items import Unreadable
from hermes_data.formats.jsonrows import iter_json_rows, json_files
from hermes_data.formats.parquet import parquet_files
from hermes_data.formats.rows import shapes_of
from hermes_data.io.user_files import unreadable_parquet
from hermes_data.pairs.convert import is_pair_row, pair_row_to_pair

PAIR_FORMATS = ("json", "parquet", "hub")
_BATCH_ROWS = 1024
_SNIFF_ROWS = 20
LAYOUTS = (
    "prompt/chosen/rejected (TRL), chosen/rejected whole conversations (TRL implicit prompt), "
    "conversations + chosen/rejected (ShareGPT), system/question/chosen/rejected (Orca)"
)


def pair_format(path: str) -> str:
    """The container of `path`: `json` (JSON/JSONL files), `parquet` or `hub` (a saved dataset or a Hub name)."""
    if looks_like_hub(path):
        return "hub"
    if not os.path.exists(path):
        raise DataError(f"{path}: no such file or folder")
    if os.path.isfile(path):
        return "parquet" if path.lower().endswith(".parquet") else "json"
    names = os.listdir(path)
    if any(marker in names for marker in SAVED_MARKERS):
        return "hub"
    if any(n.endswith(".parquet") for n in names) or os.path.isdir(os.path.join(path, "data")):
        return "parquet"
    if any(n.lower().endswith((".json", ".jsonl", ".ndjson")) for n in names):
        return "json"
    raise FormatError(f"{path}: a folder with neither a saved dataset nor JSON/Parquet files; give a file")


def read_pairs(
    path: str,
    format: str | None = None,  # noqa: A002 - like formats.read_records
    *,
    source: str | None = None,
    config: str | None = None,
    revision: str | None = None,
    split: str = "train",
    columns: ColumnMap | None = None,
) -> Iterator[dict[str, Any] | Unreadable]:
    """Pairs of `path`, with an `Unreadable` for each row that is not a pair; missing inputs raise at once.
    `columns` renames each row's columns first (`formats/column_map.py`: e.g. `prompt` from `question`)."""
    fmt = format or pair_format(path)
    if fmt not in PAIR_FORMATS:
        raise FormatError(f"unknown pair container {fmt!r}; accepted: {', '.join(PAIR_FORMATS)}")
    for where, line, index, row, default_source in _raw_rows(path, fmt, config=config, revision=revision, split=split):
        if isinstance(row, Unreadable):
            yield row
            continue
        try:
            yield pair_row_to_pair(columns.apply(row) if columns else row, source=source or default_source)
        except (RowError, DataError) as exc:
            yield Unreadable(where, line, index, str(exc))


def _raw_rows(path: str, fmt: str, **hub: Any) -> Iterator[tuple[str, int | None, int, Any, str]]:
    """(file, line, index, row or Unreadable, default source) for every row of the input."""
    if fmt == "hub":
        ds, default_source = load_split(path, **hub)
        for index, row in enumerate(ds):
            yield path, None, index, row, default_source
        return
    if fmt == "parquet":
        for file in parquet_files(path):
            index = 0
            for batch in _parquet(file).iter_batches(batch_size=_BATCH_ROWS):
                for row in batch.to_pylist():
                    yield file, None, index, row, f"file:{file}"
                    index += 1
        return
    for file in json_files(path):
        for item in iter_json_rows(file):
            if isinstance(item, Unreadable):
                yield file, item.line, item.index, item, ""
            else:
                yield file, item.line, item.index, item.value, f"file:{file}"


def _parquet(file: str):
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(file)
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError variants for truncated or foreign files
        raise unreadable_parquet(file, exc) from None


def input_keys(path: str, fmt: str | None = None, *, config: str | None = None, split: str = "train") -> list[str]:
    """Column names of a dataset or Parquet file, or the keys of a JSON file's first object row ([] when empty)."""
    fmt = fmt or pair_format(path)
    if fmt == "hub":
        return list(load_split(path, config=config, revision=None, split=split)[0].column_names)
    if fmt == "parquet":
        return list(_parquet(parquet_files(path)[0]).schema_arrow.names)
    seen = 0
    for file in json_files(path):
        for item in iter_json_rows(file):
            seen += 1
            if not isinstance(item, Unreadable) and isinstance(item.value, dict):
                return list(item.value)
            if seen >= _SNIFF_ROWS:
                return []
    return []


def input_kind(path: str, fmt: str | None = None, **kwargs: Any) -> str:
    """`pairs` (rows with chosen/rejected) or `candidates` (conversation records); FormatError for anything else."""
    keys = input_keys(path, fmt, **kwargs)
    if is_pair_row(keys):
        return "pairs"
    if shapes_of(keys):
        return "candidates"
    shown = ", ".join(sorted(keys)[:8]) or "no rows"
    raise FormatError(
        f"{path}: cannot tell pairs from candidates (keys: {shown}); pair layouts: {LAYOUTS}; candidates are "
        "conversation records (messages/conversations) as `hermes-data generate` writes them; set `kind` in the source"
    )
