"""Token-share balancing: shares hit targets, budgets hold, upsampling is bounded and reported, errors name the fix."""

from __future__ import annotations

import numpy as np
import pytest

from hermes_data.categories import PAPER_SHARES, SLUGS
from hermes_data.errors import RecipeError
from hermes_data.mixture.balance import NO_CATEGORY, balance


def _data(num_rows: int = 6000, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Categories drawn evenly (so `general` is the short one at 60 %) and log-normal token lengths (20..~20k)."""
    rng = np.random.default_rng(seed)
    categories = rng.choice(np.array(SLUGS), size=num_rows)
    units = np.clip(rng.lognormal(mean=6.0, sigma=1.0, size=num_rows), 20, None).astype(np.int64)
    return categories, units


def _max_gap(result) -> float:
    return max(abs(a["share"] - a["target"]) for a in result.achieved.values())


def test_largest_mix_hits_paper_shares_within_half_a_point():
    categories, units = _data()
    result = balance(categories, units, PAPER_SHARES)
    assert _max_gap(result) < 0.5
    # the binding category (general: most share, fewest units per share) uses every one of its rows, once
    general = categories == "general"
    assert (result.counts[general] == 1).all()
    assert result.counts.max() == 1
    assert result.total == int((result.counts * units).sum())
    assert sum(a["units"] for a in result.achieved.values()) == result.total


def test_targets_are_the_normalized_weights():
    categories, units = _data(2000)
    result = balance(categories, units, {"math": 3, "coding": 1})
    assert result.achieved["math"]["target"] == pytest.approx(75.0)
    assert result.achieved["coding"]["target"] == pytest.approx(25.0)
    assert _max_gap(result) < 0.5


def test_total_budget_is_respected():
    categories, units = _data()
    budget = 0.5 * float(units.sum()) * 0.2  # well inside what every category can give
    result = balance(categories, units, PAPER_SHARES, total=budget)
    assert result.budget == budget
    assert abs(result.total - budget) / budget < 0.005
    assert _max_gap(result) < 0.5
    assert result.counts.max() == 1


def test_cut_lands_closest_to_the_category_budget():
    # four rows of 5 units: a budget of 12 takes 2 rows (10, off by 2) rather than 3 (15, off by 3)
    result = balance(["math"] * 4, [5, 5, 5, 5], {"math": 1}, total=12)
    assert result.total == 10
    assert result.counts.sum() == 2


def test_rows_as_unit_balances_row_counts():
    categories = np.array(["general"] * 900 + ["math"] * 300)
    result = balance(categories, np.ones(1200, dtype=np.int64), {"general": 2, "math": 1})
    assert result.achieved["general"]["rows"] == 600
    assert result.achieved["math"]["rows"] == 300


def test_max_upsample_repeats_rows_and_reports_them():
    categories, units = _data()
    plain = balance(categories, units, PAPER_SHARES)
    result = balance(categories, units, PAPER_SHARES, max_upsample=2.5)
    general = result.achieved["general"]
    assert result.total > 2 * plain.total
    assert general["upsample"] == pytest.approx(2.5, abs=0.01)
    assert general["upsample"] <= 2.5
    assert general["repeated_rows"] == general["unique_rows"]  # every general row appears 2 or 3 times
    assert result.counts.max() == 3
    assert general["rows"] > general["unique_rows"]
    assert _max_gap(result) < 0.5


def test_upsampling_is_only_used_where_needed():
    categories, units = _data()
    budget = 0.1 * float(units.sum())
    result = balance(categories, units, PAPER_SHARES, total=budget, max_upsample=3.0)
    assert result.counts.max() == 1
    assert all(a["repeated_rows"] == 0 for a in result.achieved.values())


def test_same_seed_same_mix_other_seed_other_rows():
    categories, units = _data()
    budget = 0.05 * float(units.sum())
    first = balance(categories, units, PAPER_SHARES, total=budget, seed=7)
    again = balance(list(categories), units.tolist(), PAPER_SHARES, total=budget, seed=7)
    other = balance(categories, units, PAPER_SHARES, total=budget, seed=8)
    assert np.array_equal(first.counts, again.counts)
    assert not np.array_equal(first.counts, other.counts)


def test_a_category_pick_does_not_depend_on_other_categories():
    categories, units = _data()
    weights = {"math": 1, "coding": 1}
    before = balance(categories, units, weights, total=200_000)
    extra_coding = np.concatenate([categories, np.array(["coding"] * 50)])
    extra_units = np.concatenate([units, np.full(50, 300)])
    after = balance(extra_coding, extra_units, weights, total=200_000)
    math = categories == "math"
    assert np.array_equal(before.counts[math], after.counts[: len(categories)][math])


def test_unweighted_categories_are_dropped_and_counted():
    categories = ["general", "math", "roleplay", None, "roleplay"]
    result = balance(categories, [10, 10, 10, 10, 10], {"general": 1, "math": 1, "roleplay": 0})
    assert result.dropped == {"roleplay": 2, NO_CATEGORY: 1}
    assert result.counts.tolist() == [1, 1, 0, 0, 0]
    assert set(result.achieved) == {"general", "math"}


def test_weighted_categories_without_rows_are_one_error_naming_each_with_its_weight():
    with pytest.raises(RecipeError) as info:
        balance(["general", "math"], [10, 10], {"general": 1, "math": 1, "steering": 2.5, "roleplay": 6.1})
    message = str(info.value)
    assert message.startswith("mixture.weights: steering (weight 2.5), roleplay (weight 6.1) have a weight but no rows")
    assert "set their weights to 0" in message


def test_category_with_rows_but_no_units_is_an_error():
    with pytest.raises(RecipeError, match=r"math \(1, 2 rows\) has rows but 0 output_tokens"):
        balance(["general", "math", "math"], [10, 0, 0], {"general": 1, "math": 1}, unit_name="output_tokens")


def test_unreachable_total_names_the_category_and_the_missing_units():
    categories = ["general"] * 10 + ["math"] * 10
    units = [100] * 10 + [10] * 10  # general holds 1,000 tokens, math 100
    with pytest.raises(RecipeError) as info:
        balance(categories, units, {"general": 1, "math": 1}, total=1000, unit_name="tokens")
    message = str(info.value)
    assert "'math' (weight 1) needs 500 tokens but has 100 × max_upsample 1 = 100, 400 tokens missing" in message
    assert "at most 200" in message
    assert "general" not in message.split("Lower")[0]
    # the same budget fits once math may repeat 5 times
    result = balance(categories, units, {"general": 1, "math": 1}, total=1000, max_upsample=5)
    assert result.achieved["math"]["units"] == 500


@pytest.mark.parametrize(
    ("weights", "kwargs", "pattern"),
    [
        ({"general": 1, "math": -1}, {}, r"mixture\.weights\.math: weight -1 is not a share"),
        ({"general": 0, "math": 0}, {}, r"all weights are zero"),
        ({}, {}, r"all weights are zero"),
        ({"general": 1}, {"max_upsample": 0.5}, r"mixture\.max_upsample: 0\.5 is below 1"),
        ({"general": 1}, {"total": 0}, r"mixture\.total: 0 is not a positive budget"),
    ],
)
def test_bad_settings_are_recipe_errors(weights, kwargs, pattern):
    with pytest.raises(RecipeError, match=pattern):
        balance(["general", "math"], [10, 10], weights, **kwargs)


def test_mismatched_lengths_are_a_programming_error():
    with pytest.raises(ValueError, match="differ in length"):
        balance(["general", "math"], [10], {"general": 1})
