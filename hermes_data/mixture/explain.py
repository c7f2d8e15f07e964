"""Why a mixture is the size it is (issue 13 item 5): the binding category, what the budget left out, what would use it.

With `total: null` the mix is the largest the shares allow: category c can fill a budget of at most
`capacity_c = units_c × max_upsample / share_c`, and the smallest capacity (the binding category) sets the budget;
every other category is cut to its share of it and the rest of its rows stay `over_budget`. Using every curated row
needs a budget of `need = max_c units_c / share_c` (the richest category at one copy), so:
- `max_upsample: need / min_c(units_c / share_c)` (the binding category's rows repeat that often), or equally
  `total: need` with that max_upsample;
- or weights in the curated data's own proportions (each category's units), which use every row once.
With a `total` below the largest mix, the total binds instead; the same figures say how to use the rest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from hermes_data.errors import RecipeError
from hermes_data.mixture.balance import BalanceResult, missing_categories


def explain_mixture(
    result: BalanceResult,
    weights: Mapping[str, float],
    *,
    unit: str,
    total: float | None,
    max_upsample: float,
    over_budget: Mapping[str, tuple[int, int]],
    curated_rows: int,
    sources: Mapping[str, list[str]] | None = None,
) -> dict:
    """The manifest's `mixture` section. `over_budget[slug]` = (rows, tokens) the budget left out of a weighted
    category; `sources[slug]` the sources its rows came from."""
    achieved = result.achieved
    shares = {slug: a["target"] / 100 for slug, a in achieved.items()}
    units = {slug: int(a["available_units"]) for slug, a in achieved.items()}
    one_copy = {slug: units[slug] / shares[slug] for slug in achieved}  # the budget each category fills at one copy
    binding = min(one_copy, key=one_copy.get)
    largest = one_copy[binding] * max_upsample
    limited_by = "total" if total is not None and total < largest * (1 - 1e-9) else "category"
    rows_left = sum(r for r, _ in over_budget.values())
    explanation = {
        "unit": unit,
        "max_upsample": max_upsample,
        "limited_by": limited_by,
        "binding": {
            "category": binding,
            "weight": weights[binding],
            "rows": int(achieved[binding]["unique_rows"]) + over_budget.get(binding, (0, 0))[0],
            "units": units[binding],
            "sources": list((sources or {}).get(binding, [])),
        },
        "budget": round(result.budget),
        "over_budget": {
            "rows": rows_left,
            "tokens": sum(t for _, t in over_budget.values()),
            "percent_of_curated_rows": round(100 * rows_left / curated_rows, 1) if curated_rows else 0.0,
            "by_category": {slug: {"rows": r, "tokens": t} for slug, (r, t) in over_budget.items() if r},
        },
        "to_use_all": None,
    }
    if rows_left:
        need = max(one_copy.values())
        all_units = sum(units.values())
        explanation["to_use_all"] = {
            "max_upsample": max(1.0, math.ceil(100 * need / one_copy[binding]) / 100),
            "total": math.ceil(need),
            # the units themselves: rounded percentages would leave the odd row out of the richest category
            "weights": dict(units),
            "weights_percent": {slug: round(100 * units[slug] / all_units, 2) for slug in achieved},
        }
    return explanation


def describe_mixture(explanation: dict) -> list[str]:
    """The explanation as sentences, for the build summary and the card."""
    b, left, use = explanation["binding"], explanation["over_budget"], explanation["to_use_all"]
    unit = explanation["unit"].replace("_", " ")
    sources = f" from {', '.join(b['sources'])}" if b["sources"] else ""
    upsample = explanation["max_upsample"]
    repeats = f" up to max_upsample {upsample:g} times" if upsample > 1 else ""
    if explanation["limited_by"] == "total":
        lines = [
            f"mixture.total ({explanation['budget']:,} {unit}) limits the mix; the tightest category is {b['category']}"
        ]
    else:
        lines = [
            f"binding category: {b['category']} (weight {b['weight']:g}; {b['rows']:,} rows, {b['units']:,} {unit}"
            f"{sources}): it uses all its rows{repeats}, and the other categories are cut to their shares of it"
        ]
    if not use:
        return [*lines, "no curated row is left over_budget"]
    by_category = ", ".join(f"{slug} {c['rows']:,}" for slug, c in left["by_category"].items())
    lines.append(
        f"{left['rows']:,} curated rows ({left['percent_of_curated_rows']:g} %) and {left['tokens']:,} tokens stay "
        f"over_budget ({by_category})"
    )
    weights = ", ".join(f"{slug}: {w}" for slug, w in use["weights"].items())
    percent = ", ".join(f"{p:g} %" for p in use["weights_percent"].values())
    grow = f"mixture.max_upsample: {use['max_upsample']:g}"
    reweigh = "weights"
    if explanation["limited_by"] == "total":
        grow = f"mixture.total: {use['total']:,} (or null) with {grow}"
        reweigh = "total: null with weights"
    else:
        grow += (
            f" ({b['category']} rows repeat up to that often; the mix grows to about {use['total']:,} {unit}), or "
            f"mixture.total: {use['total']:,} with that max_upsample"
        )
    lines.append(
        f"to use them: {grow}, or {reweigh} in the curated data's proportions, its {unit} per category {{{weights}}} "
        f"({percent}; every row once)"
    )
    return lines


def check_categories_present(weights: Mapping[str, float], rows: Mapping[str | None, int]) -> None:
    """RecipeError naming every positively weighted category with no rows (`rows`: category -> rows read), all at
    once, before the build finds them one by one."""
    empty = [slug for slug, w in weights.items() if w > 0 and not rows.get(slug)]
    if empty:
        raise RecipeError(
            f"mixture.weights: {missing_categories(empty, weights)} (counted by --dry-run over the rows read)"
        )
