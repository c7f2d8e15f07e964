"""Build recipes: strict validation with errors that name the field."""

from __future__ import annotations

import pytest
import yaml

from hermes_data.build.recipe import load_recipe
from hermes_data.errors import RecipeError


def _write(tmp_path, data):
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


BASE = {"name": "t", "sources": [{"path": "data.jsonl", "category": "math"}], "output": "out/t"}


def _recipe(**changes):
    data = yaml.safe_load(yaml.safe_dump(BASE))
    data.update(changes)
    return data


def test_defaults_follow_the_paper(tmp_path):
    recipe = load_recipe(_write(tmp_path, BASE))
    assert recipe.filters.max_tokens == 8192 and recipe.mixture.weights["general"] == 60.6
    assert recipe.mixture.unit == "tokens" and recipe.dedup.near.threshold == 0.8
    assert recipe.sources[0].path == str(tmp_path / "data.jsonl")  # relative to the recipe's folder


def test_unknown_key_lists_allowed_keys(tmp_path):
    with pytest.raises(RecipeError) as err:
        load_recipe(_write(tmp_path, _recipe(filtres={"min_tokens": 3})))
    assert "unknown key 'filtres'" in str(err.value) and "filters" in str(err.value)


def test_nested_typo_names_the_path(tmp_path):
    with pytest.raises(RecipeError) as err:
        load_recipe(_write(tmp_path, _recipe(filters={"min_token": 3})))
    assert "filters.min_token" in str(err.value) and "min_tokens" in str(err.value)


def test_unknown_category_slug(tmp_path):
    data = _recipe(sources=[{"path": "x.jsonl", "category": "maths"}])
    with pytest.raises(RecipeError) as err:
        load_recipe(_write(tmp_path, data))
    assert "sources.0.category" in str(err.value) and "maths" in str(err.value)


@pytest.mark.parametrize(
    ("weights", "expected"),
    [({"math": -1.0, "general": 2.0}, "negative"), ({"math": 0, "general": 0}, "all weights are zero")],
)
def test_bad_weights(tmp_path, weights, expected):
    with pytest.raises(RecipeError) as err:
        load_recipe(_write(tmp_path, _recipe(mixture={"weights": weights})))
    assert "mixture.weights" in str(err.value) and expected in str(err.value)


def test_wrong_type_shows_value(tmp_path):
    with pytest.raises(RecipeError) as err:
        load_recipe(_write(tmp_path, _recipe(filters={"min_tokens": "many"})))
    assert "filters.min_tokens" in str(err.value) and "'many'" in str(err.value)


def test_overrides_with_dotted_keys(tmp_path):
    recipe = load_recipe(_write(tmp_path, BASE), {"filters.min_tokens": 4, "seed": 7})
    assert recipe.filters.min_tokens == 4 and recipe.seed == 7


def test_bad_yaml_names_line(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("name: t\nsources: [\n", encoding="utf-8")
    with pytest.raises(RecipeError) as err:
        load_recipe(path)
    assert str(path) in str(err.value) and "YAML" in str(err.value)
