"""Reuse the curated table (after filters and dedup) when only `mixture:` changed.

The key hashes everything the curated rows depend on: the source specs and the bytes of local inputs, repair,
filters, dedup, tokenizer and the package version. Entries are written to a temporary folder and renamed, so a
crash never leaves an entry that looks complete.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import hermes_data
from hermes_data.cache import cache_root

STATE = "state.json"


def curated_key(recipe_sections: dict, source_fingerprints: list[str]) -> str:
    blob = json.dumps(
        {"recipe": recipe_sections, "inputs": source_fingerprints, "version": hermes_data.__version__},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def entry_dir(key: str) -> Path:
    return cache_root() / "builds" / key


def load(key: str) -> tuple[pa.Table, pa.Table, dict] | None:
    folder = entry_dir(key)
    if not (folder / STATE).is_file():
        return None
    state = json.loads((folder / STATE).read_text())
    return pq.read_table(folder / "curated.parquet"), pq.read_table(folder / "rejected.parquet"), state


def save(key: str, curated: pa.Table, rejected: pa.Table, state: dict) -> None:
    folder = entry_dir(key)
    tmp = folder.with_name(f".{folder.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir(parents=True)
    try:
        pq.write_table(curated, tmp / "curated.parquet")
        pq.write_table(rejected, tmp / "rejected.parquet")
        (tmp / STATE).write_text(json.dumps(state))  # last: marks the entry complete
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
