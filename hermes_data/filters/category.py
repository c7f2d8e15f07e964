"""Rows whose source category maps to none of the mixture's categories (DESIGN §3)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from hermes_data.stages.verdict import Verdict, detail_json, verdict_from_mask


def category_filter(table: pa.Table) -> Verdict:
    """Drop rows without a category (`unmapped_category`); `detail` names the row's source."""
    drop = pc.is_null(table.column("category")).to_numpy(zero_copy_only=False)
    sources = table.column("source").to_pylist()
    return verdict_from_mask(
        drop,
        "unmapped_category",
        [detail_json(source=s) if d else None for d, s in zip(drop.tolist(), sources, strict=True)],
    )
