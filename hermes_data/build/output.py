"""Write a build folder atomically (hermes_data.dataset.folder): shards, rejected rows, the card, `manifest.json` last.

Everything goes into a hidden sibling `.{name}.tmp-<random>` first; `manifest.json` is its last file, so a folder
without one is incomplete by definition. Then the temporary folder is renamed to the output. A rebuild renames the
old folder aside, renames the new one in and deletes the old: at no moment is there a folder under the output's name
that has a manifest but not all its files. On any exception the temporary folder is removed and the old output is
left as it was.

Layout (the Hub's conventions, so `datasets.load_dataset(folder)` works):
    data/train-00000-of-0000N.parquet   kept rows (RECORD_SCHEMA), at most `shard_rows` each, in output order
    rejected/rejected-00000.parquet     dropped rows with `stage`, `reason`, `detail` (exists even if empty)
    README.md                           the dataset card
    manifest.json                       hashes, stats, funnel, sources, resolved recipe
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from hermes_data.dataset.card import render_card
from hermes_data.dataset.folder import REJECTED_SCHEMA, atomic_folder, write_shards, write_text
from hermes_data.dataset.manifest import DATA_DIR, MANIFEST_NAME, REJECTED_DIR, ContentHasher, build_manifest
from hermes_data.record import RECORD_SCHEMA


def write_build(
    output: str | Path,
    *,
    kept: pa.Table,
    rejected: pa.Table,
    recipe: dict,
    recipe_sha256: str,
    sources: list[dict],
    categories: dict[str, dict],
    funnel: list[dict],
    totals: dict,
    shard_rows: int = 50_000,
    license: str = "other",  # noqa: A002 - the Hub calls it license
    extra: dict | None = None,
) -> dict:
    """Write the build folder at `output` (replacing an earlier build there) and return its manifest."""
    if shard_rows <= 0:
        raise ValueError(f"shard_rows must be positive, got {shard_rows}")
    with atomic_folder(output) as tmp:
        hasher = ContentHasher()
        shards = write_shards(tmp, kept, shard_rows, RECORD_SCHEMA, DATA_DIR, "train-{i:05d}-of-{n:05d}", hasher)
        rejected_files = write_shards(tmp, rejected, shard_rows, REJECTED_SCHEMA, REJECTED_DIR, "rejected-{i:05d}")
        manifest = build_manifest(
            name=str(recipe.get("name") or output.name),
            recipe=recipe,
            recipe_sha256=recipe_sha256,
            content_hash=hasher.hexdigest(),
            shards=shards,
            rejected=rejected_files,
            sources=sources,
            categories=categories,
            funnel=funnel,
            totals=totals,
            license=license,
            extra=extra,
        )
        write_text(tmp / "README.md", render_card(manifest, license))
        # Written last: its presence is what marks the folder complete.
        write_text(tmp / MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest
