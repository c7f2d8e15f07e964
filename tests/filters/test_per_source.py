"""Per-source filter settings (`sources[].filters`): each source's rows get its own setting, in one stage list."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from hermes_data.build.annotate import annotate
from hermes_data.build.recipe import BuildRecipe
from hermes_data.build.stages import build_stages
from hermes_data.errors import RecipeError
from hermes_data.recipe_errors import parse_model
from hermes_data.record import make_record
from hermes_data.stages import Funnel, run_stages

REFUSAL = "I'm sorry, but I can't help with that request."
NO_TOOL = "I apologize, but I am unable to book flights as none of the available functions supports it."
ANSWER = "Tides come from the moon's pull on the oceans, with the sun adding a smaller pull. " * 3


def chat(user: str, reply: str) -> list[dict]:
    return [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]


@pytest.fixture
def two_sources(tokenizer):
    """The working table of two sources (`_source` 0 and 1), each with an answer and a refusal."""

    def make(rows_per_source: list[list[list[dict]]]) -> pa.Table:
        batches, row = [], 0
        for index, conversations in enumerate(rows_per_source):
            records = [make_record(m, id=f"s{index}-{i}", category="general") for i, m in enumerate(conversations)]
            for batch in annotate(records, tokenizer, source_index=index, start_row=row, repairs=(), model_priority=[]):
                batches.append(batch)
                row += batch.num_rows
        return pa.concat_tables(batches)

    return make


def _recipe(*source_filters: dict | None, **top) -> BuildRecipe:
    sources = [
        {"path": f"s{i}.jsonl", **({"filters": f} if f is not None else {})} for i, f in enumerate(source_filters)
    ]
    return BuildRecipe.model_validate(
        {"name": "r", "output": "out", "sources": sources, "dedup": {"near": None}, **top}
    )


def _run(table: pa.Table, recipe: BuildRecipe):
    funnel = Funnel()
    done = run_stages(table, build_stages(recipe), funnel)
    rejected = pa.concat_tables(done.rejected).to_pylist() if done.rejected else []
    return done.table.column("id").to_pylist(), rejected, funnel


def test_refusals_off_for_one_source_drops_only_the_others(two_sources):
    table = two_sources(
        [
            [chat("Explain tides.", ANSWER), chat("Book me a flight to Oslo.", NO_TOOL)],
            [chat("Explain tides, please.", ANSWER + " Also winds."), chat("Write a poem about cats.", REFUSAL)],
        ]
    )
    kept, rejected, funnel = _run(table, _recipe({"refusals": False}, None))
    assert kept == ["s0-0", "s0-1", "s1-0"]
    assert [(r["id"], r["stage"], r["reason"]) for r in rejected] == [("s1-1", "refusals", "refusal")]
    assert json.loads(rejected[0]["detail"])["sentence"] == REFUSAL
    # without the override both refusals go
    kept, _, _ = _run(table, _recipe(None, None))
    assert kept == ["s0-0", "s1-0"]


def test_a_stage_off_at_the_top_runs_for_the_source_that_turns_it_on(two_sources):
    table = two_sources([[chat("Write a poem about cats.", REFUSAL)], [chat("Write a poem about dogs.", REFUSAL)]])
    recipe = _recipe(None, {"refusals": True}, filters={"refusals": False})
    assert "refusals" in [s.name for s in build_stages(recipe)]
    kept, rejected, _ = _run(table, recipe)
    assert kept == ["s0-0"] and [r["id"] for r in rejected] == ["s1-0"]


def test_length_limit_per_source(two_sources):
    long_reply = ANSWER * 12
    table = two_sources(
        [[chat("Explain tides at length.", long_reply)], [chat("Explain tides at length!", long_reply)]]
    )
    tokens = table.column("_input_tokens").to_pylist()[0] + table.column("_output_tokens").to_pylist()[0]
    recipe = _recipe({"max_tokens": tokens + 100}, None, filters={"max_tokens": tokens - 100})
    kept, rejected, funnel = _run(table, recipe)
    assert kept == ["s0-0"]
    assert json.loads(rejected[0]["detail"]) == {"limit": tokens - 100, "tokens": tokens}
    assert [(e["stage"], e["reason"], e["rows"]) for e in funnel.entries] == [("length", "too_long", 1)]


def test_overrides_are_in_the_dump_the_cache_key_and_manifest_read():
    plain, override = _recipe(None, None), _recipe({"refusals": False}, None)
    dumped = override.model_dump(mode="json")["sources"]
    assert dumped[0]["filters"] == {"refusals": False} and dumped[1]["filters"] is None
    sections = ("sources", "filters")
    assert plain.section_sha256(*sections) != override.section_sha256(*sections)
    assert override.source_filters()[0].refusals is False and override.source_filters()[1].refusals is True


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"refusal": False}, "r.yaml: unknown key 'sources.0.filters.refusal'; allowed keys: drop_invalid, "),
        ({"max_tokens": 0}, "r.yaml: sources.0.filters.max_tokens: Input should be greater than 0 (got 0)"),
        ({"model_priority": ["a"]}, "r.yaml: sources.0.filters: model_priority ranks models across all sources"),
    ],
)
def test_bad_overrides_are_one_line_errors_naming_the_key(filters, message):
    data = {"name": "r", "output": "out", "sources": [{"path": "a.jsonl", "filters": filters}]}
    with pytest.raises(RecipeError) as info:
        parse_model(BuildRecipe, data, "r.yaml")
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_override_invalid_only_with_the_recipes_filters_names_the_source_key():
    recipe = _recipe({"min_tokens": 9000}, filters={"max_tokens": 4096})
    with pytest.raises(RecipeError, match=r"^sources\.0\.filters\.min_tokens: min_tokens \(9000\) must be below max"):
        recipe.source_filters()


def test_rows_a_stage_counts_but_keeps_are_counted_only_where_it_runs(two_sources):
    german = "Die Gezeiten entstehen durch die Anziehungskraft des Mondes auf die Ozeane der Erde, jeden Tag zweimal."
    table = two_sources(
        [[chat("Erkläre die Gezeiten.", german)], [chat("Erkläre bitte die Gezeiten.", german + " Ja.")]]
    )
    _, _, funnel = _run(table, _recipe({"refusals": False}, None))
    assert [(e["stage"], e["action"], e["rows"]) for e in funnel.entries] == [("refusals", "not_checked", 1)]
    _, _, funnel = _run(table, _recipe(None, None))
    assert [(e["stage"], e["action"], e["rows"]) for e in funnel.entries] == [("refusals", "not_checked", 2)]
