"""The mixture's explanation: the binding category, what stays over_budget, and figures that really use the rest."""

from __future__ import annotations

import numpy as np
import pytest

from hermes_data.errors import RecipeError
from hermes_data.mixture.balance import balance
from hermes_data.mixture.explain import check_categories_present, describe_mixture, explain_mixture

# 91 short identity rows (steering) and 600 longer general rows, as in issue 13
CATEGORIES = np.array(["steering"] * 91 + ["general"] * 600, dtype=object)
UNITS = np.concatenate([np.full(91, 40), np.random.default_rng(0).integers(200, 600, 600)])
WEIGHTS = {"general": 97.5, "steering": 2.5}


def _explain(weights=WEIGHTS, **options):
    result = balance(CATEGORIES, UNITS, weights, **options)
    left = result.counts == 0
    over = {}
    for slug in weights:
        out = left & np.equal(CATEGORIES, slug)
        over[slug] = (int(out.sum()), int(UNITS[out].sum()))
    explanation = explain_mixture(
        result,
        weights,
        unit="tokens",
        total=options.get("total"),
        max_upsample=options.get("max_upsample", 1.0),
        over_budget=over,
        curated_rows=len(CATEGORIES),
        sources={"steering": ["identity.jsonl"], "general": ["chat.jsonl"]},
    )
    return result, explanation


def test_binding_category_and_what_is_left():
    result, explained = _explain()
    assert explained["limited_by"] == "category"
    assert explained["binding"] == {
        "category": "steering",
        "weight": 2.5,
        "rows": 91,
        "units": 91 * 40,
        "sources": ["identity.jsonl"],
    }
    left = result.counts == 0
    assert explained["over_budget"]["rows"] == int(left.sum()) > 200
    assert explained["over_budget"]["tokens"] == int(UNITS[left].sum())
    assert explained["over_budget"]["by_category"] == {
        "general": {"rows": int(left.sum()), "tokens": int(UNITS[left].sum())}
    }
    text = " ".join(describe_mixture(explained))
    assert "binding category: steering (weight 2.5; 91 rows, 3,640 tokens from identity.jsonl)" in text
    assert f"mixture.max_upsample: {explained['to_use_all']['max_upsample']:g}" in text


@pytest.mark.parametrize("which", ["max_upsample", "total", "weights"])
def test_each_suggestion_uses_every_curated_row(which):
    _, explained = _explain()
    use = explained["to_use_all"]
    options = {
        "max_upsample": {"max_upsample": use["max_upsample"]},
        "total": {"total": use["total"], "max_upsample": use["max_upsample"]},
        "weights": {},
    }[which]
    weights = use["weights"] if which == "weights" else WEIGHTS
    result = balance(CATEGORIES, UNITS, weights, **options)
    assert (result.counts > 0).all()
    _, again = _explain(weights, **options)
    assert again["to_use_all"] is None and again["over_budget"]["rows"] == 0


def test_less_than_the_suggested_upsampling_leaves_rows_out():
    _, explained = _explain()
    result = balance(CATEGORIES, UNITS, WEIGHTS, max_upsample=explained["to_use_all"]["max_upsample"] * 0.9)
    assert (result.counts == 0).any()


def test_a_total_below_the_largest_mix_is_what_limits_it():
    _, explained = _explain(total=5000)
    assert explained["limited_by"] == "total"
    assert describe_mixture(explained)[0].startswith("mixture.total (5,000 tokens) limits the mix")


def test_every_weighted_category_without_rows_is_named_at_once_with_its_written_weight():
    with pytest.raises(RecipeError) as info:
        check_categories_present({"general": 60.6, "roleplay": 6.1, "coding": 4.5, "math": 0}, {"general": 10})
    message = str(info.value)
    assert message.startswith("mixture.weights: roleplay (weight 6.1), coding (weight 4.5) have a weight but no rows")
    assert "math" not in message
    check_categories_present({"general": 1, "math": 0}, {"general": 3, None: 2})  # nothing missing: no error
