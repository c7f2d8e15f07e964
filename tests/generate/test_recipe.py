from __future__ import annotations

import pytest
import yaml

from hermes_data.errors import RecipeError
from hermes_data.generate.recipe import load_generate_recipe

BASE = {
    "name": "g",
    "endpoints": {"teacher": {"base_url": "http://127.0.0.1:1/v1", "model": "m"}},
    "tasks": [{"name": "t", "category": "general", "seeds": ["Say hi."]}],
    "output": "out",
}


def _load(tmp_path, data):
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data))
    return load_generate_recipe(path)


def _with(**changes):
    data = yaml.safe_load(yaml.safe_dump(BASE))
    data.update(changes)
    return data


def test_category_picks_its_generator_and_paths_resolve(tmp_path):
    recipe = _load(tmp_path, _with(tasks=[{"name": "t", "category": "general", "seeds": "seeds.jsonl"}]))
    task = recipe.tasks[0]
    assert task.generator == "evol" and task.evolve is not None and task.evolve.rounds == 3
    assert task.seeds == str(tmp_path / "seeds.jsonl")
    assert recipe.journal.endswith("out.journal.sqlite")


def test_unknown_key_lists_allowed_keys(tmp_path):
    data = _with()
    data["endpoints"]["teacher"]["max_concurency"] = 4
    with pytest.raises(
        RecipeError, match=r"endpoints.teacher: unknown key 'max_concurency'; allowed keys: .*max_concurrency"
    ):
        _load(tmp_path, data)


def test_unknown_endpoint_and_late_judge_input_are_named(tmp_path):
    tasks = [{"name": "t", "category": "general", "seeds": ["x"], "endpoint": "other"}]
    with pytest.raises(RecipeError, match="unknown endpoint 'other'"):
        _load(tmp_path, _with(tasks=tasks))
    tasks = [{"name": "j", "generator": "judge", "input": "t"}, {"name": "t", "category": "general", "seeds": ["x"]}]
    with pytest.raises(RecipeError, match="must name an earlier task"):
        _load(tmp_path, _with(tasks=tasks))


def test_task_needs_seeds_or_count(tmp_path):
    with pytest.raises(RecipeError, match="seeds .* or count"):
        _load(tmp_path, _with(tasks=[{"name": "t", "category": "math"}]))
    assert _load(tmp_path, _with(tasks=[{"name": "t", "category": "math", "count": 2}])).tasks[0].generator == "math"


def test_several_endpoints_need_a_default(tmp_path):
    endpoints = {"a": {"base_url": "http://x/v1", "model": "m"}, "b": {"base_url": "http://y/v1", "model": "n"}}
    with pytest.raises(RecipeError, match="defaults.endpoint"):
        _load(tmp_path, _with(endpoints=endpoints))
