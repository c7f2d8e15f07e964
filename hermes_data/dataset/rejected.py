"""Read a dataset folder's rejected rows back for auditing, each with the row kept in its place when there is one.

A duplicate's `detail` names the kept row's id (`kept_id`); the kept row is looked up among the folder's data shards
first, then among its other rejected rows (a kept row may have been left out later, e.g. by the mixture's budget).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hermes_data.dataset.manifest import MANIFEST_NAME, read_manifest
from hermes_data.errors import DataError


@dataclass
class RejectedRow:
    row: dict  # the rejected row, with its `stage`, `reason` and `detail`
    detail: dict  # `detail` parsed ({} when the stage recorded none)
    kept: dict | None  # the row kept in its place (duplicates), None otherwise or when it cannot be found


def _tables(folder: Path, entries: list[dict]) -> pa.Table | None:
    tables = [pq.read_table(folder / e["path"]) for e in entries if e.get("rows")]
    return pa.concat_tables(tables, promote_options="permissive") if tables else None


def read_rejected(
    folder: str | Path, *, stage: str | None = None, reason: str | None = None, limit: int | None = None
) -> list[RejectedRow]:
    """Rejected rows of `folder` (filtered by `stage` / `reason`, at most `limit`), in the order they were written."""
    folder = Path(folder)
    try:
        manifest = read_manifest(folder)
    except FileNotFoundError:
        raise DataError(f"{folder / MANIFEST_NAME} is missing: give a folder written by hermes-data") from None
    except (json.JSONDecodeError, UnicodeDecodeError, IsADirectoryError, NotADirectoryError):
        raise DataError(f"{folder / MANIFEST_NAME} is not a readable manifest; rebuild the folder") from None
    rejected = _tables(folder, manifest.get("rejected", []))
    if rejected is None:
        return []
    mask = None
    for column, value in (("stage", stage), ("reason", reason)):
        if value is not None:
            m = pc.equal(rejected.column(column), value)
            mask = m if mask is None else pc.and_(mask, m)
    chosen = rejected.filter(mask) if mask is not None else rejected
    if limit is not None:
        chosen = chosen.slice(0, limit)
    rows = chosen.to_pylist()
    details = [_parse(r.get("detail")) for r in rows]
    wanted = {d["kept_id"] for d in details if isinstance(d.get("kept_id"), str)}
    kept = _rows_by_id(folder, manifest, rejected, wanted) if wanted else {}
    return [RejectedRow(r, d, kept.get(d.get("kept_id"))) for r, d in zip(rows, details, strict=True)]


def _parse(detail: str | None) -> dict:
    if not detail:
        return {}
    try:
        value = json.loads(detail)
    except json.JSONDecodeError:
        return {"text": detail}
    return value if isinstance(value, dict) else {"value": value}


def _rows_by_id(folder: Path, manifest: dict, rejected: pa.Table, ids: set[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    data = _tables(folder, manifest.get("shards", []))
    for table in (data, rejected):
        if table is None or "id" not in table.column_names:
            continue
        hits = table.filter(pc.is_in(table.column("id"), pa.array(sorted(ids), pa.string())))
        for row in hits.to_pylist():
            found.setdefault(row["id"], row)
    return found
