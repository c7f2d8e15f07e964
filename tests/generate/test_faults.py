"""20 % injected faults of every kind plus wrong answers: each item completes or is recorded failed with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from hermes_data.generate.pipeline import generate
from hermes_data.generate.recipe import load_generate_recipe
from hermes_data.validate import validate_record

TASKS = [
    {
        "name": "general",
        "category": "general",
        "seeds": [f"Explain topic number {i} to a student." for i in range(6)],
        "evolve": {"rounds": 2},
    },
    {"name": "tools", "category": "tool_use", "count": 6},
    {"name": "rag", "generator": "rag", "category": "tool_use", "count": 6},
    {"name": "code", "category": "coding", "count": 6},
    {"name": "judge", "generator": "judge", "input": "code"},
]


def test_every_item_completes_or_fails_with_a_reason(fake_server, write_recipe):
    server = fake_server(fault_rate=0.2, wrong_rate=0.2, slow_s=0.8, seed=7)
    path = write_recipe(server, TASKS, endpoint={"timeout_s": 0.4, "max_attempts": 3, "max_concurrency": 16})
    recipe = load_generate_recipe(path)
    manifest = generate(recipe)
    faults = {e["fault"] for e in server.log}
    assert faults >= {"429", "500", "slow", "malformed", "empty", "length", None}

    out = Path(recipe.output)
    rows = pq.read_table(out / "data/train-00000-of-00001.parquet").to_pylist()
    failures = [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]
    for name, task in manifest["tasks"].items():
        assert task["requested"] == task["completed"] + task["failed"], name
        assert task["unfinished"] == 0
    assert manifest["items"]["requested"] == 24 + manifest["tasks"]["judge"]["requested"]
    assert len(rows) == sum(t["completed"] for n, t in manifest["tasks"].items() if n != "judge")
    assert len(failures) == manifest["items"]["failed"]
    assert all(f["reason"] and f["detail"] for f in failures)
    assert sum(manifest["failure_reasons"].values()) == len(failures)
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(validate_record(r) == [] for r in rows)
    # faults were mostly absorbed by retries: far more items completed than failed
    assert manifest["items"]["completed"] > 3 * manifest["items"]["failed"]
