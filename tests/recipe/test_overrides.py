"""`--set` overrides: YAML values, dotted keys into nested settings and list items, one-line mistakes."""

from __future__ import annotations

import pytest

from hermes_data.build.recipe import load_recipe
from hermes_data.errors import RecipeError
from hermes_data.recipe import apply_overrides, parse_overrides
from hermes_data.resources import recipe_path


def test_values_are_yaml():
    assert parse_overrides(["a=10", "b=[x, y]", "c='10'", "d=", "e=null", "f=a=b"]) == {
        "a": 10,
        "b": ["x", "y"],
        "c": "10",
        "d": None,
        "e": None,
        "f": "a=b",
    }


def test_unclosed_value_is_one_line_naming_the_set():
    with pytest.raises(RecipeError) as caught:
        parse_overrides(["name=[unclosed"])
    message = str(caught.value)
    assert message.startswith("--set name=[unclosed: not a valid YAML value") and "quote it" in message
    assert "\n" not in message


def test_a_list_item_of_the_demo_recipe():
    recipe = load_recipe(recipe_path("demo"), parse_overrides(["sources.0.limit=10", "sources.-1.model=m"]))
    assert recipe.sources[0].limit == 10 and recipe.sources[0].model is None
    assert recipe.sources[1].limit is None and recipe.sources[1].model == "m"


def test_missing_and_null_sections_are_created():
    data = {"name": "x", "mixture": None, "sources": [{"path": "a"}]}
    apply_overrides(data, {"filters.min_tokens": 8, "mixture.total": 5, "sources.0.format": "openai"})
    assert data == {"name": "x", "mixture": {"total": 5}, "filters": {"min_tokens": 8},
                    "sources": [{"path": "a", "format": "openai"}]}  # fmt: skip


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("sources.3.limit", "--set sources.3.limit: sources has 1 item(s), no sources.3 (indexes 0 to 0)"),
        ("sources.first.limit", "--set sources.first.limit: sources is a list; name an item by its index"),
        ("sources.--1.limit", "--set sources.--1.limit: sources is a list; name an item by its index"),
        ("name.x", "--set name.x: name is 'x', not a mapping or a list; set name itself"),
        ("sources.0.path.x", "--set sources.0.path.x: sources.0.path is 'a', not a mapping"),
    ],
)
def test_a_key_that_cannot_be_reached_is_named(key, message):
    with pytest.raises(RecipeError, match="^" + message.replace(".", r"\.").replace("(", r"\(").replace(")", r"\)")):
        apply_overrides({"name": "x", "sources": [{"path": "a"}]}, {key: 1})


def test_an_empty_list_says_so():
    with pytest.raises(RecipeError, match=r"tasks has 0 item\(s\), no tasks\.0 \(indexes none: the list is empty\)"):
        apply_overrides({"tasks": []}, {"tasks.0.name": "t"})


def test_without_equals():
    with pytest.raises(RecipeError, match="expected key=value"):
        parse_overrides(["epochs"])
