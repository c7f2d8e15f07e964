"""Token-share balancing (issue 3 §4): how many times each curated row appears so category shares hit their targets.

The paper gives its SFT mixture as shares of tokens per category (Table 1: general 60.6 %, domain expert 12.8 %, …).
`balance` turns normalized weights into a per-category budget in the caller's unit (tokens, output tokens or rows)
and picks rows for each budget:

- `total=None` builds the largest mix the data allows at these shares: the binding category (least units per unit of
  share) uses all its rows, times `max_upsample`, and the other budgets follow from it.
- Within a category the pick is a seeded permutation cut where its running unit sum lands closest to the budget.
  A budget above the category's units repeats whole copies of every row, then a seeded partial copy; it never
  exceeds `max_upsample` times the category's units.
- Each category's permutation is seeded by (seed, category name), so adding a source to one category does not
  reshuffle the others.

Categories present in the data but without a positive weight are left out (their row counts are in
`BalanceResult.dropped`); a positively weighted category with no rows, or a `total` the data cannot reach, is a
`RecipeError` that names the category and the missing units.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from hermes_data.errors import RecipeError

NO_CATEGORY = "(none)"  # how rows whose category is None are reported


@dataclass(frozen=True)
class BalanceResult:
    """`counts[i]`: how many times input row i appears in the mix (0 = left out, 2+ = upsampled).

    `achieved[slug]` has `units`, `share` and `target` (percent of the mix's units), `rows` (appearances, copies
    included), `unique_rows`, `repeated_rows`, `available_units` and `upsample` (units / available units).
    `total` is the mix's units, `budget` the total the shares were cut from, `dropped` the rows of unweighted
    categories.
    """

    counts: np.ndarray
    achieved: dict[str, dict[str, float | int]]
    total: int
    budget: float
    dropped: dict[str, int] = field(default_factory=dict)


def balance(
    categories: Sequence[str | None] | np.ndarray,
    units: Sequence[int] | np.ndarray,
    weights: Mapping[str, float],
    *,
    total: float | None = None,
    max_upsample: float = 1.0,
    seed: int = 0,
    unit_name: str = "units",
) -> BalanceResult:
    """Per-row counts whose per-category unit shares match the normalized `weights` (see the module docstring)."""
    units = np.asarray(units, dtype=np.int64)
    rows_of = _rows_by_category(categories)
    num_rows = sum(map(len, rows_of.values()))
    if units.shape != (num_rows,):
        raise ValueError(f"categories ({num_rows} rows) and units ({units.shape[0]} rows) differ in length")
    if units.size and units.min() < 0:
        raise ValueError("units must be >= 0")
    shares = _normalized(weights)
    _check_options(total, max_upsample)

    _check_filled(weights, shares, rows_of, units, unit_name)
    available = {slug: int(units[rows_of[slug]].sum()) for slug in shares}
    capacity = {slug: available[slug] * max_upsample / share for slug, share in shares.items()}
    budget = min(capacity.values()) if total is None else float(total)
    if total is not None:
        _check_reachable(budget, weights, shares, available, capacity, max_upsample, unit_name)

    counts = np.zeros(units.shape[0], dtype=np.int64)
    for slug, share in shares.items():
        rows = rows_of[slug]
        rng = np.random.default_rng([seed, zlib.crc32(slug.encode())])
        limit = available[slug] * max_upsample
        counts[rows] = _category_counts(rng.permutation(rows), rows, units, share * budget, limit)
    return _result(counts, units, rows_of, shares, available, budget)


def _normalized(weights: Mapping[str, float]) -> dict[str, float]:
    """Positive weights scaled to sum to 1; negative, non-finite or all-zero weights are RecipeErrors."""
    for slug, weight in weights.items():
        if not math.isfinite(weight) or weight < 0:
            raise RecipeError(f"mixture.weights.{slug}: weight {weight} is not a share; use a number >= 0")
    positive = {slug: float(w) for slug, w in weights.items() if w > 0}
    if not positive:
        raise RecipeError("mixture.weights: all weights are zero; give at least one category a positive share")
    norm = sum(positive.values())
    return {slug: w / norm for slug, w in positive.items()}


def _check_options(total: float | None, max_upsample: float) -> None:
    if not math.isfinite(max_upsample) or max_upsample < 1:
        raise RecipeError(f"mixture.max_upsample: {max_upsample} is below 1; use 1 (no repeats) or more")
    if total is not None and (not math.isfinite(total) or total <= 0):
        raise RecipeError(f"mixture.total: {total} is not a positive budget; use a number > 0 or null (largest mix)")


def _rows_by_category(categories: Sequence[str | None] | np.ndarray) -> dict[str, np.ndarray]:
    """Row indices (ascending) of each category; a dict lookup per row beats sorting a million strings."""
    if isinstance(categories, np.ndarray):
        categories = categories.tolist()  # plain str objects hash faster than numpy scalars
    index: dict[object, int] = {}
    codes = np.fromiter((index.setdefault(c, len(index)) for c in categories), dtype=np.int64)
    if codes.size == 0:
        return {}
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=len(index)))[:-1]
    names = [NO_CATEGORY if c is None else str(c) for c in index]
    return dict(zip(names, np.split(order, bounds), strict=True))


def _check_filled(
    weights: Mapping[str, float],
    shares: dict[str, float],
    rows_of: dict[str, np.ndarray],
    units: np.ndarray,
    unit_name: str,
) -> None:
    """One RecipeError naming every weighted category that has no rows, or rows but no units, with its weight as
    the recipe wrote it."""
    empty = [slug for slug in shares if slug not in rows_of]
    if empty:
        raise RecipeError(f"mixture.weights: {missing_categories(empty, weights)}")
    unitless = [slug for slug in shares if int(units[rows_of[slug]].sum()) == 0]
    if unitless:
        listed = ", ".join(f"{slug} ({weights[slug]:g}, {len(rows_of[slug]):,} rows)" for slug in unitless)
        raise RecipeError(
            f"mixture.weights: {listed} {'has' if len(unitless) == 1 else 'have'} rows but 0 {unit_name}, so "
            f"{'it' if len(unitless) == 1 else 'they'} cannot fill a share; set the weight to 0 or choose another "
            "mixture.unit"
        )


def missing_categories(slugs: Sequence[str], weights: Mapping[str, float]) -> str:
    """The sentence for weighted categories no row has (the build's error and `--dry-run` share it)."""
    listed = ", ".join(f"{slug} (weight {weights[slug]:g})" for slug in slugs)
    one = len(slugs) == 1
    return (
        f"{listed} {'has' if one else 'have'} a weight but no row{'' if one else 's'}; add a source for "
        f"{'it' if one else 'each'} (or map a source category onto {'it' if one else 'them'}) or set "
        f"{'its weight' if one else 'their weights'} to 0"
    )


def _check_reachable(
    budget: float,
    weights: Mapping[str, float],
    shares: dict[str, float],
    available: dict[str, int],
    capacity: dict[str, float],
    max_upsample: float,
    unit_name: str,
) -> None:
    """RecipeError naming every category whose share of `budget` exceeds its units × max_upsample."""
    short = [slug for slug in shares if budget > capacity[slug] * (1 + 1e-9)]
    if not short:
        return
    parts = []
    for slug in sorted(short, key=lambda s: capacity[s]):
        need, have = shares[slug] * budget, available[slug] * max_upsample
        parts.append(
            f"'{slug}' (weight {weights[slug]:g}) needs {need:,.0f} {unit_name} but has {available[slug]:,} × "
            f"max_upsample {max_upsample:g} = {have:,.0f}, {need - have:,.0f} {unit_name} missing"
        )
    largest = min(capacity.values())
    raise RecipeError(
        f"mixture.total: {budget:,.0f} {unit_name} is more than the data allows: {'; '.join(parts)}. Lower "
        f"mixture.total to at most {largest:,.0f}, raise mixture.max_upsample, or add data for those categories"
    )


def _category_counts(perm: np.ndarray, rows: np.ndarray, units: np.ndarray, budget: float, limit: float) -> np.ndarray:
    """Counts for one category's `rows` (ascending): whole copies, then the permutation prefix nearest the remainder.

    `limit` (available units × max_upsample) caps the partial copy, so rounding to the nearest cut never pushes the
    category past its allowed upsampling.
    """
    available = int(units[rows].sum())
    copies = int(budget // available)
    remainder = budget - copies * available
    cum = np.concatenate(([0], np.cumsum(units[perm])))
    k = int(np.searchsorted(cum, remainder))  # cum[k] is the first running sum >= remainder
    if k >= len(cum) or (k > 0 and remainder - cum[k - 1] <= cum[k] - remainder):
        k -= 1  # the cut below is as close or closer (ties keep the smaller mix)
    if copies * available + cum[k] > limit and k > 0:
        k -= 1
    counts = np.full(len(rows), copies, dtype=np.int64)
    counts[np.searchsorted(rows, perm[:k])] += 1
    return counts


def _result(
    counts: np.ndarray,
    units: np.ndarray,
    rows_of: dict[str, np.ndarray],
    shares: dict[str, float],
    available: dict[str, int],
    budget: float,
) -> BalanceResult:
    weighted_units = counts * units
    mix_total = int(weighted_units.sum())
    achieved: dict[str, dict[str, float | int]] = {}
    for slug, share in shares.items():
        rows = rows_of[slug]
        num_units = int(weighted_units[rows].sum())
        achieved[slug] = {
            "units": num_units,
            "share": 100 * num_units / mix_total if mix_total else 0.0,
            "target": 100 * share,
            "rows": int(counts[rows].sum()),
            "unique_rows": int((counts[rows] > 0).sum()),
            "repeated_rows": int((counts[rows] > 1).sum()),
            "available_units": available[slug],
            "upsample": num_units / available[slug],
        }
    dropped = {slug: len(rows) for slug, rows in rows_of.items() if slug not in shares}
    return BalanceResult(counts=counts, achieved=achieved, total=mix_total, budget=budget, dropped=dropped)
