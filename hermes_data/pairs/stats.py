"""Figures of a pair set for the manifest and the card: pairs per category, the margin distribution, token means."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pyarrow as pa

UNCATEGORIZED = "uncategorized"


def _mean(values: np.ndarray) -> float | None:
    return round(float(values.mean()), 1) if len(values) else None


def pair_totals(table: pa.Table, *, num_candidates: int, num_pairs_read: int) -> dict:
    """Totals over the kept pairs of a working table; `rows` and `tokens` as a mix's totals have them."""
    col = {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names if name[0] == "_"}
    return {
        "rows": table.num_rows,
        "tokens": int(col["_input_tokens"].sum() + col["_output_tokens"].sum()) if table.num_rows else 0,
        "chosen_tokens": int(col["_chosen_tokens"].sum()) if table.num_rows else 0,
        "rejected_tokens": int(col["_rejected_tokens"].sum()) if table.num_rows else 0,
        "mean_chosen_tokens": _mean(col["_chosen_tokens"]),
        "mean_rejected_tokens": _mean(col["_rejected_tokens"]),
        "mean_chosen_reply_tokens": _mean(col["_chosen_output_tokens"]),
        "mean_rejected_reply_tokens": _mean(col["_rejected_output_tokens"]),
        "candidates_read": num_candidates,
        "pairs_read": num_pairs_read,
    }


def category_figures(table: pa.Table) -> dict[str, dict]:
    """Per category (null as `uncategorized`): pairs, share of pairs, tokens and the mean margin."""
    categories = [c or UNCATEGORIZED for c in table.column("category").to_pylist()]
    tokens = (
        table.column("_input_tokens").to_numpy(zero_copy_only=False)
        + table.column("_output_tokens").to_numpy(zero_copy_only=False)
    ).tolist()
    margins = margins_of(table)
    out: dict[str, dict] = {}
    for slug in sorted(set(categories)):
        rows = [i for i, c in enumerate(categories) if c == slug]
        known = [margins[i] for i in rows if margins[i] is not None]
        out[slug] = {
            "rows": len(rows),
            "share": round(100 * len(rows) / len(categories), 2),
            "tokens": int(sum(tokens[i] for i in rows)),
            "mean_margin": round(sum(known) / len(known), 2) if known else None,
        }
    return out


def margins_of(table: pa.Table) -> list[float | None]:
    """`meta.margin` of each pair (judge points); None for pairs read from files without scores."""
    out = []
    for raw in table.column("meta").to_pylist():
        try:
            margin = json.loads(raw or "{}").get("margin")
        except (json.JSONDecodeError, AttributeError):
            margin = None
        out.append(float(margin) if isinstance(margin, int | float) and not isinstance(margin, bool) else None)
    return out


def margin_figures(table: pa.Table) -> dict:
    """The margin distribution: summary figures and pairs per margin value (judge scores are coarse)."""
    margins = margins_of(table)
    known = np.array([m for m in margins if m is not None], dtype=np.float64)
    counts = Counter(round(float(m), 2) for m in known)
    return {
        "pairs_with_margin": int(len(known)),
        "pairs_without_margin": len(margins) - int(len(known)),
        "min": round(float(known.min()), 2) if len(known) else None,
        "median": round(float(np.median(known)), 2) if len(known) else None,
        "mean": round(float(known.mean()), 2) if len(known) else None,
        "max": round(float(known.max()), 2) if len(known) else None,
        "histogram": [{"margin": m, "pairs": n} for m, n in sorted(counts.items())],
    }
