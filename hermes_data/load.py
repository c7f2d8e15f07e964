"""`load_mix`: a published or built mix as a `datasets.Dataset`, verified, with the reference it resolved to.

    ds, resolved = hermes_data.load_mix("NousResearch/my-mix@v3")
    run_config["data"] = resolved.to_dict()   # commit id (Hub) or content hash (store, folder)

The reference is resolved first (a tag or branch to its commit id, a store version to its content hash), so the
rows returned are exactly those of `resolved` even if a branch moves meanwhile. Shard file hashes are checked
against `manifest.json`, then the loaded rows' `content_sha256`: a tampered, truncated or re-encoded copy raises
`IntegrityError` instead of reaching a trainer.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from hermes_data.cache import cache_root
from hermes_data.dataset.manifest import MANIFEST_NAME, file_sha256, verify_folder
from hermes_data.errors import DataError
from hermes_data.publish.fetch import Source, materialize, open_ref
from hermes_data.publish.integrity import check_rows, file_problems, require_clean
from hermes_data.publish.refs import ResolvedRef

if TYPE_CHECKING:
    import datasets

SPLIT = "train"


def load_mix(
    ref: str, split: str = SPLIT, *, cache_dir: str | Path | None = None
) -> tuple[datasets.Dataset, ResolvedRef]:
    """Load a mix by reference (DESIGN §7); returns `(datasets.Dataset, ResolvedRef)`.

    `cache_dir` is passed to `datasets.load_dataset` (its Arrow cache); Hub files go through the Hugging Face cache.
    """
    if split != SPLIT:
        raise DataError(f"a hermes-data mix has one split, {SPLIT!r}; got split={split!r} (slice the Dataset instead)")
    source = open_ref(ref)
    where = str(source.resolved)
    if source.ref.kind == "hub":
        dataset = _load_hub(source, where, cache_dir)
    else:
        folder = source.folder if source.folder is not None else _cached_copy(source)
        require_clean(where, verify_folder(folder, check_content=False))
        dataset = _load_parquet([folder / entry["path"] for entry in source.manifest["shards"]], cache_dir)
    check_rows(dataset, source.manifest, where)
    return dataset, source.resolved


def _load_parquet(paths: list[Path], cache_dir: str | Path | None) -> datasets.Dataset:
    import datasets

    files = [str(path) for path in paths]  # manifest order is output order: the content hash depends on it
    return datasets.load_dataset("parquet", data_files={SPLIT: files}, split=SPLIT, cache_dir=_str(cache_dir))


def _load_hub(source: Source, where: str, cache_dir: str | Path | None) -> datasets.Dataset:
    import datasets

    from hermes_data.publish import hub

    repo, commit = source.ref.repo, source.resolved.revision
    # Shards first, into the Hugging Face cache, and re-hashed there: a corrupted file is refused before any parser
    # reads it, and `datasets` below finds the same cached bytes instead of downloading them again.
    actual = {}
    for entry in source.manifest["shards"]:
        with contextlib.suppress(FileNotFoundError):  # reported as missing by file_problems
            actual[entry["path"]] = file_sha256(hub.download_file(repo, commit, entry["path"]))
    require_clean(where, file_problems(source.manifest, actual))
    # Then through `datasets` itself, pinned to the commit: the card's data_files glob picks the shards.
    with hub.hub_errors(f"loading {repo}@{commit[:12]}"):
        return datasets.load_dataset(repo, revision=commit, split=SPLIT, cache_dir=_str(cache_dir))


def _cached_copy(source: Source) -> Path:
    """A local copy of a remote store version under the hermes cache, keyed by its content hash."""
    folder = cache_root() / "mixes" / source.resolved.content_sha256
    if (folder / MANIFEST_NAME).is_file() and not verify_folder(folder, check_content=False):
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f".{folder.name}.tmp-{secrets.token_hex(4)}")
    try:
        materialize(source, tmp)
        shutil.rmtree(folder, ignore_errors=True)  # a stale or damaged copy
        try:
            os.replace(tmp, folder)
        except OSError:
            if not (folder / MANIFEST_NAME).is_file():  # else another process just put the same content there
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _str(path: str | Path | None) -> str | None:
    return None if path is None else str(path)
