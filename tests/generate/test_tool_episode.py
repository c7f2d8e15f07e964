"""`generator: tool_episode` (issue 16): multi-round tool episodes with parallel calls, schema retries, no-tool-fits
answers, journaled steps, and rows that train as the trainer's ChatML (tool results masked, calls learned)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fakeopenai import EPISODE_TOOLS, NO_TOOL_ANSWER

from hermes_data.errors import RecipeError
from hermes_data.generate.journal import read_journal_keys
from hermes_data.generate.pipeline import generate
from hermes_data.generate.recipe import load_generate_recipe
from hermes_data.generate.structure_files import load_tool_files
from hermes_data.markup.tool_calling import parse_tool_calls, parse_tool_responses
from hermes_data.tokenizer import IM_END, load_tokenizer
from hermes_train.tokenize import IGNORE_INDEX, tokenize_record

ROOT = Path(__file__).resolve().parents[2]
TASK = {"name": "episodes", "generator": "tool_episode", "category": "tool_use", "count": 2, "topics": ["travel"]}


def _rows(recipe) -> list[dict]:
    return pq.read_table(Path(recipe.output) / "data").to_pylist()


def _validate_cli(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hermes_data.cli", "validate", str(folder / "data")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_a_three_round_episode_with_a_parallel_call(fake_server, write_recipe):
    server = fake_server()
    recipe = load_generate_recipe(write_recipe(server, [{**TASK, "reasoning_tag": "SCRATCHPAD"}]))
    manifest = generate(recipe)
    rows = _rows(recipe)
    assert manifest["tasks"]["episodes"]["completed"] == 2
    roles = [m["role"] for m in rows[0]["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "assistant", "tool", "assistant"]
    first, second, answer = (m["content"] for m in rows[0]["messages"] if m["role"] == "assistant")
    assert [c.name for c in parse_tool_calls(first)] == ["get_weather", "get_weather"]  # parallel calls, one turn
    assert [c.name for c in parse_tool_calls(second)] == ["convert_temperature"]
    assert first.startswith("<SCRATCHPAD>") and parse_tool_calls(answer) == []
    assert len(parse_tool_responses(rows[0]["messages"][3]["content"])) == 2  # both results share one tool turn
    assert json.loads(rows[0]["tools"]) == EPISODE_TOOLS
    meta = json.loads(rows[0]["meta"])
    assert meta["num_rounds"] == 3 and meta["num_calls"] == 3 and meta["no_tool_fits"] is False
    steps = [s["step"] for s in meta["generation"]]
    assert steps == [
        "tool_episode/tools",
        "tool_episode/user",
        "tool_episode/assistant.r1",
        "tool_episode/simulate.r1",
        "tool_episode/assistant.r2",
        "tool_episode/simulate.r2",
        "tool_episode/assistant.r3",
    ]
    result = _validate_cli(Path(recipe.output))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_call_off_its_schema_is_asked_again_then_kept(fake_server, write_recipe):
    server = fake_server(wrong_rate=1.0, wrong_steps=("tool_episode/assistant",), wrong_attempts=(0,))
    recipe = load_generate_recipe(write_recipe(server, [TASK]))
    manifest = generate(recipe)
    assert manifest["tasks"]["episodes"]["completed"] == 2
    assert manifest["retries"] == {"tool_call_args": 2}  # the first round-1 reply of each item had {"city": 42}
    for row in _rows(recipe):
        r1 = next(s for s in json.loads(row["meta"])["generation"] if s["step"] == "tool_episode/assistant.r1")
        assert r1["attempt"] == 1
        first_calls = parse_tool_calls(row["messages"][2]["content"])
        assert all(isinstance(c.arguments["city"], str) for c in first_calls)


def test_a_call_off_its_schema_every_time_fails_the_item_with_the_validator_code(fake_server, write_recipe):
    server = fake_server(wrong_rate=1.0, wrong_steps=("tool_episode/assistant",))
    recipe = load_generate_recipe(write_recipe(server, [TASK], defaults={"max_retries": 1}))
    manifest = generate(recipe)
    assert manifest["rows"] == 0
    assert manifest["tasks"]["episodes"]["failure_reasons"] == {"tool_call_args": 2}


def test_an_episode_still_calling_at_max_rounds_fails_without_simulating_the_last_calls(fake_server, write_recipe):
    server = fake_server()
    recipe = load_generate_recipe(write_recipe(server, [{**TASK, "max_rounds": 2}]))
    manifest = generate(recipe)
    assert manifest["rows"] == 0 and manifest["tasks"]["episodes"]["failure_reasons"] == {"max_rounds": 2}
    steps = {e["key"].split("|")[2] for e in server.log}
    assert {"tool_episode/simulate.r1", "tool_episode/assistant.r2"} <= steps
    assert "tool_episode/simulate.r2" not in steps  # the last round's calls were not simulated


def test_a_no_tool_fits_episode_ends_in_a_plain_answer(fake_server, write_recipe):
    server = fake_server()
    recipe = load_generate_recipe(write_recipe(server, [{**TASK, "no_tool_share": 1.0}]))
    generate(recipe)
    rows = _rows(recipe)
    assert len(rows) == 2
    for row in rows:
        assert [m["role"] for m in row["messages"]] == ["system", "user", "assistant"]
        assert row["messages"][2]["content"] == NO_TOOL_ANSWER
        assert json.loads(row["meta"])["no_tool_fits"] is True
    assert _validate_cli(Path(recipe.output)).returncode == 0


def test_tool_files_and_seeds_give_the_pool_and_the_requests(fake_server, write_recipe, tmp_path):
    (tmp_path / "weather.json").write_text(json.dumps(EPISODE_TOOLS[0]))
    (tmp_path / "convert.json").write_text(json.dumps([EPISODE_TOOLS[1]]))
    server = fake_server()
    task = {**TASK, "count": None, "topics": None, "tool_files": ["weather.json", "convert.json"]}
    task = {k: v for k, v in task.items() if v is not None}
    recipe = load_generate_recipe(write_recipe(server, [{**task, "seeds": ["Weather in Paris and London, in F?"]}]))
    generate(recipe)
    (row,) = _rows(recipe)
    assert json.loads(row["tools"]) == EPISODE_TOOLS
    assert row["messages"][1]["content"] == "Weather in Paris and London, in F?"
    assert not any(e["key"].split("|")[2] in ("tool_episode/tools", "tool_episode/user") for e in server.log)


def test_a_tools_column_gives_each_episode_its_seed_rows_tools(fake_server, write_recipe, tmp_path):
    # the tool list a Python literal (as real data writes it, DESIGN §4) in the row's `tools` column
    rows = [
        {"prompt": "Weather in Paris and London, in F?", "tools": str(EPISODE_TOOLS)},
        {"prompt": "x", "tools": "[{"},
    ]
    (tmp_path / "fc.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    server = fake_server()
    task = {"name": "episodes", "generator": "tool_episode", "category": "tool_use", "seeds": "fc.jsonl"}
    recipe = load_generate_recipe(write_recipe(server, [{**task, "tools_column": "tools"}]))
    manifest = generate(recipe)
    (row,) = _rows(recipe)
    assert json.loads(row["tools"]) == EPISODE_TOOLS and row["messages"][1]["content"] == rows[0]["prompt"]
    assert manifest["tasks"]["episodes"]["failure_reasons"] == {"tools_invalid": 1}  # the second row's list
    assert _validate_cli(Path(recipe.output)).returncode == 0


def test_tool_files_may_be_titled_json_schemas_and_bad_ones_fail_the_recipe(write_recipe, tmp_path):
    # a pydantic `model_json_schema()` of the arguments: the title names the function
    params = EPISODE_TOOLS[1]["function"]["parameters"]
    titled = {"title": "convert_temperature", "description": "Convert a temperature.", **params}
    (tmp_path / "convert.schema.json").write_text(json.dumps(titled))
    (tmp_path / "bad.json").write_text(json.dumps({"name": "f", "parameters": {"type": "objekt"}}))
    endpoints = {"teacher": {"base_url": "http://x", "model": "m"}}
    task = {**TASK, "tool_files": ["convert.schema.json"]}
    recipe = load_generate_recipe(write_recipe(None, [task], endpoints=endpoints))
    (tool,) = load_tool_files(tuple(recipe.tasks[0].tool_files))
    (tmp_path / "pool.jsonl").write_text("".join(json.dumps(t["function"]) + "\n" for t in EPISODE_TOOLS))
    assert load_tool_files((str(tmp_path / "pool.jsonl"),)) == EPISODE_TOOLS  # one definition per line
    assert tool["function"] == {
        "name": "convert_temperature",
        "description": "Convert a temperature.",
        "parameters": params,
    }
    with pytest.raises(RecipeError, match=r"recipe.yaml: tasks.0: tool_files: f: parameters: .*objekt"):
        load_generate_recipe(write_recipe(None, [{**TASK, "tool_files": ["bad.json"]}], endpoints=endpoints))
    with pytest.raises(RecipeError, match=r"tasks.0: tool_files: .*nope.json: not a readable JSON file"):
        load_generate_recipe(write_recipe(None, [{**TASK, "tool_files": ["nope.json"]}], endpoints=endpoints))


def test_episode_rows_train_with_tool_results_masked_and_calls_learned(fake_server, write_recipe):
    server = fake_server()
    recipe = load_generate_recipe(write_recipe(server, [{**TASK, "count": 1}]))
    generate(recipe)
    (record,) = _rows(recipe)
    tok = load_tokenizer()
    row = tokenize_record(record, tok, 8192)
    learned = tok.decode([t for t, label in zip(row["input_ids"], row["labels"], strict=True) if label != IGNORE_INDEX])
    assistants = [m["content"] for m in record["messages"] if m["role"] == "assistant"]
    assert learned == "".join(a + IM_END for a in assistants)  # every call turn and the answer, nothing else
    assert "<tool_response>" not in learned and learned.count("<tool_call>") == 3


def test_sigkill_mid_episode_then_rerun_sends_no_journaled_request(fake_server, write_recipe, generate_process):
    server = fake_server(latency=0.05)
    path = write_recipe(server, [{**TASK, "count": 3}], endpoint={"max_concurrency": 1})
    recipe = load_generate_recipe(path)
    first = generate_process(path)
    deadline = time.monotonic() + 60
    # Killed once round 1 is being simulated: its assistant turn was journaled before this request was sent.
    while not any("simulate.r1" in e["key"] for e in server.log) and first.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    assert first.poll() is None, f"the run finished before it could be killed: {first.communicate()}"
    os.kill(first.pid, signal.SIGKILL)
    first.communicate()
    journaled = read_journal_keys(recipe.journal)
    assert journaled, "nothing was journaled before the kill"
    steps = {k.split("|")[2] for k in journaled}
    assert any(s.startswith("tool_episode/assistant") for s in steps)  # killed with an episode part-way through
    sent_before = len(server.log)
    second = generate_process(path)
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert {e["key"] for e in server.log[sent_before:]} & journaled == set()
    assert len(_rows(recipe)) == 3
