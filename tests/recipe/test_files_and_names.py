"""Recipe files (line numbers, encodings, shapes) and the names a recipe argument or a source path resolves to."""

from __future__ import annotations

import pytest
import yaml

from hermes_data.build.recipe import load_recipe
from hermes_data.errors import DataError, RecipeError
from hermes_data.pairs.recipe import load_pairs_recipe
from hermes_data.recipe import load_yaml, resolve_recipe, resolve_sample
from hermes_data.resources import recipe_path
from hermes_data.sample import sample_path


def test_yaml_mistake_names_the_line(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("name: x\nsources:\n  - path: a\n   limit: 3\n", encoding="utf-8")
    with pytest.raises(RecipeError, match=r"r\.yaml:4: not valid YAML"):
        load_yaml(path)


def test_a_bom_is_accepted_and_utf16_is_named(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_bytes("\ufeffname: café\n".encode())
    assert load_yaml(path) == {"name": "café"}
    path.write_bytes("name: café\n".encode("utf-16"))
    with pytest.raises(RecipeError, match="is UTF-16 text, not UTF-8"):
        load_yaml(path)


def test_latin1_names_the_line_and_byte(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_bytes("name: x\nlicense: caf\xe9\n".encode("latin-1"))
    with pytest.raises(RecipeError, match=r"r\.yaml: the recipe is not a UTF-8 text file \(byte 0xe9 on line 2\)"):
        load_yaml(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "the recipe is empty"), ("# only a comment\n", "got an empty file"), ("- a\n", "got a list")],
)
def test_shapes_that_are_not_a_mapping(tmp_path, content, message):
    path = tmp_path / "r.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RecipeError, match=message):
        load_yaml(path)


def test_recipe_names_and_paths(tmp_path):
    assert resolve_recipe("demo") == recipe_path("demo")
    assert resolve_recipe("pairs-demo") == recipe_path("pairs-demo")
    assert resolve_recipe(str(tmp_path / "mine.yaml")) == tmp_path / "mine.yaml"  # missing: load_yaml names it
    assert resolve_recipe("sub/mine") == tmp_path.__class__("sub/mine")
    with pytest.raises(DataError, match="no shipped recipe 'demoo'; shipped recipes: .*demo"):
        resolve_recipe("demoo")


def test_sample_names():
    assert resolve_sample("sample:") == sample_path("conversations.jsonl")
    assert resolve_sample("sample:candidates.jsonl") == sample_path("candidates.jsonl")
    with pytest.raises(RecipeError, match="'sample:nope.jsonl' is not a file of the embedded sample; use one of"):
        resolve_sample("sample:nope.jsonl")


@pytest.mark.parametrize("loader", [load_recipe, load_pairs_recipe])
def test_a_sample_typo_is_a_recipe_error_when_loading(tmp_path, loader):
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump({"name": "x", "sources": [{"path": "a.jsonl"}, {"path": "sample:nope.jsonl"}],
                                    "output": "out"}), encoding="utf-8")  # fmt: skip
    with pytest.raises(RecipeError, match=r"r\.yaml: sources\.1\.path: 'sample:nope\.jsonl' is not a file"):
        loader(path)
