"""Write a dataset folder atomically: a temporary sibling folder, shards fsynced, the marker (manifest) last, then
one rename over the output. Shared by build, pairs and generate.

Everything goes into a hidden sibling `.{name}.tmp-<random>` first; `manifest.json` is its last file, so a folder
without one is incomplete by definition. Then the temporary folder is renamed to the output. A rebuild renames the
old folder aside, renames the new one in and deletes the old: at no moment is there a folder under the output's name
that has a manifest but not all its files. On any exception the temporary folder is removed and the old output is
left as it was.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from hermes_data.dataset.manifest import (
    DATA_DIR,
    MANIFEST_NAME,
    REJECTED_DIR,
    ContentHasher,
    build_manifest,
    canonical_chunks,
    file_entry,
)
from hermes_data.errors import DataError
from hermes_data.io.arrow_buffers import own_buffers
from hermes_data.io.outputs import check_output_folder
from hermes_data.record import RECORD_SCHEMA

# The columns every rejected row carries after its own (the `detail` is a JSON string, hermes_data.stages).
REJECTED_COLUMNS = [("stage", pa.string()), ("reason", pa.string()), ("detail", pa.string())]
REJECTED_SCHEMA = pa.schema([*RECORD_SCHEMA, *REJECTED_COLUMNS])

# An engine's `map_ordered` (hermes_data.engine): fn over the items, results in input order.
MapOrdered = Callable[[Callable, Iterable], Iterator]


@contextmanager
def atomic_folder(output: str | Path) -> Iterator[Path]:
    """A temporary sibling of `output` to write into; when the block ends without error it replaces `output`.

    On any error the temporary folder is removed and an earlier `output` is left as it was, so a crash never leaves
    a folder that looks complete. Write the completion marker (the manifest) last inside the block.
    """
    output = Path(output)
    check_replaceable(check_output_folder(output))
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = make_sibling(output, "tmp")
    try:
        yield tmp
        fsync_dir(tmp)
        swap_in(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_dataset_folder(
    output: str | Path,
    *,
    kept: pa.Table,
    schema: pa.Schema,
    hasher: ContentHasher,
    rejected: list[tuple[pa.Table, pa.Schema, str]],
    render_card: Callable[[dict, str], str],
    recipe: dict,
    shard_rows: int,
    license: str,  # noqa: A002 - the Hub calls it license
    map_ordered: MapOrdered | None = None,
    **manifest_fields,
) -> dict:
    """Write a whole dataset folder at `output` (replacing an earlier one there) and return its manifest: the kept
    rows as `data/train-*` shards (hashed by `hasher`), each `(table, schema, pattern)` of `rejected` under
    `rejected/`, the card `render_card(manifest, license)` as README.md, and `manifest.json` last. Build and pairs
    folders are both written by it; `manifest_fields` go to `build_manifest` as they are."""
    if shard_rows <= 0:
        raise ValueError(f"shard_rows must be positive, got {shard_rows}")
    with atomic_folder(output) as tmp:
        sets = [ShardSet(kept, schema, DATA_DIR, "train-{i:05d}-of-{n:05d}", hasher)]
        sets += [ShardSet(table, table_schema, REJECTED_DIR, pattern) for table, table_schema, pattern in rejected]
        shards, *rejected_lists = write_shard_sets(tmp, sets, shard_rows, map_ordered)
        rejected_files = [entry for entries in rejected_lists for entry in entries]
        manifest = build_manifest(
            name=str(recipe.get("name") or Path(output).name),
            recipe=recipe,
            content_hash=hasher.hexdigest(),
            shards=shards,
            rejected=rejected_files,
            license=license,
            **manifest_fields,
        )
        write_text(tmp / "README.md", render_card(manifest, license))
        # Written last: its presence is what marks the folder complete.
        write_text(tmp / MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def check_replaceable(output: Path) -> None:
    """Refuse to replace anything but an earlier build (or an empty folder): a typo must never delete user files."""
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise DataError(f"output {output} exists and is not a folder; choose another output in the recipe")
    if output.is_dir() and any(output.iterdir()) and not (output / MANIFEST_NAME).is_file():
        raise DataError(
            f"output {output} is a folder that is not a hermes-data build (no {MANIFEST_NAME}); "
            "choose another output or remove the folder"
        )


def make_sibling(output: Path, kind: str) -> Path:
    """A fresh hidden folder next to the output (same filesystem, so the final rename is atomic)."""
    while True:
        path = output.with_name(f".{output.name}.{kind}-{secrets.token_hex(4)}")
        try:
            path.mkdir()  # honours the umask, unlike tempfile.mkdtemp's 0700
            return path
        except FileExistsError:
            continue


class DeferredRows(Protocol):
    """Rows a worker assembles itself (text_store.JoinedSlice): `load` is None where it cannot."""

    def load(self) -> pa.Table | None: ...


@dataclass(frozen=True)
class ShardJob:
    """One shard to encode: its rows, the schema it is written in, and the fields `content_sha256` hashes (none:
    a file outside the hashed content, such as rejected rows)."""

    rows: pa.Table | DeferredRows
    schema: pa.Schema
    fields: tuple[str, ...] | None


@dataclass(frozen=True)
class EncodedShard:
    parquet: pa.Buffer  # the file's bytes
    canonical: bytes  # what the content hash is fed for these rows, in order
    num_rows: int


def encode_shard(job: ShardJob) -> EncodedShard | None:
    """Cast, hash-encode and Parquet-encode one shard (on an engine's worker; the caller writes the bytes). None
    when the rows are deferred and cannot be loaded here (the caller encodes that shard itself)."""
    rows = job.rows if isinstance(job.rows, pa.Table) else job.rows.load()
    if rows is None:
        return None
    # One chunk per column: Parquet's pages (so the file's bytes) follow the chunks, which depend on how the rows were
    # read and filtered (pieces, batches); the same rows must give the same file whatever the engine.
    piece = rows.select(job.schema.names).cast(job.schema).combine_chunks()
    canonical = b"".join(canonical_chunks(piece, job.fields)) if job.fields is not None else b""
    sink = pa.BufferOutputStream()
    pq.write_table(piece, sink)
    return EncodedShard(sink.getvalue(), canonical, piece.num_rows)


@dataclass(frozen=True)
class ShardSet:
    """A table written as Parquet shards under `subdir`, named by `pattern` (`{i}`, `{n}`), hashed by `hasher`."""

    table: pa.Table
    schema: pa.Schema
    subdir: str
    pattern: str
    hasher: ContentHasher | None = None


def write_shards(
    folder: Path,
    table: pa.Table,
    shard_rows: int,
    schema: pa.Schema,
    subdir: str,
    pattern: str,
    hasher: ContentHasher | None = None,
    map_ordered: MapOrdered | None = None,
) -> list[dict]:
    """Slices of `table` as Parquet files (at least one, so an empty split still has its file); manifest entries.
    Several tables may share `subdir` (a pair folder's rejected pairs and rejected candidates) under other patterns."""
    return write_shard_sets(folder, [ShardSet(table, schema, subdir, pattern, hasher)], shard_rows, map_ordered)[0]


def write_shard_sets(
    folder: Path, sets: list[ShardSet], shard_rows: int, map_ordered: MapOrdered | None = None
) -> list[list[dict]]:
    """`write_shards` for several tables, one list of manifest entries each.

    `map_ordered` (an engine's, hermes_data.engine) encodes the shards on its workers, a few in flight: casting,
    the rows' canonical JSON for the content hash and Parquet's encoding and compression are the write's CPU work.
    All the sets' shards form one stream of jobs, so a table of one shard (the rejected rows, often) still goes to a
    worker. This process feeds each hash in shard order and writes each file's bytes, so the output is the same
    bytes with or without workers and needs no storage the workers share."""
    jobs: list[tuple[int, str, ShardJob]] = []
    for k, shard_set in enumerate(sets):
        (folder / shard_set.subdir).mkdir(exist_ok=True)
        table, hasher = shard_set.table, shard_set.hasher
        num = max(1, -(-table.num_rows // shard_rows))
        fields = tuple(hasher.fields) if hasher is not None else None
        for i in range(num):
            # Slices are views (a build's are joined with their text only where they are encoded, text_store.Joined):
            # memory holds the shards in flight beyond the input.
            relative = f"{shard_set.subdir}/{shard_set.pattern.format(i=i, n=num)}.parquet"
            jobs.append((k, relative, ShardJob(table.slice(i * shard_rows, shard_rows), shard_set.schema, fields)))
    blind = []  # set once a worker could not load deferred rows (another node than the spill file's)

    def submitted() -> Iterator[ShardJob]:
        for _, _, job in jobs:
            if blind and not isinstance(job.rows, pa.Table):
                # Loaded here, as the jobs are taken: memory holds the shards in flight, not every shard.
                job = ShardJob(own_buffers(job.rows.load()), job.schema, job.fields)
            yield job

    encoded = map_ordered(encode_shard, submitted()) if map_ordered is not None else map(encode_shard, submitted())
    entries: list[list[dict]] = [[] for _ in sets]
    for (k, relative, job), shard in zip(jobs, encoded, strict=True):
        if shard is None:  # that worker does not see the rows' text: encode this one here, send the next ones whole
            blind.append(relative)
            shard = encode_shard(job)
        if sets[k].hasher is not None:
            sets[k].hasher.update_canonical(shard.canonical, shard.num_rows)
        with open(folder / relative, "wb") as fh:
            fh.write(shard.parquet)
            fh.flush()
            os.fsync(fh.fileno())
        entries[k].append(file_entry(folder, relative, shard.num_rows))
    for subdir in {shard_set.subdir for shard_set in sets}:
        fsync_dir(folder / subdir)
    return entries


def write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def fsync_dir(path: Path) -> None:
    """Persist a folder's entries (new files, renames) so a power loss cannot undo the order we wrote them in."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def swap_in(tmp: Path, output: Path) -> None:
    """Rename the finished folder to `output`; an earlier build there is moved aside first, then deleted."""
    if not output.exists():
        os.replace(tmp, output)
        fsync_dir(output.parent)
        return
    backup = make_sibling(output, "old")
    os.replace(output, backup)  # replaces the empty placeholder folder `make_sibling` created
    try:
        os.replace(tmp, output)
    except BaseException:
        os.replace(backup, output)
        raise
    fsync_dir(output.parent)
    shutil.rmtree(backup, ignore_errors=True)
