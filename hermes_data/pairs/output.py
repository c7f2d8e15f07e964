"""Write a pair folder with the build's machinery: `atomic_folder`, `write_shards`, `build_manifest` (last).

Layout (a build folder's, so `load_mix`, `publish`, `verify` and `datasets.load_dataset(folder)` find it):
    data/train-00000-of-0000N.parquet   kept pairs (PAIR_SCHEMA), in output order
    rejected/rejected-00000.parquet     dropped pairs with `stage` and `reason` (REJECTED_PAIR_SCHEMA)
    rejected/candidates-00000.parquet   candidates dropped before or during pairing, as records with `stage` and
                                        `reason` (REJECTED_CANDIDATE_SCHEMA)
    README.md                           the card (datacards/pairs_card.md.j2)
    manifest.json                       `kind: pairs`, `row_fields` (the columns `content_sha256` covers), stats,
                                        funnel, margins, sources, resolved recipe; written last
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from hermes_data.dataset.folder import atomic_folder, write_shards, write_text
from hermes_data.dataset.manifest import DATA_DIR, MANIFEST_NAME, REJECTED_DIR, ContentHasher, build_manifest
from hermes_data.pairs.card import render_pairs_card
from hermes_data.pairs.record import (
    PAIR_FIELDS,
    PAIR_SCHEMA,
    REJECTED_CANDIDATE_SCHEMA,
    REJECTED_PAIR_SCHEMA,
)

KIND = "pairs"


def write_pairs(
    output: str | Path,
    *,
    kept: pa.Table,
    rejected_pairs: pa.Table,
    rejected_candidates: pa.Table,
    recipe: dict,
    recipe_sha256: str,
    sources: list[dict],
    categories: dict[str, dict],
    funnel: list[dict],
    totals: dict,
    margins: dict,
    shard_rows: int = 50_000,
    license: str = "other",  # noqa: A002 - the Hub calls it license
) -> dict:
    """Write the pair folder at `output` (replacing an earlier one there) and return its manifest."""
    with atomic_folder(output) as tmp:
        hasher = ContentHasher(PAIR_FIELDS)
        shards = write_shards(tmp, kept, shard_rows, PAIR_SCHEMA, DATA_DIR, "train-{i:05d}-of-{n:05d}", hasher)
        rejected = write_shards(tmp, rejected_pairs, shard_rows, REJECTED_PAIR_SCHEMA, REJECTED_DIR, "rejected-{i:05d}")
        rejected += write_shards(
            tmp, rejected_candidates, shard_rows, REJECTED_CANDIDATE_SCHEMA, REJECTED_DIR, "candidates-{i:05d}"
        )
        manifest = build_manifest(
            name=str(recipe.get("name") or Path(output).name),
            recipe=recipe,
            recipe_sha256=recipe_sha256,
            content_hash=hasher.hexdigest(),
            shards=shards,
            rejected=rejected,
            sources=sources,
            categories=categories,
            funnel=funnel,
            totals=totals,
            license=license,
            extra={"kind": KIND, "row_fields": list(PAIR_FIELDS), "margins": margins},
        )
        write_text(tmp / "README.md", render_pairs_card(manifest, license))
        write_text(tmp / MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest
