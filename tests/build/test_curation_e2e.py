"""Through the CLI: per-source filter overrides, template placeholders, and a mixture that explains itself."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

BIN = Path(sys.executable).parent
REFUSAL = "I'm sorry, but I can't help with that request."
NO_TOOL = "I apologize, but I am unable to book flights as none of the available functions supports it."


@pytest.fixture
def env(tmp_path):
    import os

    return {**os.environ, "HERMES_CACHE": str(tmp_path / "cache")}


def _build(*args, cwd: Path, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "hermes-data"), "build", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env
    )


def _row(user: str, reply: str, row_id: str) -> dict:
    return {"id": row_id, "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]}


def _write(path: Path, rows: list[dict]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path.name


def _text(rng: random.Random, words: int) -> str:
    vocab = [
        f"{a}{b}" for a in ("ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo") for b in ("ba", "de", "fi", "go", "hu")
    ]
    return " ".join(rng.choice(vocab) for _ in range(words)) + "."


def _recipe(folder: Path, sources: list[dict], **changes) -> Path:
    recipe = {
        "name": "curation-mix",
        "sources": sources,
        "dedup": {"exact": True, "near": None},
        "mixture": {"weights": {"general": 1}},
        "output": str(folder / "out" / "mix"),
        **changes,
    }
    path = folder / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe), encoding="utf-8")
    return path


def test_refusals_off_for_one_source_keeps_its_refusal_and_the_card_says_so(tmp_path, env):
    rng = random.Random(0)
    tools = _write(
        tmp_path / "tools.jsonl",
        [_row(f"Question {i}: {_text(rng, 10)}", _text(rng, 60), f"tools-{i}") for i in range(5)]
        + [_row("Book me a flight to Oslo.", NO_TOOL, "tools-no-fit")],
    )
    chat = _write(
        tmp_path / "chat.jsonl",
        [_row(f"Question {i}: {_text(rng, 10)}", _text(rng, 60), f"chat-{i}") for i in range(5)]
        + [_row("Write a poem about cats.", REFUSAL, "chat-refusal")],
    )
    sources = [
        {"path": tools, "category": "general", "filters": {"refusals": False}},
        {"path": chat, "category": "general"},
    ]
    recipe = _recipe(tmp_path, sources)

    plan = _build(recipe, "--dry-run", cwd=tmp_path, env=env)
    assert plan.returncode == 0, plan.stderr
    lines = plan.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("source tools.jsonl") or "tools.jsonl:" in line)
    assert lines[at + 1].strip() == "filters for this source: refusals=false"
    assert sum("filters for this source" in line for line in lines) == 1

    result = _build(recipe, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    out = tmp_path / "out" / "mix"
    rejected = pq.read_table(out / "rejected").to_pylist()
    assert [(r["id"], r["reason"]) for r in rejected if r["stage"] == "refusals"] == [("chat-refusal", "refusal")]
    kept = {r["id"] for r in pq.read_table(out / "data").to_pylist()}
    assert "tools-no-fit" in kept
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["filters"] for s in manifest["recipe"]["sources"]] == [{"refusals": False}, None]
    card = (out / "README.md").read_text()
    assert "| tools.jsonl | refusals=false |" in card.replace(str(tmp_path) + "/", "")

    # the override is part of the curated cache key: without it the refusal of `tools` goes too
    sources[0].pop("filters")
    again = _build(_recipe(tmp_path, sources), cwd=tmp_path, env=env)
    assert again.returncode == 0 and "reusing curated rows" not in again.stdout
    kept = {r["id"] for r in pq.read_table(out / "data").to_pylist()}
    assert "tools-no-fit" not in kept


def _identity_sources(folder: Path) -> list[dict]:
    """91 short identity rows (plus 3 with unrendered placeholders) and 400 longer general rows."""
    rng = random.Random(1)
    identity = [
        _row(
            f"Who are you? ({i})",
            f"I am Hermes, an assistant made by Nous Research. Ask me anything, item {i}.",
            f"id-{i}",
        )
        for i in range(91)
    ] + [
        _row(f"What is your name? ({i})", "My name is {{name}}, created by {{ author }}.", f"ph-{i}") for i in range(3)
    ]
    general = [_row(f"Explain topic {i}: {_text(rng, 12)}", _text(rng, 250), f"gen-{i}") for i in range(400)]
    return [
        {"path": _write(folder / "identity.jsonl", identity), "category": "steering"},
        {"path": _write(folder / "general.jsonl", general), "category": "general"},
    ]


def test_a_small_binding_category_is_named_with_what_would_use_the_rest(tmp_path, env):
    mixture = {"weights": {"general": 97.5, "steering": 2.5}}
    recipe = _recipe(tmp_path, _identity_sources(tmp_path), mixture=mixture)
    result = _build(recipe, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    out = tmp_path / "out" / "mix"
    manifest = json.loads((out / "manifest.json").read_text())
    funnel = {(e["stage"], e["reason"]): e for e in manifest["funnel"]}
    assert funnel[("template_placeholder", "template_placeholder")]["rows"] == 3
    explained = manifest["mixture"]
    assert explained["binding"]["category"] == "steering" and explained["binding"]["rows"] == 91
    assert [Path(p).name for p in explained["binding"]["sources"]] == ["identity.jsonl"]
    assert explained["binding"]["weight"] == 2.5
    left = funnel[("balance", "over_budget")]
    assert explained["over_budget"]["rows"] == left["rows"] > 100
    assert explained["over_budget"]["percent_of_curated_rows"] == round(100 * left["rows"] / 491, 1)
    assert explained["over_budget"]["tokens"] == left["tokens"]
    use = explained["to_use_all"]
    summary = " ".join(result.stdout.split())
    assert "binding category: steering (weight 2.5; 91 rows" in summary and "identity.jsonl" in summary
    assert f"{left['rows']:,} curated rows" in summary and f"mixture.max_upsample: {use['max_upsample']:g}" in summary
    assert f"mixture.total: {use['total']:,}" in summary
    card = " ".join((out / "README.md").read_text().split())
    assert "binding category: steering" in card and f"mixture.max_upsample: {use['max_upsample']:g}" in card

    # the suggested max_upsample leaves no curated row over_budget (tests/mixture/test_explain.py checks all three)
    suggestion = {**mixture, "max_upsample": use["max_upsample"]}
    rebuilt = _build(_recipe(tmp_path, _identity_sources(tmp_path), mixture=suggestion), cwd=tmp_path, env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert not [e for e in manifest["funnel"] if e["reason"] == "over_budget"]
    assert manifest["mixture"]["to_use_all"] is None


def test_dry_run_names_every_weighted_category_without_rows(tmp_path, env):
    sources = _identity_sources(tmp_path)
    weights = {"general": 60.6, "roleplay": 6.1, "steering": 2.5, "coding": 4.5}
    result = _build(_recipe(tmp_path, sources, mixture={"weights": weights}), "--dry-run", cwd=tmp_path, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "stages:" in result.stdout  # the plan is printed first
    error = " ".join(result.stderr.split())
    assert "coding (weight 4.5), roleplay (weight 6.1) have a weight but no rows" in error  # the file's key order
    assert "steering" not in error and "Traceback" not in error
    assert not (tmp_path / "out").exists()
    # the build itself says the same, both at once
    built = _build(_recipe(tmp_path, sources, mixture={"weights": weights}), cwd=tmp_path, env=env)
    assert built.returncode == 2 and "coding (weight 4.5), roleplay (weight 6.1)" in " ".join(built.stderr.split())
