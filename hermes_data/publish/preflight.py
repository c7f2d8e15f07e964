"""Checks before anything is written: the folder is a complete, unedited build and its card's header is valid.

Both destinations run these first, so a bad folder or name fails with one line and leaves no trace anywhere.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import yaml

from hermes_data.dataset.manifest import MANIFEST_NAME, read_manifest, verify_folder
from hermes_data.errors import DataError, with_article
from hermes_data.publish.refs import check_repo_id, check_version

CARD_NAME = "README.md"
# Keys the Hub reads from a dataset card header, with the type each must have.
HEADER_KEYS = {"license": str, "task_categories": list, "size_categories": list, "tags": list, "configs": list}


def check_folder(folder: str | Path) -> dict:
    """The folder's manifest after re-hashing every file and the rows against it; `DataError` otherwise."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder} is not a folder; give the output folder of `hermes-data build`")
    if not (folder / MANIFEST_NAME).is_file():
        raise DataError(f"{folder} has no {MANIFEST_NAME}: not a complete hermes-data build; run `hermes-data build`")
    problems = verify_folder(folder)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DataError(f"{folder} does not match its manifest: {problems[0]}{more}; rebuild it instead of editing it")
    try:
        manifest = read_manifest(folder)
    except json.JSONDecodeError as exc:  # verify_folder read it a moment ago; only a concurrent edit lands here
        raise DataError(f"{folder / MANIFEST_NAME} is not valid JSON: {exc}") from exc
    stats = manifest.get("stats")
    totals = stats.get("totals") if isinstance(stats, dict) else None
    if not isinstance(totals, dict) or "rows" not in totals:
        raise DataError(f"{folder / MANIFEST_NAME} has no stats.totals.rows; rebuild the folder")
    return manifest


def check_names(repo: str, version: str) -> None:
    check_repo_id(repo)
    check_version(version)


def card_header_of(text: str) -> dict:
    """The YAML front matter of a card (between the leading `---` lines); `DataError` when absent or invalid."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise DataError("the dataset card has no YAML header (a first line '---'); rebuild the folder")
    try:
        end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
    except StopIteration:
        raise DataError("the dataset card's YAML header is not closed by a '---' line; rebuild the folder") from None
    try:
        header = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        raise DataError(f"the dataset card's YAML header does not parse: {exc}") from exc
    if not isinstance(header, dict):
        raise DataError("the dataset card's YAML header is not a mapping; rebuild the folder")
    return header


def check_card(text: str, manifest: dict) -> dict:
    """Validate a card's header against what the Hub and `datasets` need for this manifest; the header."""
    header = card_header_of(text)
    for key, kind in HEADER_KEYS.items():
        if not isinstance(header.get(key), kind):
            raise DataError(
                f"the dataset card's YAML header needs {key!r} as {with_article(kind.__name__)}; rebuild the folder"
            )
    train_globs = [
        item.get("path")
        for config in header["configs"]
        for item in (config.get("data_files") or [] if isinstance(config, dict) else [])
        if isinstance(item, dict) and item.get("split") == "train"
    ]
    if not train_globs:
        raise DataError("the dataset card's YAML header has no train split under configs: data_files")
    shards = [entry["path"] for entry in manifest["shards"]]
    # `datasets` loads whatever the globs match: they must match exactly the manifest's shards.
    unmatched = [s for s in shards if not any(fnmatch.fnmatch(s, str(g)) for g in train_globs)]
    if unmatched:
        raise DataError(f"the card's data_files {train_globs} do not match shard {unmatched[0]}; rebuild the folder")
    return header


def publish_files(manifest: dict) -> list[str]:
    """Paths inside a build folder that a version consists of: shards, rejected rows, the card, the manifest."""
    files = [entry["path"] for entry in [*manifest["shards"], *manifest["rejected"]]]
    return [*files, CARD_NAME, MANIFEST_NAME]
