"""`hermes-data build` end to end through the console script: folder, card, manifest, cache, bad input."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
import yaml

BIN = Path(sys.executable).parent
WORDS = "river stone light market theorem proof garden engine signal harbor winter copper lattice".split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _sharegpt(rng, i, category):
    return {
        "id": f"{category}-{i}",
        "category": category,
        "conversations": [
            {"from": "human", "value": f"Question {i}: {_sentence(rng, 12)}"},
            {"from": "gpt", "value": _sentence(rng, rng.randint(40, 160))},
        ],
    }


def _write_sources(folder: Path) -> None:
    rng = random.Random(0)
    rows = [_sharegpt(rng, i, "general") for i in range(40)] + [_sharegpt(rng, i, "coding") for i in range(12)]
    rows.append(dict(rows[3], id="dup-of-general-3"))  # exact duplicate with another id
    rows.append(
        {
            "id": "refusal-1",
            "category": "general",
            "conversations": [
                {"from": "human", "value": "Write a limerick about my neighbour's cat."},
                {"from": "gpt", "value": "I'm sorry, but I can't help with that request."},
            ],
        }
    )
    rows.append(
        {
            "id": "empty-1",
            "category": "general",
            "conversations": [{"from": "human", "value": "Tell me about tides."}, {"from": "gpt", "value": ""}],
        }
    )
    (folder / "chat.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows) + "{broken\n", encoding="utf-8")
    openai_rows = [
        {
            "messages": [
                {"role": "user", "content": f"Compute {i} squared and explain. {_sentence(rng, 8)}"},
                {"role": "assistant", "content": f"{i} squared is {i * i}. " + _sentence(rng, 60)},
            ],
            "topic": "arithmetic",
        }
        for i in range(25)
    ]
    (folder / "math.jsonl").write_text("".join(json.dumps(r) + "\n" for r in openai_rows), encoding="utf-8")


def _recipe(folder: Path, **changes) -> Path:
    recipe = {
        "name": "e2e-mix",
        "seed": 0,
        "sources": [
            {"path": "chat.jsonl", "category_column": "category"},
            {
                "path": "math.jsonl",
                "format": "openai",
                "category_column": "topic",
                "category_map": {"arithmetic": "math"},
                "model": "teacher-a",
            },
        ],
        "filters": {"min_tokens": 16, "max_tokens": 4096},
        "dedup": {"exact": True, "near": {"threshold": 0.8}},
        "mixture": {"weights": {"general": 60, "math": 25, "coding": 15}, "unit": "tokens"},
        "output": str(folder / "out" / "e2e-mix"),
    }
    recipe.update(changes)
    path = folder / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe), encoding="utf-8")
    return path


def _build(*args, cwd: Path, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "hermes-data"), "build", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env
    )


@pytest.fixture
def env(tmp_path):
    import os

    return {**os.environ, "HERMES_CACHE": str(tmp_path / "cache")}


def test_build_writes_folder_card_and_manifest(tmp_path, env):
    _write_sources(tmp_path)
    result = _build(_recipe(tmp_path), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    out = tmp_path / "out" / "e2e-mix"
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("name", "recipe", "recipe_sha256", "content_sha256", "shards", "sources", "stats", "funnel"):
        assert key in manifest
    cats = manifest["stats"]["categories"]
    assert set(cats) == {"general", "math", "coding"}
    for slug, target in {"general": 60, "math": 25, "coding": 15}.items():
        assert abs(cats[slug]["share"] - target) < 5, (slug, cats[slug])
        assert cats[slug]["target"] == pytest.approx(target)
    reasons = {(e["stage"], e["reason"]) for e in manifest["funnel"]}
    assert {
        ("read", "unreadable"),
        ("refusals", "refusal"),
        ("empty_turns", "empty_turn"),
        ("dedup_exact", "exact_duplicate"),
    } <= reasons
    assert [s["rows_read"] for s in manifest["sources"]] == [55, 25]

    loaded = datasets.load_dataset(str(out), split="train")
    assert loaded.num_rows == manifest["stats"]["totals"]["rows"]
    ids = set(loaded["id"])
    assert "refusal-1" not in ids and "empty-1" not in ids
    assert not ({"general-3", "dup-of-general-3"} <= ids)
    rejected = pq.read_table(next((out / "rejected").glob("*.parquet")))
    assert {"stage", "reason"} <= set(rejected.column_names)
    assert "refusal-1" in rejected.column("id").to_pylist()

    card = (out / "README.md").read_text()
    header = yaml.safe_load(card.split("---")[1])
    assert "configs" in header and "task_categories" in header
    assert "refusal" in card and "Coding" in card


def test_same_inputs_same_content_hash_and_mixture_change_reuses_cache(tmp_path, env):
    _write_sources(tmp_path)
    first = _build(_recipe(tmp_path), cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    out = tmp_path / "out" / "e2e-mix"
    hash1 = json.loads((out / "manifest.json").read_text())["content_sha256"]
    again = _build(_recipe(tmp_path), cwd=tmp_path, env={**env, "HERMES_CACHE": str(tmp_path / "cache2")})
    assert again.returncode == 0
    assert json.loads((out / "manifest.json").read_text())["content_sha256"] == hash1

    changed = _recipe(tmp_path, mixture={"weights": {"general": 50, "math": 30, "coding": 20}})
    third = _build(changed, cwd=tmp_path, env=env)
    assert third.returncode == 0, third.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["cached_curation"] is True and "reusing curated rows" in third.stdout
    assert manifest["content_sha256"] != hash1


def test_dry_run_prints_plan_and_writes_nothing(tmp_path, env):
    _write_sources(tmp_path)
    result = _build(_recipe(tmp_path), "--dry-run", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "55 rows" in result.stdout and "dedup_near" in result.stdout
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"sources": [{"path": "missing.jsonl", "category": "general"}]}, "missing.jsonl"),
        ({"sources": [{"path": "chat.jsonl", "category": "gen"}]}, "sources.0.category"),
        ({"filtres": {}}, "unknown key 'filtres'"),
        ({"mixture": {"weights": {"general": 0}}}, "all weights are zero"),
        ({"filters": {"min_tokens": 4000, "max_tokens": 4096}}, "every row was filtered out"),
        ({"mixture": {"weights": {"general": 50, "roleplay": 50}}}, "roleplay"),
    ],
)
def test_bad_input_is_one_line_exit_two_nothing_written(tmp_path, env, change, needle):
    _write_sources(tmp_path)
    result = _build(_recipe(tmp_path, **change), cwd=tmp_path, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert needle in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "e2e-mix").exists()


def test_rejected_rows_carry_details_and_the_rejected_command_shows_them(tmp_path, env):
    _write_sources(tmp_path)
    assert _build(_recipe(tmp_path), cwd=tmp_path, env=env).returncode == 0
    out = tmp_path / "out" / "e2e-mix"
    rejected = pq.read_table(out / "rejected").to_pylist()
    curation = [r for r in rejected if r["stage"] != "balance"]
    assert curation and all(json.loads(r["detail"]) for r in curation), [r for r in curation if not r["detail"]]
    duplicate = next(r for r in rejected if r["stage"] == "dedup_exact")
    kept_id = json.loads(duplicate["detail"])["kept_id"]
    assert kept_id != duplicate["id"]
    card = (out / "README.md").read_text()
    examples = card.split("Examples (up to three per reason):")[1].split("## Sources")[0]
    assert "| refusals | refusal | refusal-1 |" in examples and f"| {duplicate['id']} |" in examples
    assert (
        max(
            examples.count(f"| {e['stage']} | {e['reason']} |")
            for e in json.loads((out / "manifest.json").read_text())["funnel"]
        )
        <= 3
    )

    def rejected_cli(*args):
        cmd = [str(BIN / "hermes-data"), "rejected", *map(str, args)]
        return subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, env={**env, "COLUMNS": "200"})

    shown = rejected_cli(out, "--stage", "dedup_exact", "--limit", "1")
    assert shown.returncode == 0, shown.stderr
    # Side by side: a table with the rejected row's and the kept row's ids as its two column headers.
    assert f"rejected {duplicate['id']}" in shown.stdout and f"kept {kept_id}" in shown.stdout
    refusal = rejected_cli(out, "--reason", "refusal")
    assert refusal.returncode == 0 and "refusal-1" in refusal.stdout and "rule=" in refusal.stdout
    assert "dedup_exact" not in refusal.stdout
    missing = rejected_cli(tmp_path / "nowhere")
    assert (
        missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1 and "manifest.json" in missing.stderr
    )
