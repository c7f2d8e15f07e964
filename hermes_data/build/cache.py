"""Reuse the curated table (after filters and dedup) when only `mixture:` changed.

The key hashes everything the curated rows depend on: the source specs and the bytes of local inputs, repair,
filters, dedup, tokenizer and the package's code (every `hermes_data` source file, not only its version number: a
fixed filter or a changed table layout between two commits of one version must not reuse stale rows). Entries are
written to a temporary folder and renamed, so a crash never leaves an entry that looks complete.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import hermes_data
from hermes_data.build.text_store import TextStore
from hermes_data.cache import cache_root

STATE = "state.json"
TEXT = "text.arrow"  # the rows' text (hermes_data.build.text_store)


def curated_key(recipe_sections: dict, source_fingerprints: list[str]) -> str:
    blob = json.dumps(
        {
            "recipe": recipe_sections,
            "inputs": source_fingerprints,
            "version": hermes_data.__version__,
            "code": code_fingerprint(),
        },  # fmt: skip
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


@functools.cache
def code_fingerprint() -> str:
    """Hash of the package's Python sources (read once per process; ~100 small files)."""
    root = Path(hermes_data.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def entry_dir(key: str) -> Path:
    return cache_root() / "builds" / key


def load(key: str) -> tuple[pa.Table, pa.Table, TextStore, dict] | None:
    """The compact curated and rejected rows, their text (a store over the entry's file) and the state."""
    folder = entry_dir(key)
    if not (folder / STATE).is_file():
        return None
    try:
        state = json.loads((folder / STATE).read_text())
        text = TextStore.open(folder / TEXT, state.pop("text_starts"))
        return pq.read_table(folder / "curated.parquet"), pq.read_table(folder / "rejected.parquet"), text, state
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None  # an unreadable entry is a miss: the build recomputes and overwrites it


def save(key: str, curated: pa.Table, rejected: pa.Table, text: TextStore, state: dict) -> None:
    """Store the compact rows and move the text's spill file into the entry (`text` keeps reading it there)."""
    folder = entry_dir(key)
    tmp = folder.with_name(f".{folder.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir(parents=True)
    try:
        pq.write_table(curated, tmp / "curated.parquet")
        pq.write_table(rejected, tmp / "rejected.parquet")
        state = {**state, "text_starts": text.persist(tmp / TEXT)}
        (tmp / STATE).write_text(json.dumps(state))  # last: marks the entry complete
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)
        text.moved(folder / TEXT)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
