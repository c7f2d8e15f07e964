"""Check an output location before anything is read or written.

The checks create nothing: a command runs them first, reads its inputs, and only then makes folders and writes. Each
failure is one DataError naming the location and what to do: an existing folder where a file goes (or a file where
a folder goes), a location under a plain file, a read-only or unwritable folder, an output that is one of the inputs.
A missing parent is not an error: the command creates it once its inputs have been read.
"""

from __future__ import annotations

import os
from pathlib import Path

from hermes_data.errors import DataError


def check_output_file(path: str | Path, *, what: str = "output", inputs: list[str] | tuple[str, ...] = ()) -> Path:
    """`path` can become a file: not a folder, not one of `inputs`, and its folder (or the nearest one that
    exists) is writable."""
    path = Path(path)
    if path.is_dir():
        raise DataError(f"{what} {path} is a folder; give a file name inside it, e.g. {path / 'out.jsonl'}")
    for source in inputs:
        if path.exists() and Path(source).exists() and _same(path, Path(source)):
            raise DataError(f"{what} {path} is also an input; write to another file (the input would be lost)")
    _check_writable_parent(path, what)
    return path


def check_output_folder(path: str | Path, *, what: str = "output") -> Path:
    """`path` can become a folder written next to itself (temporary sibling, then rename): not a file, and its
    parent (or the nearest folder that exists) is writable. Replacing an earlier output is the writer's call."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise DataError(f"{what} {path} is a file, not a folder; choose another location")
    _check_writable_parent(path, what)
    return path


def check_store_root(root: str | Path, *, writing: bool) -> Path:
    """A local store root: a folder (or, when publishing, a location one can be made at)."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise DataError(f"store root {root} is a file, not a folder; give the folder versions are published to")
    if not root.exists():
        if not writing:
            raise DataError(f"store root {root} does not exist; check --to (or the URL) names the store's folder")
        _check_writable_parent(root, "store root")
    elif writing:
        _check_writable(root, root, "store root")
    return root


def _check_writable_parent(path: Path, what: str) -> None:
    parent = path.absolute().parent
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise DataError(f"{what} {path} sits under {existing}, which is a file, not a folder; choose another location")
    _check_writable(existing, path, what)


def _check_writable(folder: Path, path: Path, what: str) -> None:
    # statvfs sees a read-only mount even for root, whom the permission bits (os.access) never stop.
    if os.statvfs(folder).f_flag & os.ST_RDONLY:
        raise DataError(f"{what} {path}: {folder} is on a read-only file system; choose a writable location")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DataError(f"{what} {path}: {folder} is not writable for you; choose a writable location")


def _same(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False
