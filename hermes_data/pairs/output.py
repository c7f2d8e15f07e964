"""Write a pair folder with the build's machinery (dataset/folder.py::write_dataset_folder), `manifest.json` last.

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

from pathlib import Path

import pyarrow as pa

from hermes_data.dataset.folder import write_dataset_folder
from hermes_data.dataset.manifest import ContentHasher
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
    return write_dataset_folder(
        output,
        kept=kept,
        schema=PAIR_SCHEMA,
        hasher=ContentHasher(PAIR_FIELDS),
        rejected=[
            (rejected_pairs, REJECTED_PAIR_SCHEMA, "rejected-{i:05d}"),
            (rejected_candidates, REJECTED_CANDIDATE_SCHEMA, "candidates-{i:05d}"),
        ],
        render_card=render_pairs_card,
        recipe=recipe,
        shard_rows=shard_rows,
        license=license,
        recipe_sha256=recipe_sha256,
        sources=sources,
        categories=categories,
        funnel=funnel,
        totals=totals,
        extra={"kind": KIND, "row_fields": list(PAIR_FIELDS), "margins": margins},
    )
