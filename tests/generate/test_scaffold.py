"""Figure 9 scaffolds for coding (issue 16): every section, in order, numbered from 1; a missing REFLECTION is its own
failure code; answers of plain coding tasks are not held to it."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fakeopenai import _scaffold_answer

from hermes_data.errors import RecipeError
from hermes_data.generate.pipeline import generate
from hermes_data.generate.recipe import load_generate_recipe
from hermes_data.generate.scaffold import check_figure9
from hermes_data.validate import validate_record

TASK = {"name": "agentic-code", "category": "coding", "scaffold": "figure9", "seeds": ["Write add(a, b)."]}
GOOD = _scaffold_answer(wrong=False)


def test_the_full_scaffold_passes():
    assert check_figure9(GOOD) is None


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (lambda t: t.replace("<DIAGRAM>", "<SKETCH>").replace("</DIAGRAM>", "</SKETCH>"), "scaffold_missing_diagram"),
        (lambda t: t.split("<UNIT_TEST>")[0], "scaffold_missing_unit_test"),
        (lambda t: t.replace("<STEP_2>Return a + b.</STEP_2>", "<STEP_3>Return a + b.</STEP_3>"), "scaffold_numbering"),
        (lambda t: t.replace("THOUGHT_1", "THOUGHT_0"), "scaffold_numbering"),
        (  # the solution inside the scratchpad
            lambda t: t.replace("</SCRATCHPAD>\n<SOLUTION>", "<SOLUTION>").replace(
                "</SOLUTION>", "</SOLUTION></SCRATCHPAD>"
            ),
            "scaffold_order",
        ),
    ],
)
def test_each_departure_has_its_code(edit, code):
    problem = check_figure9(edit(GOOD))
    assert (problem[0] if problem else None) == code


def test_sections_out_of_order_are_rejected():
    plan = GOOD[GOOD.index("<PLAN>") : GOOD.index("</PLAN>") + len("</PLAN>\n")]
    text = GOOD.replace(plan, "").replace("<REFLECTION>", plan + "<REFLECTION>")
    code, message = check_figure9(text)
    assert code == "scaffold_order" and "RESTATEMENT, REASONING, PYDANTIC_SCHEMAS, DIAGRAM, PLAN, REFLECTION" in message


def test_tags_quoted_in_code_are_not_sections():
    text = GOOD.replace("<REFLECTION>Negative numbers and zero need tests too.</REFLECTION>\n", "")
    text = text.replace("return a + b\n", 'return a + b  # "<REFLECTION>x</REFLECTION>"\n')
    assert check_figure9(text)[0] == "scaffold_missing_reflection"


def _rows(recipe) -> list[dict]:
    return pq.read_table(Path(recipe.output) / "data").to_pylist()


def test_scaffold_rows_follow_figure9_and_validate(fake_server, write_recipe):
    server = fake_server()
    recipe = load_generate_recipe(write_recipe(server, [TASK]))
    generate(recipe)
    (row,) = _rows(recipe)
    system, _, answer = row["messages"]
    assert "<PYDANTIC_SCHEMAS>" in system["content"] and "<REFLECTION>" in system["content"]
    assert answer["content"] == GOOD
    assert validate_record(row) == []


def test_a_scaffold_missing_its_reflection_is_retried_then_fails_with_its_code(fake_server, write_recipe):
    server = fake_server(wrong_rate=1.0, wrong_steps=("coding/answer",))
    recipe = load_generate_recipe(write_recipe(server, [TASK], defaults={"max_retries": 1}))
    manifest = generate(recipe)
    assert manifest["rows"] == 0
    assert manifest["tasks"]["agentic-code"]["failure_reasons"] == {"scaffold_missing_reflection": 1}
    assert len(server.log) == 2  # asked again with another seed before the item failed
    (failure,) = [json.loads(x) for x in (Path(recipe.output) / "failures.jsonl").read_text().splitlines()]
    assert "REFLECTION" in failure["detail"]


def test_scaffold_on_another_generator_is_a_recipe_error(write_recipe):
    with pytest.raises(RecipeError, match="scaffold applies to the coding generator"):
        endpoints = {"teacher": {"base_url": "http://x", "model": "m"}}
        load_generate_recipe(write_recipe(None, [{**TASK, "category": "math"}], endpoints=endpoints))
