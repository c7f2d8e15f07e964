"""Write a build folder atomically (dataset/folder.py::write_dataset_folder): shards, rejected rows, the card,
`manifest.json` last.

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

from pathlib import Path

import pyarrow as pa

from hermes_data.dataset.card import render_card
from hermes_data.dataset.folder import REJECTED_SCHEMA, MapOrdered, write_dataset_folder
from hermes_data.dataset.manifest import ContentHasher
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
    map_ordered: MapOrdered | None = None,
) -> dict:
    """Write the build folder at `output` (replacing an earlier build there) and return its manifest. `map_ordered`
    (an engine's) encodes the shards on its workers (dataset/folder.py::write_shards)."""
    return write_dataset_folder(
        output,
        kept=kept,
        schema=RECORD_SCHEMA,
        hasher=ContentHasher(),
        rejected=[(rejected, REJECTED_SCHEMA, "rejected-{i:05d}")],
        render_card=render_card,
        recipe=recipe,
        shard_rows=shard_rows,
        license=license,
        map_ordered=map_ordered,
        recipe_sha256=recipe_sha256,
        sources=sources,
        categories=categories,
        funnel=funnel,
        totals=totals,
        extra=extra,
    )
