"""Strongest-model preference: among responses to the same prompt keep the best-ranked model's (DESIGN §7).

"Same prompt" means identical messages before the final assistant reply. Models missing from `model_priority`
rank below every listed one; between equal ranks the first row seen wins.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

from hermes_data.stages.verdict import Verdict, detail_json


def model_priority_filter(table: pa.Table) -> Verdict:
    frame = pl.from_arrow(table.select(["_prompt_key", "_model_rank", "_row"]))
    frame = frame.with_row_index("i")
    best = (
        frame.sort(["_prompt_key", "_model_rank", "_row"])
        .group_by("_prompt_key", maintain_order=True)
        .agg(pl.col("i").first().alias("winner"), pl.col("_model_rank").first().alias("best_rank"))
    )
    joined = frame.join(best, on="_prompt_key", how="left").sort("i")
    winner = joined["winner"].to_numpy()
    rank = joined["_model_rank"].to_numpy()
    best_rank = joined["best_rank"].to_numpy()
    keep = winner == np.arange(table.num_rows)
    reasons = [
        None if k else ("weaker_model" if r > b else "same_prompt")
        for k, r, b in zip(keep, rank, best_rank, strict=True)
    ]
    ids, models = table.column("id").to_pylist(), table.column("model").to_pylist()
    details = [
        None if k else detail_json(kept_id=ids[w], kept_model=models[w], model=models[i])
        for i, (k, w) in enumerate(zip(keep.tolist(), winner.tolist(), strict=True))
    ]
    return Verdict(keep=keep, reasons=reasons, details=details)
