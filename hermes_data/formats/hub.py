"""`datasets` datasets as input: a folder saved with `save_to_disk`, a folder of data files (or one file, with
`--format hub`), or a Hub repository.

Rows go through the same converters as JSON rows; the shape is decided once from the dataset's column names.
References: `hub:org/name`, `hf://datasets/org/name`, or plain `org/name`, each with an optional `@revision`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from hermes_data.errors import DataError, FormatError
from hermes_data.formats.common import RowError
from hermes_data.formats.items import ReadItem, Unreadable
from hermes_data.formats.rows import convert_row, shapes_of

# Files `save_to_disk` writes: a Dataset folder has the first two, a DatasetDict folder the third.
SAVED_MARKERS = ("dataset_info.json", "state.json", "dataset_dict.json")
_HUB_PREFIXES = ("hub:", "hf://datasets/")


def hub_name(ref: str) -> tuple[str, str | None]:
    """`org/name` and the revision of a Hub reference (`hub:org/name@rev`, `hf://datasets/org/name`, `org/name`)."""
    for prefix in _HUB_PREFIXES:
        if ref.startswith(prefix):
            ref = ref[len(prefix) :]
            break
    name, _, rev = ref.partition("@")
    return name, rev or None


def resolve_revision(ref: str, revision: str | None = None) -> str:
    """`hub:org/name@<commit>` for what a Hub revision (tag, branch or commit; default main) points at now.

    A build reads and records that commit, so its sources say exactly which bytes went in, and a moved branch
    changes the build's cache key instead of silently reusing stale rows.
    """
    from huggingface_hub import HfApi

    name, ref_rev = hub_name(ref)
    wanted = revision or ref_rev
    try:
        commit = HfApi().dataset_info(name, revision=wanted).sha
    except Exception as exc:  # offline, missing repo, missing revision, no access: all end the same way for a user
        at = f"@{wanted}" if wanted else ""
        raise DataError(
            f"hub:{name}{at}: cannot resolve the revision on the Hub ({type(exc).__name__}: {exc})"
        ) from None
    return f"hub:{name}@{commit}"


def load_split(ref: str, *, config: str | None, revision: str | None, split: str) -> tuple[Any, str]:
    """The `datasets.Dataset` of one split and the source string for its records."""
    import datasets  # heavy import: only when a dataset is actually read

    try:
        if os.path.isdir(ref):
            return _load_local(datasets, ref, config=config, split=split), f"file:{ref}"
        if os.path.isfile(ref):
            return _load_file(datasets, ref, split=split), f"file:{ref}"
        name, ref_rev = hub_name(ref)
        revision = revision or ref_rev
        ds = datasets.load_dataset(name, config, revision=revision, split=split)
        return ds, f"hub:{name}@{revision}" if revision else f"hub:{name}"
    except DataError:
        raise
    except Exception as exc:  # datasets raises many types (FileNotFoundError, DatasetNotFoundError, ValueError)
        raise DataError(f"{ref}: cannot load the dataset ({type(exc).__name__}: {exc})") from None


def _load_local(datasets: Any, folder: str, *, config: str | None, split: str) -> Any:
    if any(os.path.exists(os.path.join(folder, m)) for m in SAVED_MARKERS):
        ds = datasets.load_from_disk(folder)
        if isinstance(ds, datasets.DatasetDict):
            if split not in ds:
                raise DataError(f"{folder}: no split {split!r}; it has {', '.join(ds)} (pass --split)")
            ds = ds[split]
        return ds
    return datasets.load_dataset(folder, config, split=split)


def _load_file(datasets: Any, path: str, *, split: str) -> Any:
    """One data file read through `datasets` (with --format hub); the builder follows the extension."""
    ext = path.lower().rsplit(".", 1)[-1]
    builder = {"jsonl": "json", "ndjson": "json", "json": "json", "parquet": "parquet", "csv": "csv"}.get(ext)
    if builder is None:
        raise DataError(f"{path}: datasets cannot read a .{ext} file; give a folder, a Hub name or another --format")
    return datasets.load_dataset(builder, data_files={split: path}, split=split)


def read_dataset(
    ref: str,
    *,
    source: str | None = None,
    config: str | None = None,
    revision: str | None = None,
    split: str = "train",
) -> Iterator[ReadItem]:
    """Records of one split of a dataset; rows that cannot convert come as `Unreadable` (line None, row index)."""
    ds, default_source = load_split(ref, config=config, revision=revision, split=split)
    shapes = shapes_of(ds.column_names)
    if len(shapes) != 1:
        raise FormatError(
            f"{ref}: columns {ds.column_names} are not one known row shape "
            "(conversations / messages / instruction+output / the record schema)"
        )
    return _rows(ds, ref, shapes[0], source or default_source)


def _rows(ds: Any, ref: str, shape: str, source: str) -> Iterator[ReadItem]:
    for index, row in enumerate(ds):
        try:
            yield convert_row(row, shape, source=source)
        except (RowError, DataError) as exc:
            yield Unreadable(ref, None, index, str(exc))
