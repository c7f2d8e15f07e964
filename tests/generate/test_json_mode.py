"""`generator: json_mode` (issue 16): bare JSON answers valid for the recipe's schema, or failed `json_mode_schema`."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hermes_data.errors import RecipeError
from hermes_data.generate.pipeline import generate
from hermes_data.generate.recipe import load_generate_recipe
from hermes_data.markup.json_mode import parse_json_mode_schema
from hermes_data.validate import validate_record

SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "population_m": {"type": "number"}},
    "required": ["city", "population_m"],
}
TASK = {
    "name": "json",
    "generator": "json_mode",
    "category": "tool_use",
    "seeds": ["Give the city and its population for Paris.", "Same for the French capital, in millions."],
    "json_schema": SCHEMA,
}


def _rows(recipe) -> list[dict]:
    return pq.read_table(Path(recipe.output) / "data").to_pylist()


def test_json_mode_rows_are_bare_json_valid_for_the_schema(fake_server, write_recipe):
    server = fake_server()
    recipe = load_generate_recipe(write_recipe(server, [TASK]))
    manifest = generate(recipe)
    rows = _rows(recipe)
    assert manifest["tasks"]["json"]["completed"] == 2 and len(rows) == 2
    for row in rows:
        assert validate_record(row) == []
        system, user, assistant = row["messages"]
        assert json.loads(parse_json_mode_schema(system["content"]).raw) == SCHEMA
        assert user["content"] in TASK["seeds"]
        assert json.loads(assistant["content"]) == {"city": "Paris", "population_m": 2.1}


def test_json_mode_answers_off_the_schema_are_retried_then_fail_with_its_code(fake_server, write_recipe):
    server = fake_server(wrong_rate=1.0, wrong_steps=("json_mode/answer",))
    recipe = load_generate_recipe(write_recipe(server, [TASK], defaults={"max_retries": 1}))
    manifest = generate(recipe)
    assert manifest["rows"] == 0
    assert manifest["tasks"]["json"]["failure_reasons"] == {"json_mode_schema": 2}
    assert len(server.log) == 4  # two attempts per item, each with its own seed
    failures = [json.loads(line) for line in (Path(recipe.output) / "failures.jsonl").read_text().splitlines()]
    assert {f["reason"] for f in failures} == {"json_mode_schema"}


def test_a_json_mode_task_without_a_schema_is_a_recipe_error(write_recipe):
    task = {k: v for k, v in TASK.items() if k != "json_schema"}
    with pytest.raises(RecipeError, match="json_schema"):
        load_generate_recipe(write_recipe(None, [task], endpoints={"teacher": {"base_url": "http://x", "model": "m"}}))


def test_an_answer_off_the_schema_is_asked_again_and_the_retry_kept(fake_server, write_recipe):
    server = fake_server(wrong_rate=0.5, wrong_steps=("json_mode/answer",), seed=3)
    task = {**TASK, "seeds": [f"Paris facts, take {i}." for i in range(6)]}
    recipe = load_generate_recipe(write_recipe(server, [task], defaults={"max_retries": 6}))
    manifest = generate(recipe)
    rows = _rows(recipe)
    attempts = [json.loads(row["meta"])["generation"][0]["attempt"] for row in rows]
    assert manifest["tasks"]["json"]["completed"] == 6
    assert any(a > 0 for a in attempts)  # some first answers were off the schema and were replaced
    assert len(server.log) == 6 + sum(attempts)
    assert manifest["retries"] == {"json_mode_schema": sum(attempts)}
    assert all(validate_record(row) == [] for row in rows)
