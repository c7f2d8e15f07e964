"""The shipped `generate-agentic` recipe end to end against the local teacher: its three generators run, and every
row it writes passes `hermes-data validate`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from hermes_data.generate.pipeline import generate
from hermes_data.generate.recipe import load_generate_recipe
from hermes_data.resources import recipe_path

ROOT = Path(__file__).resolve().parents[2]


def test_the_agentic_recipe_runs_and_every_row_validates(fake_server, tmp_path):
    server = fake_server()
    recipe = load_generate_recipe(recipe_path("generate-agentic"))
    teacher = recipe.endpoints["teacher"]
    teacher.base_url, teacher.timeout_s, teacher.backoff_base_s = server.base_url, 2.0, 0.01
    recipe.output, recipe.journal = str(tmp_path / "out"), str(tmp_path / "out.journal.sqlite")
    manifest = generate(recipe)
    tasks = manifest["tasks"]
    assert {name: t["failed"] for name, t in tasks.items()} == dict.fromkeys(tasks, 0)
    assert manifest["rows"] == 6 + 2 + 2 + 2
    rows = pq.read_table(tmp_path / "out" / "data").to_pylist()
    generators = {json.loads(r["meta"])["generator"] for r in rows}
    assert generators == {"tool_episode", "json_mode", "coding"}
    pool = [r for r in rows if r["id"].startswith("tool-episodes-pool-")]
    assert {t["function"]["name"] for t in json.loads(pool[0]["tools"])} == {
        "get_weather",
        "convert_temperature",
        "search_flights",
    }
    done = subprocess.run(
        [sys.executable, "-m", "hermes_data.cli", "validate", str(tmp_path / "out" / "data")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
