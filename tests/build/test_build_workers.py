"""A build on N worker processes is the same build: same content hash, shard bytes, funnel and rejects as one
process; a killed worker stops it with one line and no output folder."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from hermes_data.build.recipe import load_recipe
from hermes_data.build.run import run_build
from hermes_data.engine import InlineEngine
from hermes_data.engine.local import LocalEngine

BIN = Path(sys.executable).parent
ROWS = 8_500  # three annotation batches of 4,096 rows: the engine really splits the input


def _words(rng: random.Random, n: int) -> str:
    return " ".join("".join(rng.choice("abcdefghijklmnoprstu") for _ in range(rng.randint(2, 8))) for _ in range(n))


def _write_sources(folder: Path) -> None:
    rng = random.Random(0)
    rows = []
    for i in range(ROWS):
        rows.append(
            {
                "id": f"r{i}",
                "category": rng.choice(["general", "coding", "math"]),
                "model": rng.choice(["teacher-a", "teacher-b"]),
                "conversations": [
                    {"from": "human", "value": f"Question {i}: {_words(rng, 10)}"},
                    {"from": "gpt", "value": _words(rng, rng.randint(20, 60))},
                ],
            }
        )
    # Duplicates whose originals sit in another batch: dedup must see the whole table, not one batch.
    for i in range(0, 60, 3):
        copy = json.loads(json.dumps(rows[i]))
        copy["id"] = f"exact-of-{i}"
        rows.append(copy)
        near = json.loads(json.dumps(rows[i + 1]))
        near["id"] = f"near-of-{i + 1}"
        near["conversations"][0]["value"] += " " + _words(rng, 1)  # another prompt: not model_priority's
        rows.insert(5_000 + i, near)
    rows.insert(
        4_500,
        dict(
            rows[10],
            id="refusal",
            conversations=[
                rows[10]["conversations"][0],
                {"from": "gpt", "value": "I'm sorry, but I can't help with that request."},
            ],
        ),
    )
    (folder / "chat.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _recipe(folder: Path, output: str) -> Path:
    recipe = {
        "name": "workers-mix",
        "seed": 0,
        "sources": [{"path": "chat.jsonl", "category_column": "category"}],
        "filters": {"min_tokens": 16, "max_tokens": 4096, "model_priority": ["teacher-a", "teacher-b"]},
        "dedup": {"exact": True, "near": {"threshold": 0.8}},
        "mixture": {"weights": {"general": 50, "coding": 30, "math": 20}, "unit": "tokens"},
        "shard_rows": 3_000,
        "output": str(folder / output),
    }
    path = folder / f"{output}.yaml"
    path.write_text(yaml.safe_dump(recipe), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("workers")
    _write_sources(folder)
    return folder


def _build(folder: Path, output: str, engine, monkeypatch) -> dict:
    monkeypatch.setenv("HERMES_CACHE", str(folder / f"cache-{output}"))  # no curated rows reused between builds
    monkeypatch.chdir(folder)
    return run_build(load_recipe(_recipe(folder, output)), Console(quiet=True), engine)


class _Recording(LocalEngine):
    """The local engine, noting which functions the build hands its workers."""

    def __init__(self, workers: int) -> None:
        super().__init__(workers)
        self.mapped: list[str] = []

    def map_ordered(self, fn, items):
        self.mapped.append(fn.__name__)
        return super().map_ordered(fn, items)


def test_two_workers_build_the_same_dataset_as_one(sources, monkeypatch):
    one = _build(sources, "one", InlineEngine(), monkeypatch)
    with _Recording(2) as engine:
        two = _build(sources, "two", engine, monkeypatch)
    # The workers read the source's pieces and encode the shards (not only annotate what this process read).
    assert "read_piece" in engine.mapped and "annotate_batch" not in engine.mapped
    assert engine.mapped[-1] == "encode_shard" and engine.mapped.count("encode_shard") == 1
    assert one["engine"] == {"engine": "local", "workers": 1}
    assert two["engine"] == {"engine": "local", "workers": 2}
    assert two["content_sha256"] == one["content_sha256"]
    assert [s["sha256"] for s in two["shards"]] == [s["sha256"] for s in one["shards"]]
    assert len(one["shards"]) >= 2
    assert [r["sha256"] for r in two["rejected"]] == [r["sha256"] for r in one["rejected"]]
    assert two["funnel"] == one["funnel"]
    dropped = {(e["stage"], e["reason"]): e["rows"] for e in one["funnel"]}
    assert dropped[("model_priority", "same_prompt")] >= 20  # copies of first-batch rows, found at the end
    assert dropped[("dedup_near", "near_duplicate")] >= 15
    assert dropped[("refusals", "refusal")] == 1


def test_long_rows_read_in_pieces_give_the_same_shard_files(tmp_path, monkeypatch):
    """Shards of long rows span several Parquet data pages, whose bytes follow the Arrow chunks the rows come in;
    pieces read on workers chunk them otherwise than one stream, and the files must still be the same bytes."""
    rng = random.Random(1)
    with (tmp_path / "long.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(3_000):
            turns = [{"from": "human", "value": f"Q{i} {_words(rng, 10)}"}, {"from": "gpt", "value": _words(rng, 500)}]
            fh.write(json.dumps({"id": f"l{i}", "category": "general", "conversations": turns}) + "\n")
    recipe = {
        "name": "long",
        "sources": [{"path": "long.jsonl", "category": "general"}],
        "filters": {"min_tokens": 16, "max_tokens": 100_000},
        "shard_rows": 1_200,
        "mixture": {"weights": {"general": 100}, "unit": "tokens"},
    }
    manifests = {}
    for name, engine in (("one", InlineEngine()), ("two", LocalEngine(2))):
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump({**recipe, "output": str(tmp_path / name)}))
        monkeypatch.setenv("HERMES_CACHE", str(tmp_path / f"cache-{name}"))
        monkeypatch.chdir(tmp_path)
        with engine:
            manifests[name] = run_build(load_recipe(tmp_path / f"{name}.yaml"), Console(quiet=True), engine)
    one, two = manifests["one"], manifests["two"]
    assert len(one["shards"]) == 3 and two["content_sha256"] == one["content_sha256"]
    assert [s["sha256"] for s in two["shards"]] == [s["sha256"] for s in one["shards"]]


def _descendants(pid: int) -> list[tuple[int, int]]:
    """(pid, depth) of every process below `pid`, from /proc."""
    found, frontier = [], [(pid, 0)]
    while frontier:
        parent, depth = frontier.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                found.append((child, depth + 1))
                frontier.append((child, depth + 1))
    return found


def test_a_killed_worker_stops_the_build_with_one_line_and_no_output(sources, tmp_path):
    recipe = _recipe(sources, "killed")
    env = {**os.environ, "HERMES_CACHE": str(tmp_path / "cache")}
    build = subprocess.Popen(
        [str(BIN / "hermes-data"), "build", str(recipe), "--workers", "2"],
        cwd=sources,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    killed = None
    while killed is None and time.monotonic() < deadline and build.poll() is None:
        # The workers are forks of the forkserver, itself a child of the build: grandchildren.
        workers = [pid for pid, depth in _descendants(build.pid) if depth >= 2]
        if workers:
            os.kill(workers[0], signal.SIGKILL)
            killed = workers[0]
        time.sleep(0.02)
    _, err = build.communicate(timeout=120)
    assert killed is not None, "the build never started a worker"
    assert build.returncode == 2, err[-2000:]
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "worker process" in lines[0] and "Traceback" not in err
    assert not (sources / "killed").exists()
    assert not [p for p in sources.iterdir() if p.name.startswith(".killed")]  # no temporary folder left behind
    assert not list((tmp_path / "cache" / "spill").glob("spill-*"))  # nor the rows' spilled text


def test_zero_workers_is_a_one_line_error(sources, tmp_path):
    env = {**os.environ, "HERMES_CACHE": str(tmp_path / "cache")}
    done = subprocess.run(
        [str(BIN / "hermes-data"), "build", str(_recipe(sources, "zero")), "--workers", "0"],
        cwd=sources,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--workers 0: must be at least 1" in done.stderr
    assert not (sources / "zero").exists()
