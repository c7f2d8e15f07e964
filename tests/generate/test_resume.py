"""Durability: a generation killed with SIGKILL midway resumes without re-sending any journaled request."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hermes_data.generate.client import EndpointError
from hermes_data.generate.journal import read_journal_keys
from hermes_data.generate.pipeline import generate
from hermes_data.generate.recipe import load_generate_recipe

ROOT = Path(__file__).resolve().parents[2]
NUM_ITEMS = 40
TASKS = [
    {"name": "math", "category": "math", "count": NUM_ITEMS // 2},
    {"name": "rag", "generator": "rag", "category": "tool_use", "count": NUM_ITEMS // 2},
]


def _snapshot(journal: Path, into: Path) -> set[str]:
    """Copy the journal's files as the kill left them and read the keys from the copy."""
    into.mkdir()
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{journal}{suffix}")
        if source.exists():
            shutil.copy(source, into / (journal.name + suffix))
    return read_journal_keys(into / journal.name)


@pytest.mark.slow
def test_sigkill_midway_then_rerun_sends_no_journaled_request(fake_server, write_recipe, generate_process, tmp_path):
    server = fake_server(latency=0.03, fault_rate=0.1, faults=("429", "500", "empty"), seed=11)
    path = write_recipe(server, TASKS, endpoint={"max_concurrency": 4})
    recipe = load_generate_recipe(path)
    journal = Path(recipe.journal)

    first = generate_process(path)
    deadline = time.monotonic() + 60
    while len(server.log) < 40 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert first.poll() is None, f"the run finished before it could be killed: {first.communicate()}"
    os.kill(first.pid, signal.SIGKILL)
    first.communicate()  # reaps it and closes its pipes
    assert first.returncode == -signal.SIGKILL
    assert not Path(recipe.output).exists()  # nothing half-written under the output's name
    journaled = _snapshot(journal, tmp_path / "snapshot")
    assert 10 <= len(journaled) < len(server.log) + 1

    sent_before = len(server.log)
    second = generate_process(path)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    resent = {e["key"] for e in server.log[sent_before:]} & journaled
    assert resent == set(), f"journaled requests were paid for again: {sorted(resent)[:5]}"
    assert read_journal_keys(journal) >= journaled  # nothing journaled was lost

    manifest = json.loads((Path(recipe.output) / "manifest.json").read_text())
    rows = pq.read_table(Path(recipe.output) / "data/train-00000-of-00001.parquet").to_pylist()
    failed = [json.loads(line) for line in (Path(recipe.output) / "failures.jsonl").read_text().splitlines()]
    ids = [r["id"] for r in rows] + [f"{f['task']}-{f['item']}" for f in failed]
    expected = {f"{t['name']}-{i:05d}" for t in TASKS for i in range(NUM_ITEMS // 2)}
    assert sorted(ids) == sorted(expected)  # every item exactly once, as a row or as a failure
    assert manifest["items"]["requested"] == NUM_ITEMS
    assert manifest["requests"]["replayed_from_journal"] >= len(journaled) - 4  # in-flight ones may be re-sent


def test_rerun_of_a_finished_generation_sends_nothing(fake_server, write_recipe):
    server = fake_server(fault_rate=0.2, faults=("500", "empty", "length"), wrong_rate=0.2)
    recipe = load_generate_recipe(
        write_recipe(server, TASKS[:1] + [{"name": "tools", "category": "tool_use", "count": 4}])
    )
    first = generate(recipe)
    num_sent = len(server.log)
    second = generate(recipe)
    assert len(server.log) == num_sent
    assert second["requests"]["sent"] == 0 and second["content_sha256"] == first["content_sha256"]
    assert second["items"] == first["items"] and second["tokens"] == first["tokens"]


def test_changed_request_is_sent_again_not_served_stale(fake_server, write_recipe):
    server = fake_server()
    task = {"name": "math", "category": "math", "count": 3}
    generate(load_generate_recipe(write_recipe(server, [task])))
    num_sent = len(server.log)
    changed = load_generate_recipe(write_recipe(server, [{**task, "temperature": 0.2}]))
    manifest = generate(changed)
    assert len(server.log) == 2 * num_sent and manifest["requests"]["replayed_from_journal"] == 0


def test_key_revoked_midway_stops_the_run_and_the_rerun_resumes(fake_server, write_recipe, monkeypatch):
    monkeypatch.setenv("GEN_TEST_KEY", "sk-good")
    server = fake_server(api_key="sk-good", latency=0.01)
    path = write_recipe(server, TASKS[:1], endpoint={"api_key_env": "GEN_TEST_KEY", "max_concurrency": 2})
    recipe = load_generate_recipe(path)
    server.on_request = lambda body: setattr(server, "api_key", "sk-rotated") if len(server.log) >= 10 else None
    with pytest.raises(EndpointError, match="401"):
        generate(recipe)
    assert not Path(recipe.output).exists()
    journaled = read_journal_keys(recipe.journal)
    assert journaled  # what arrived before the 401 is kept
    monkeypatch.setenv("GEN_TEST_KEY", "sk-rotated")
    sent_before = len(server.log)
    manifest = generate(recipe)
    assert {e["key"] for e in server.log[sent_before:]} & journaled == set()
    assert manifest["items"]["completed"] == NUM_ITEMS // 2
