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


def test_a_schema_file_is_read_and_checked_when_the_recipe_loads(fake_server, write_recipe, tmp_path):
    (tmp_path / "city.json").write_text(json.dumps(SCHEMA))
    server = fake_server()
    recipe = load_generate_recipe(write_recipe(server, [{**TASK, "json_schema": "city.json"}]))
    assert recipe.tasks[0].json_schema == SCHEMA  # the resolved recipe saved beside the output holds the schema
    generate(recipe)
    assert all(json.loads(parse_json_mode_schema(r["messages"][0]["content"]).raw) == SCHEMA for r in _rows(recipe))
    (tmp_path / "bad.json").write_text('{"type": 5}')
    with pytest.raises(RecipeError, match=r"recipe.yaml: tasks.0: json_schema: not a valid JSON Schema"):
        load_generate_recipe(write_recipe(server, [{**TASK, "json_schema": "bad.json"}]))


def test_each_seed_row_may_bring_its_own_schema(fake_server, write_recipe, tmp_path):
    # real JSON-mode data often writes the schema as a Python literal (DESIGN §4)
    rows = [{"prompt": "Paris, as data.", "schema": str(SCHEMA)}, {"prompt": "x", "schema": '{"type": 5}'}]
    (tmp_path / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    server = fake_server()
    task = {**TASK, "json_schema": None, "seeds": "rows.jsonl", "schema_column": "schema"}
    recipe = load_generate_recipe(write_recipe(server, [{k: v for k, v in task.items() if v is not None}]))
    manifest = generate(recipe)
    (row,) = _rows(recipe)
    assert json.loads(parse_json_mode_schema(row["messages"][0]["content"]).raw) == SCHEMA
    assert manifest["tasks"]["json"]["failure_reasons"] == {"tools_invalid": 1}


def test_without_a_schema_the_teacher_writes_one_for_the_topic(fake_server, write_recipe):
    server = fake_server()
    task = {"name": "json", "generator": "json_mode", "category": "tool_use", "count": 2, "topics": ["cities"]}
    recipe = load_generate_recipe(write_recipe(server, [task]))
    generate(recipe)
    rows = _rows(recipe)
    assert len(rows) == 2 and all(validate_record(r) == [] for r in rows)
    steps = [s["step"] for s in json.loads(rows[0]["meta"])["generation"]]
    assert steps == ["json_mode/schema", "json_mode/request", "json_mode/answer"]
    assert json.loads(parse_json_mode_schema(rows[0]["messages"][0]["content"]).raw) == SCHEMA
    assert rows[0]["messages"][1]["content"] == "Give the city and its population for Paris."


def test_a_teacher_schema_that_is_not_json_schema_is_asked_again_then_fails(fake_server, write_recipe):
    server = fake_server(wrong_rate=1.0, wrong_steps=("json_mode/schema",))
    task = {"name": "json", "generator": "json_mode", "category": "tool_use", "count": 1}
    recipe = load_generate_recipe(write_recipe(server, [task], defaults={"max_retries": 1}))
    manifest = generate(recipe)
    assert manifest["tasks"]["json"]["failure_reasons"] == {"tools_invalid": 1} and len(server.log) == 2


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
