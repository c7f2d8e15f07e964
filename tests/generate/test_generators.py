"""Every generator end to end against the fake server: rows pass the validator, wrong outputs are retried, and
outputs that stay wrong fail with the validator's code."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from conftest import endpoint

from hermes_data.dataset.manifest import verify_folder
from hermes_data.formats import read_records
from hermes_data.generate.pipeline import generate
from hermes_data.generate.recipe import load_generate_recipe
from hermes_data.record import meta_of
from hermes_data.validate import validate_record

TASKS = [
    {
        "name": "general",
        "category": "general",
        "seeds": ["Explain how vaccines train the immune system."],
        "evolve": {"rounds": 2},
    },
    {"name": "expert", "category": "domain_expert", "count": 1, "topics": ["hydrology"]},
    {"name": "math", "category": "math", "count": 1},
    {"name": "rp", "category": "roleplay", "count": 1, "turns": 2},
    {"name": "code", "category": "coding", "seeds": ["Write add(a, b)."], "endpoints": ["teacher", "other"]},
    {"name": "tools", "category": "tool_use", "count": 2},
    {"name": "rag", "generator": "rag", "category": "tool_use", "count": 2},
    {"name": "content", "category": "content_generation", "count": 1},
    {"name": "steer", "category": "steering", "count": 1},
    {"name": "judge", "generator": "judge", "input": "code"},
]


def _run(server, write_recipe, **options):
    endpoints = {"teacher": endpoint(server), "other": endpoint(server, model="other-model")}
    path = write_recipe(server, TASKS, endpoints=endpoints, defaults={"endpoint": "teacher", "max_retries": 3})
    recipe = load_generate_recipe(path)
    manifest = generate(recipe, **options)
    rows = pq.read_table(f"{recipe.output}/data/train-00000-of-00001.parquet").to_pylist()
    failures = [json.loads(line) for line in Path(recipe.output, "failures.jsonl").read_text().splitlines()]
    return manifest, {r["id"]: r for r in rows}, failures


def test_every_generator_writes_valid_canonical_rows(fake_server, write_recipe):
    server = fake_server()
    manifest, rows, failures = _run(server, write_recipe)
    assert failures == [] and manifest["items"]["failed"] == 0
    assert len(rows) == manifest["rows"] == 12
    for row in rows.values():
        assert validate_record(row) == [], row["id"]
        assert row["source"] == "gen:gen-test" and row["model"] in ("fake-model", "other-model")
        assert meta_of(row)["generation"][-1]["temperature"] == 0.7
    assert json.loads(rows["tools-00000"]["tools"])[0]["function"]["name"] == "get_weather"
    assert [m["role"] for m in rows["tools-00000"]["messages"]] == ["system", "user", "assistant", "tool", "assistant"]
    assert [d["id"] for d in rows["rag-00000"]["documents"]] == ["0", "1", "2"]
    assert "<co:0>" in rows["rag-00000"]["messages"][-1]["content"]
    assert [m["role"] for m in rows["rp-00000"]["messages"]] == ["system", "user", "assistant", "user", "assistant"]
    # two models answered the same coding prompt: same prompt_id, both judged
    a, b = meta_of(rows["code-00000.teacher.0"]), meta_of(rows["code-00000.other.0"])
    assert a["prompt_id"] == b["prompt_id"]
    assert rows["code-00000.other.0"]["model"] == "other-model"
    assert a["judge"] == {"score": 8.0, "judge_model": "fake-model", "explanation": "The answer is clear and correct."}
    assert manifest["tokens"]["prompt"] > 0 and manifest["tokens"]["completion"] > 0


def test_output_folder_verifies_and_reads_back_as_a_source(fake_server, write_recipe, tmp_path):
    manifest, rows, _ = _run(fake_server(), write_recipe)
    output = tmp_path / "out"
    assert verify_folder(output) == []  # shards and content_sha256 match the manifest, as for a build folder
    read = [r for r in read_records(str(output)) if isinstance(r, dict)]
    assert sorted(r["id"] for r in read) == sorted(rows) and manifest["content_sha256"]


def test_wrong_outputs_are_retried_with_another_seed(fake_server, write_recipe):
    server = fake_server(wrong_rate=0.4, seed=3)
    manifest, rows, failures = _run(server, write_recipe)
    wrong = [e for e in server.log if e.get("wrong")]
    assert wrong, "the server should have answered some requests wrongly"
    for row in rows.values():
        assert validate_record(row) == []
    # retries are counted under the validator's or the generator's code
    assert set(manifest["retries"]) & {"tool_call_args", "citation_unknown", "tag_unbalanced", "rating_unparseable"}
    seeds = {}
    for e in server.log:
        task, item, step, attempt = e["key"].split("|")
        seeds.setdefault((task, item, step), set()).add(e["seed"])
    assert any(len(s) > 1 for s in seeds.values())  # a retried step was asked with a different seed
    assert manifest["items"]["completed"] + manifest["items"]["failed"] == manifest["items"]["requested"]


def test_outputs_that_stay_wrong_fail_with_the_validator_code(fake_server, write_recipe):
    steps = ("tool_use/call", "rag/answer", "coding/answer", "judge/judge")
    server = fake_server(wrong_rate=1.0, wrong_steps=steps)
    manifest, rows, failures = _run(server, write_recipe)
    reasons = {f["task"]: f["reason"] for f in failures}
    assert reasons == {"tools": "tool_call_args", "rag": "citation_unknown", "code": "tag_unbalanced"}
    assert manifest["tasks"]["tools"]["failure_reasons"] == {"tool_call_args": 2}
    assert "tools-00000" not in rows and "general-00000" in rows
    # no coding row survived, so the judge had nothing to rate
    assert manifest["tasks"]["judge"]["requested"] == 0


def test_unparseable_rating_is_a_failure_with_the_raw_text(fake_server, write_recipe):
    server = fake_server(wrong_rate=1.0, wrong_steps=("judge/judge",))
    manifest, rows, failures = _run(server, write_recipe)
    judged = [f for f in failures if f["task"] == "judge"]
    assert len(judged) == 2 and judged[0]["reason"] == "rating_unparseable"
    assert "Rating: 8" in judged[0]["detail"]  # the judge's raw words are kept for inspection
    assert "judge" not in meta_of(rows["code-00000.teacher.0"])
