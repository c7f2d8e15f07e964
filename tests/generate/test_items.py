from __future__ import annotations

import pytest

from hermes_data.errors import DataError
from hermes_data.generate.items import build_items
from hermes_data.generate.recipe import GenerateRecipe, TaskSpec
from hermes_data.generate.seeds import iter_seeds

ENDPOINTS = {"a": {"base_url": "http://x/v1", "model": "m"}, "b": {"base_url": "http://y/v1", "model": "n"}}


def load_seeds(task: TaskSpec) -> list[str]:
    return [seed.prompt for seed in iter_seeds(task)]


def _recipe(task: dict) -> GenerateRecipe:
    return GenerateRecipe.model_validate(
        {"name": "g", "endpoints": ENDPOINTS, "defaults": {"endpoint": "a"}, "tasks": [task], "output": "o"}
    )


def test_keys_cross_endpoints_and_samples_and_limit_cuts_in_order():
    recipe = _recipe({"name": "c", "category": "coding", "seeds": ["p0", "p1"], "endpoints": ["a", "b"], "samples": 2})
    items = build_items(recipe, recipe.tasks[0])
    assert [i.key for i in items[:4]] == ["00000.a.0", "00000.a.1", "00000.b.0", "00000.b.1"]
    assert len(items) == 8 and {i.input for i in items} == {"p0", "p1"} and all(i.from_seed for i in items)
    assert [i.key for i in build_items(recipe, recipe.tasks[0], limit=3)] == ["00000.a.0", "00000.a.1", "00000.b.0"]


def test_count_cycles_topics_with_plain_keys():
    recipe = _recipe({"name": "m", "category": "math", "count": 3, "topics": ["algebra", "geometry"]})
    items = build_items(recipe, recipe.tasks[0])
    assert [(i.key, i.input, i.endpoint) for i in items] == [
        ("00000", "algebra", "a"),
        ("00001", "geometry", "a"),
        ("00002", "algebra", "a"),
    ]
    assert not items[0].from_seed


def test_seed_file_rows_and_errors_name_the_line(tmp_path):
    good = tmp_path / "seeds.jsonl"
    good.write_text('{"prompt": "Say hi."}\n\n{"instruction": "Count to 3."}\n')
    recipe = _recipe({"name": "t", "category": "general", "seeds": str(good)})
    assert load_seeds(recipe.tasks[0]) == ["Say hi.", "Count to 3."]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "ok"}\n{"prompt": \n')
    with pytest.raises(DataError, match=r"bad.jsonl:2: not valid JSON"):
        load_seeds(_recipe({"name": "t", "category": "general", "seeds": str(bad)}).tasks[0])
    (tmp_path / "nofield.jsonl").write_text('{"answer": "x"}\n')
    with pytest.raises(DataError, match=r"nofield.jsonl:1: a seed row needs a text field"):
        load_seeds(_recipe({"name": "t", "category": "general", "seeds": str(tmp_path / "nofield.jsonl")}).tasks[0])


def test_dataset_column_seeds(tmp_path):
    # `hub:` takes anything datasets.load_dataset takes; a local folder keeps the test offline
    (tmp_path / "ds").mkdir()
    rows = '{"question": "Why is ice slippery?"}\n{"question": "What is rust?"}\n'
    (tmp_path / "ds" / "train.jsonl").write_text(rows)
    task = {"name": "t", "category": "general", "seeds": {"hub": str(tmp_path / "ds"), "column": "question"}}
    assert load_seeds(_recipe(task).tasks[0]) == ["Why is ice slippery?", "What is rust?"]
    with pytest.raises(DataError, match="no column 'prompt'; columns: question"):
        load_seeds(_recipe({**task, "seeds": {"hub": str(tmp_path / "ds")}}).tasks[0])
    with pytest.raises(DataError, match=r"hub:.*nowhere: cannot stream the seeds \(.*\); check name, split"):
        load_seeds(_recipe({**task, "seeds": {"hub": str(tmp_path / "nowhere")}}).tasks[0])
