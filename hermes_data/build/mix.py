"""Balance the curated rows to the recipe's category shares and compute the figures the card and manifest show."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pyarrow as pa

from hermes_data.build.recipe import MixtureSpec
from hermes_data.categories import SLUGS
from hermes_data.stages.verdict import Funnel, Verdict, apply_stage


def units_of(table: pa.Table, unit: str) -> np.ndarray:
    if unit == "rows":
        return np.ones(table.num_rows, dtype=np.int64)
    out = table.column("_output_tokens").to_numpy(zero_copy_only=False).astype(np.int64)
    if unit == "output_tokens":
        return out
    return out + table.column("_input_tokens").to_numpy(zero_copy_only=False).astype(np.int64)


class Mixed(NamedTuple):
    output: pa.Table  # the mixture, in output order
    left_out: pa.Table | None  # rows the budget (or a zero weight) left out, with stage and reason
    targets: dict[str, float]  # percent per weighted category
    explanation: dict | None  # the binding category and what would use the rest (mixture/explain.py)


def mix(table: pa.Table, spec: MixtureSpec | None, seed: int, funnel: Funnel, sources: list[str] = ()) -> Mixed:
    """The balanced mix of the curated rows; `sources` are the recipe's source paths (by `_source`), named in the
    explanation of the binding category."""
    if spec is None:
        return Mixed(table, None, {}, None)
    from hermes_data.mixture.balance import balance

    categories = table.column("category").to_pylist()
    result = balance(
        categories,
        units_of(table, spec.unit),
        spec.weights,
        total=spec.total,
        max_upsample=spec.max_upsample,
        seed=seed,
    )
    counts = np.asarray(result.counts, dtype=np.int64)
    weighted = {slug for slug, w in spec.weights.items() if w > 0}
    reasons = [
        None if n else ("over_budget" if c in weighted else "unweighted_category")
        for n, c in zip(counts, categories, strict=True)
    ]
    explanation = _explain(table, result, spec, reasons, sources)
    kept, rejected = apply_stage(table, "balance", Verdict(keep=counts > 0, reasons=reasons), funnel)
    kept_counts = counts[counts > 0]
    extra = kept_counts - 1
    if extra.any():
        tokens = units_of(kept, "tokens")
        funnel.add("balance", "upsampled", int(extra.sum()), int((tokens * extra).sum()), action="upsampled")
    # Nothing repeated: `take` of every row in order would only copy the table (0.2-0.6 s and a full copy in memory
    # per 100k rows, measured).
    if not extra.any():
        return Mixed(kept, rejected, _targets(spec), explanation)
    # Copies of an upsampled row sit next to it, so the output order stays input order (deterministic).
    order = np.repeat(np.arange(kept.num_rows), kept_counts)
    return Mixed(kept.take(pa.array(order)), rejected, _targets(spec), explanation)


def _explain(table: pa.Table, result, spec: MixtureSpec, reasons: list, sources: list[str]) -> dict:
    from hermes_data.mixture.explain import explain_mixture

    categories = np.asarray(table.column("category").to_pylist(), dtype=object)
    left = np.array([r == "over_budget" for r in reasons], dtype=bool)
    tokens = units_of(table, "tokens")
    source_index = table.column("_source").to_numpy()
    over_budget, from_sources = {}, {}
    for slug in result.achieved:
        sel = categories == slug
        over_budget[slug] = (int((sel & left).sum()), int(tokens[sel & left].sum()))
        from_sources[slug] = [sources[i] for i in np.unique(source_index[sel]) if i < len(sources)]
    return explain_mixture(
        result,
        spec.weights,
        unit=spec.unit,
        total=spec.total,
        max_upsample=spec.max_upsample,
        over_budget=over_budget,
        curated_rows=table.num_rows,
        sources=from_sources,
    )


def _targets(spec: MixtureSpec) -> dict[str, float]:
    total = sum(spec.weights.values())
    return {slug: 100 * w / total for slug, w in spec.weights.items()}


def category_stats(table: pa.Table, targets: dict[str, float], unit: str = "tokens") -> tuple[dict, dict]:
    """Per-category rows/tokens and the share (percent, in the mixture's unit) next to its target; the totals."""
    units = units_of(table, unit)
    all_units = int(units.sum())
    inp = table.column("_input_tokens").to_numpy(zero_copy_only=False).astype(np.int64)
    out = table.column("_output_tokens").to_numpy(zero_copy_only=False).astype(np.int64)
    cats = np.asarray(table.column("category").to_pylist(), dtype=object)
    all_tokens = int(inp.sum() + out.sum())
    stats = {}
    for slug in [s for s in SLUGS if s in set(cats) or s in targets]:
        sel = cats == slug
        tokens = int(inp[sel].sum() + out[sel].sum())
        stats[slug] = {
            "rows": int(sel.sum()),
            "tokens": tokens,
            "input_tokens": int(inp[sel].sum()),
            "output_tokens": int(out[sel].sum()),
            "share": round(100 * int(units[sel].sum()) / all_units, 3) if all_units else 0.0,
            "target": round(targets[slug], 3) if slug in targets else None,
        }
    totals = {
        "rows": table.num_rows,
        "tokens": all_tokens,
        "input_tokens": int(inp.sum()),
        "output_tokens": int(out.sum()),
    }
    return stats, totals
