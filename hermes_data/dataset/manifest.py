"""The manifest of a build folder: content hash over the rows, file hashes of the shards, and re-verification.

`content_sha256` (DESIGN §7) identifies the data, not the files: one sha256 fed, for every record in output order,
with `canonical_json(record)` encoded as UTF-8 followed by one newline. It is the same whatever the Parquet writer's
version, compression or shard size, so a re-sharded or re-encoded copy keeps its identity. Each shard's file hash is
recorded beside it for transport checks. `verify_folder` recomputes both; publish and load reuse it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.parquet as pq

from hermes_data import __version__
from hermes_data.record import FIELDS, canonical_bytes

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATA_DIR = "data"
REJECTED_DIR = "rejected"
# Rows per batch when re-reading shards: bounded memory on folders of any size.
READ_BATCH_ROWS = 10_000


def row_fields(manifest: dict) -> tuple[str, ...]:
    """The columns `content_sha256` covers: the record's, or those the manifest names (a pair folder's
    `row_fields`, hermes_data.pairs)."""
    return tuple(manifest.get("row_fields") or FIELDS)


_HASH_ROWS = 2048


def canonical_chunks(rows: pa.Table | pa.RecordBatch, fields: Sequence[str] = FIELDS) -> Iterable[bytes]:
    """What `content_sha256` hashes for `rows`, a few thousand rows at a time: each record's canonical JSON and a
    newline. A few thousand rows as Python objects at a time, because a whole shard's conversations as dicts cost
    several times the shard's Arrow bytes (measured: +0.3 GiB per 50k-row shard in benchmarks/build_scale.py)."""
    rows = rows.select(list(fields))
    for start in range(0, rows.num_rows, _HASH_ROWS):
        yield b"".join(canonical_bytes(record, fields) + b"\n" for record in rows.slice(start, _HASH_ROWS).to_pylist())


class ContentHasher:
    """Incremental `content_sha256`: feed tables or record batches in output order."""

    def __init__(self, fields: Sequence[str] = FIELDS) -> None:
        self._digest = hashlib.sha256()
        self.fields = list(fields)
        self.num_rows = 0

    def update(self, rows: pa.Table | pa.RecordBatch) -> None:
        for chunk in canonical_chunks(rows, self.fields):
            self._digest.update(chunk)
        self.num_rows += rows.num_rows

    def update_canonical(self, data: bytes, num_rows: int) -> None:
        """Feed rows already turned into their hashed bytes (`canonical_chunks`, e.g. by a worker process)."""
        self._digest.update(data)
        self.num_rows += num_rows

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def content_sha256(tables: pa.Table | pa.RecordBatch | Iterable[pa.Table | pa.RecordBatch]) -> str:
    """`content_sha256` of the rows of one table (e.g. a loaded `datasets.Dataset`'s Arrow table) or several."""
    hasher = ContentHasher()
    for table in [tables] if isinstance(tables, (pa.Table, pa.RecordBatch)) else tables:
        hasher.update(table)
    return hasher.hexdigest()


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_entry(folder: Path, relative: str, rows: int) -> dict:
    """A manifest entry for a written file: its path inside the folder, rows, byte hash and size."""
    path = folder / relative
    return {"path": relative, "rows": rows, "sha256": file_sha256(path), "bytes": path.stat().st_size}


def build_manifest(
    *,
    name: str,
    recipe: dict,
    recipe_sha256: str,
    content_hash: str,
    shards: list[dict],
    rejected: list[dict],
    sources: list[dict],
    categories: dict[str, dict],
    funnel: list[dict],
    totals: dict,
    license: str,  # noqa: A002 - the Hub calls it license
    extra: dict | None = None,
) -> dict:
    """Assemble the manifest; everything but `created_at` is a function of the inputs."""
    manifest = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "content_sha256": content_hash,
        "recipe_sha256": recipe_sha256,
        "license": license,
        "stats": {"totals": dict(totals), "categories": {slug: dict(c) for slug, c in categories.items()}},
        "funnel": [dict(entry) for entry in funnel],
        "sources": [dict(source) for source in sources],
        "shards": shards,
        "rejected": rejected,
        "recipe": recipe,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "hermes_toolkit_version": __version__,
    }
    clash = sorted(set(extra or {}) & set(manifest))
    if clash:
        raise ValueError(f"extra manifest keys {clash} would overwrite the manifest's own fields")
    return {**manifest, **(extra or {})}


def read_manifest(folder: str | Path) -> dict:
    """The folder's manifest; `FileNotFoundError` when absent (an incomplete or foreign folder)."""
    return json.loads((Path(folder) / MANIFEST_NAME).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------------------------
# Verification


def verify_folder(folder: str | Path, *, check_content: bool = True) -> list[str]:
    """Re-hash a build folder against its manifest; human-readable problems, empty when everything matches.

    Checks every shard and rejected file (present, byte hash, row count), Parquet files under `data/` that the
    manifest does not list (the loader's glob would pick them up), and, with `check_content`, `content_sha256`
    recomputed from the shards' rows.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return [f"{folder} is not a folder"]
    try:
        manifest = read_manifest(folder)
    except FileNotFoundError:
        return [f"{folder / MANIFEST_NAME} is missing: the folder is incomplete or not a hermes-data build"]
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return [f"{folder / MANIFEST_NAME} is not valid JSON ({exc}); rebuild the folder"]
    problems = _manifest_shape(manifest)
    if problems:
        return problems
    for entry in [*manifest["shards"], *manifest["rejected"]]:
        problems += _check_file(folder, entry)
    listed = {entry["path"] for entry in manifest["shards"]}
    for path in sorted((folder / DATA_DIR).glob("**/*.parquet")):
        relative = path.relative_to(folder).as_posix()
        if relative not in listed:
            problems.append(f"{relative} is not listed in the manifest; remove it or rebuild")
    if check_content and not problems:
        problems += _check_content(folder, manifest)
    return problems


def _manifest_shape(manifest: object) -> list[str]:
    if not isinstance(manifest, dict):
        return ["manifest.json is not a JSON object; rebuild the folder"]
    missing = [k for k in ("format_version", "content_sha256", "shards", "rejected") if k not in manifest]
    if missing:
        return [f"manifest.json lacks {', '.join(missing)}; rebuild the folder"]
    if manifest["format_version"] > FORMAT_VERSION:
        return [f"manifest.json has format_version {manifest['format_version']}; upgrade hermes-toolkit to read it"]
    problems = []
    for entry in [*manifest["shards"], *manifest["rejected"]]:
        path = PurePosixPath(str(entry.get("path", "")))
        # The manifest may come from elsewhere (the Hub, a store): never follow it outside the folder.
        if path.is_absolute() or ".." in path.parts or path.parts[:1] not in ((DATA_DIR,), (REJECTED_DIR,)):
            problems.append(f"manifest.json lists {str(path)!r}, which is not a file under data/ or rejected/")
    return problems


def _check_file(folder: Path, entry: dict) -> list[str]:
    path = folder / entry["path"]
    if not path.is_file():
        return [f"{entry['path']} is missing (listed in manifest.json)"]
    actual = file_sha256(path)
    if actual != entry.get("sha256"):
        return [
            f"{entry['path']}: sha256 {actual[:16]}… does not match the manifest's {str(entry.get('sha256'))[:16]}…"
        ]
    try:
        rows = pq.ParquetFile(path).metadata.num_rows
    except (pa.ArrowException, OSError) as exc:
        return [f"{entry['path']} is not a readable Parquet file: {exc}"]
    if rows != entry.get("rows"):
        return [f"{entry['path']} has {rows} rows; the manifest says {entry.get('rows')}"]
    return []


def _check_content(folder: Path, manifest: dict) -> list[str]:
    fields = row_fields(manifest)
    hasher = ContentHasher(fields)
    for entry in manifest["shards"]:
        try:
            for batch in pq.ParquetFile(folder / entry["path"]).iter_batches(READ_BATCH_ROWS, columns=list(fields)):
                hasher.update(batch)
        except (pa.ArrowException, OSError, KeyError) as exc:
            return [f"{entry['path']} cannot be read as records: {exc}"]
    if hasher.hexdigest() != manifest["content_sha256"]:
        return [
            f"content_sha256 of the rows is {hasher.hexdigest()[:16]}…, the manifest says "
            f"{str(manifest['content_sha256'])[:16]}…: the data was changed after the build"
        ]
    return []
