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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from hermes_data.dataset.manifest import (
    DATA_DIR,
    MANIFEST_NAME,
    REJECTED_DIR,
    ContentHasher,
    build_manifest,
    file_entry,
)
from hermes_data.errors import DataError
from hermes_data.io.outputs import check_output_folder
from hermes_data.record import RECORD_SCHEMA

# The columns every rejected row carries after its own (the `detail` is a JSON string, hermes_data.stages).
REJECTED_COLUMNS = [("stage", pa.string()), ("reason", pa.string()), ("detail", pa.string())]
REJECTED_SCHEMA = pa.schema([*RECORD_SCHEMA, *REJECTED_COLUMNS])


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
    **manifest_fields,
) -> dict:
    """Write a whole dataset folder at `output` (replacing an earlier one there) and return its manifest: the kept
    rows as `data/train-*` shards (hashed by `hasher`), each `(table, schema, pattern)` of `rejected` under
    `rejected/`, the card `render_card(manifest, license)` as README.md, and `manifest.json` last. Build and pairs
    folders are both written by it; `manifest_fields` go to `build_manifest` as they are."""
    if shard_rows <= 0:
        raise ValueError(f"shard_rows must be positive, got {shard_rows}")
    with atomic_folder(output) as tmp:
        shards = write_shards(tmp, kept, shard_rows, schema, DATA_DIR, "train-{i:05d}-of-{n:05d}", hasher)
        rejected_files = [
            entry
            for table, table_schema, pattern in rejected
            for entry in write_shards(tmp, table, shard_rows, table_schema, REJECTED_DIR, pattern)
        ]
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


def write_shards(
    folder: Path,
    table: pa.Table,
    shard_rows: int,
    schema: pa.Schema,
    subdir: str,
    pattern: str,
    hasher: ContentHasher | None = None,
) -> list[dict]:
    """Slices of `table` as Parquet files (at least one, so an empty split still has its file); manifest entries.
    Several tables may share `subdir` (a pair folder's rejected pairs and rejected candidates) under other patterns."""
    (folder / subdir).mkdir(exist_ok=True)
    num = max(1, -(-table.num_rows // shard_rows))
    entries = []
    for i in range(num):
        # Cast per slice, not the whole table up front: memory stays at one shard beyond the input.
        piece = table.slice(i * shard_rows, shard_rows).select(schema.names).cast(schema)
        if hasher is not None:
            hasher.update(piece)
        relative = f"{subdir}/{pattern.format(i=i, n=num)}.parquet"
        with open(folder / relative, "wb") as fh:
            pq.write_table(piece, fh)
            fh.flush()
            os.fsync(fh.fileno())
        entries.append(file_entry(folder, relative, piece.num_rows))
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
