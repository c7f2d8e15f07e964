"""`--shard I/N` end to end: each shard writes its own folder and journal, and the shards' rows together are the
unsharded run's rows, byte for byte."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from hermes_data.generate.items import Shard
from hermes_data.generate.pipeline import for_shard, generate
from hermes_data.generate.recipe import load_generate_recipe

ROOT = Path(__file__).resolve().parents[2]
TASKS = [
    {"name": "episodes", "generator": "tool_episode", "category": "tool_use", "count": 3, "topics": ["travel"]},
    {"name": "code", "category": "coding", "scaffold": "figure9", "seeds": ["Write add.", "Write sub.", "Write mul."]},
    {"name": "chat", "category": "general", "seeds": [f"Question {i}?" for i in range(5)], "samples": 2},
]


def _rows(folder: Path) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in pq.read_table(folder / "data").to_pylist())


def test_the_union_of_the_shards_is_the_unsharded_run(fake_server, write_recipe, tmp_path):
    server = fake_server()
    path = write_recipe(server, TASKS)
    whole = load_generate_recipe(path)
    assert generate(whole)["rows"] == 3 + 3 + 10
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    sharded: list[str] = []
    for k in range(3):
        command = [sys.executable, "-m", "hermes_data.cli", "generate", str(path), "--shard", f"{k}/3", "--no-progress"]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        folder = Path(f"{whole.output}-shard-{k:02d}-of-03")
        assert json.loads((folder / "manifest.json").read_text())["shard"] == f"{k}/3"
        assert Path(f"{folder}.journal.sqlite").is_file()
        sharded += _rows(folder)
    assert sorted(sharded) == _rows(Path(whole.output))
    assert len(set(sharded)) == len(sharded)  # no row twice


def test_a_bad_shard_is_refused_before_anything_is_written(fake_server, write_recipe):
    path = write_recipe(fake_server(), TASKS)
    command = [sys.executable, "-m", "hermes_data.cli", "generate", str(path), "--shard", "3/3"]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    assert done.returncode == 2 and "--shard 3/3: give I/N" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in path.parent.iterdir()) == ["recipe.yaml"]


def test_a_named_journal_gets_the_shard_in_its_name_too(write_recipe, tmp_path):
    endpoints = {"teacher": {"base_url": "http://x", "model": "m"}}
    recipe = load_generate_recipe(write_recipe(None, TASKS, endpoints=endpoints, journal=str(tmp_path / "j.sqlite")))
    sharded = for_shard(recipe, Shard(1, 4))
    assert sharded.output == recipe.output + "-shard-01-of-04"
    assert sharded.journal == str(tmp_path / "j-shard-01-of-04.sqlite")
    assert recipe.output.endswith("/out")  # the loaded recipe itself is left as it was
