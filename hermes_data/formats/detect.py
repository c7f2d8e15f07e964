"""Which reader a path needs, from its extension and the keys of its first rows.

conversations -> sharegpt, messages -> openai, instruction+output -> alpaca, .parquet -> parquet, a folder saved by
`datasets` (or a folder of data files) or a Hub reference -> hub. Anything else is a FormatError that lists the
accepted formats and the `--format` flag.
"""

from __future__ import annotations

import os
import re

from hermes_data.errors import DataError, FormatError
from hermes_data.formats.alpaca import ANSWER_KEYS, INSTRUCTION_KEYS
from hermes_data.formats.column_map import ColumnMap
from hermes_data.formats.common import RowError
from hermes_data.formats.hub import _HUB_PREFIXES, SAVED_MARKERS
from hermes_data.formats.items import Unreadable
from hermes_data.formats.jsonrows import iter_json_rows
from hermes_data.formats.rows import shapes_of
from hermes_data.io.user_files import is_lfs_pointer, lfs_pointer_message

FORMATS = ("sharegpt", "openai", "alpaca", "transcript", "parquet", "hub")

# What each layout needs, for the error that says why none matched.
LOOKED_FOR = (
    f"looked for sharegpt: conversations; openai: messages; alpaca: one of {'/'.join(INSTRUCTION_KEYS)} with one of "
    f"{'/'.join(ANSWER_KEYS)}; transcript: chosen/text opening with 'Human:'; "
    "map other columns with `columns:` in a recipe source or --columns"
)
_SNIFF_ROWS = 20  # rows looked at before giving up on a file whose first rows are all malformed
_DATA_FILES = (".json", ".jsonl", ".ndjson", ".csv", ".parquet", ".arrow", ".txt")
_HUB_NAME = re.compile(r"[\w.-]+/[\w.-]+(@[\w./-]+)?")


def _is_lfs_pointer(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return is_lfs_pointer(fh.read(128))
    except OSError:
        return False


def _unknown(path: str, why: str) -> FormatError:
    if _is_lfs_pointer(path):  # a file inside a folder, which check_data_input did not open
        return FormatError(lfs_pointer_message(path))
    return FormatError(
        f"{path}: cannot tell the input format ({why}); accepted formats: {', '.join(FORMATS)}; name one with --format"
    )


def looks_like_hub(path: str) -> bool:
    """A Hub reference rather than a local path (DESIGN §7: a path that exists or starts with ./ ../ / is local)."""
    if path.startswith(_HUB_PREFIXES):
        return True
    if os.path.exists(path) or path.startswith(("./", "../", "/", "~")):
        return False
    name = path.split("@", 1)[0]
    return bool(_HUB_NAME.fullmatch(path)) and not name.lower().endswith(_DATA_FILES)


def sniff_format(path: str, columns: ColumnMap | None = None) -> str | None:
    """The format of a JSON/JSONL file from its first readable row (under the column map, when one is given); None
    for a file with no rows."""
    seen = 0
    for item in iter_json_rows(path):
        seen += 1
        if isinstance(item, Unreadable) or not isinstance(item.value, dict):
            if seen >= _SNIFF_ROWS:
                break
            continue
        try:
            row = columns.apply(item.value) if columns else item.value
        except RowError as exc:
            raise _unknown(path, f"row at line {item.line}: {exc}") from None
        shapes = shapes_of(row)
        if shapes == ["record"]:
            return "openai"  # record rows carry `messages`; the converters take them as records
        if len(shapes) > 1:
            raise _unknown(path, f"row at line {item.line} has keys of several formats: {', '.join(shapes)}")
        if not shapes:
            keys = ", ".join(sorted(row)[:8])
            raise _unknown(path, f"row at line {item.line} has keys {keys}; {LOOKED_FOR}")
        return shapes[0]
    if seen:
        raise _unknown(path, f"none of its first {seen} rows is a JSON object")
    return None


def _folder_format(path: str) -> str:
    names = os.listdir(path)
    # A clone without `git lfs` holds pointers in place of every data file; say so before any loader trips on them.
    pointers = [n for n in sorted(names) if n.lower().endswith(_DATA_FILES) and _is_lfs_pointer(os.path.join(path, n))]
    if pointers:
        raise FormatError(lfs_pointer_message(os.path.join(path, pointers[0])))
    if any(m in names for m in SAVED_MARKERS):
        return "hub"
    if any(n.endswith(".parquet") for n in names) or os.path.isdir(os.path.join(path, "data")):
        return "parquet"
    if any(n.lower().endswith(_DATA_FILES) for n in names):
        return "hub"
    raise _unknown(path, "a folder with neither a saved dataset nor data files")


def detect(path: str, columns: ColumnMap | None = None) -> str | None:
    """Like `detect_format`, but None for an empty JSON file (which reads as zero rows, not as an error)."""
    if looks_like_hub(path):
        return "hub"
    if os.path.isdir(path):
        return _folder_format(path)
    if not os.path.exists(path):
        raise DataError(f"{path}: no such file or folder")
    if path.lower().endswith(".parquet"):
        return "parquet"
    return sniff_format(path, columns)


def detect_format(path: str) -> str:
    """The format name (one of FORMATS) for `path`; FormatError when it is ambiguous or unknown."""
    fmt = detect(path)
    if fmt is None:
        raise _unknown(path, "the file has no rows")
    return fmt
