"""Export pairs to TRL's conversational preference layout: `prompt`, `chosen`, `rejected` as lists of
`{"role", "content"}` (what `trl.DPOTrainer` takes, with the chat template applied by the trainer).

The identity columns (`id`, `category`, `source`, `meta`) are kept by default, so an export reads back as the same
pairs (`read_pairs`); `identity=False` writes the three TRL columns only. Files are written atomically.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from hermes_data.errors import DataError
from hermes_data.pairs.record import PAIR_FIELDS, PAIR_SCHEMA

TRL_COLUMNS = ("prompt", "chosen", "rejected")
EXPORT_FORMATS = ("jsonl", "parquet")


def pair_to_trl(pair: dict[str, Any], *, identity: bool = True) -> dict[str, Any]:
    """One pair as a TRL conversational row."""
    keys = PAIR_FIELDS if identity else TRL_COLUMNS
    return {k: [dict(m) for m in pair[k]] if k in TRL_COLUMNS else pair.get(k) for k in keys}


def write_trl(
    pairs: Iterable[dict[str, Any]],
    path: str | Path,
    *,
    format: str | None = None,  # noqa: A002 - like the CLI flags
    identity: bool = True,
) -> int:
    """Write pairs as TRL rows to a `.jsonl` or `.parquet` file (format from the extension); returns the row count."""
    path = Path(path)
    fmt = format or {".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet"}.get(path.suffix.lower())
    if fmt not in EXPORT_FORMATS:
        raise DataError(f"{path}: cannot tell the export format; use .jsonl or .parquet, or pass format=")
    rows = [pair_to_trl(p, identity=identity) for p in pairs]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{secrets.token_hex(4)}")
    try:
        if fmt == "jsonl":
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        else:
            schema = PAIR_SCHEMA if identity else pa.schema([PAIR_SCHEMA.field(c) for c in TRL_COLUMNS])
            pq.write_table(pa.Table.from_pylist(rows, schema=schema), tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return len(rows)
