"""The dataset card: a Hub YAML header that parses, the Table-1 mixture, the funnel, sources, loading, recipe."""

from __future__ import annotations

import re

import pytest
import yaml

from hermes_data.dataset.card import render_card, size_category

RECIPE = {
    "name": "demo-mix",
    "seed": 0,
    "sources": [{"path": "chat.jsonl", "category": None, "category_column": "category"}],
    "mixture": {"weights": {"general": 70.0, "tool_use": 30.0}, "unit": "output_tokens"},
    "output": "/tmp/out/demo-mix",
}


def _manifest(**changes) -> dict:
    manifest = {
        "format_version": 1,
        "name": "demo-mix",
        "content_sha256": "c" * 64,
        "recipe_sha256": "r" * 64,
        "created_at": "2024-08-15T00:00:00+00:00",
        "hermes_toolkit_version": "0.1.0",
        "stats": {
            "totals": {"rows": 1500, "tokens": 120_000, "input_tokens": 40_000, "output_tokens": 80_000},
            "categories": {
                "general": {"rows": 1000, "tokens": 84_000, "output_tokens": 56_000, "share": 70.0, "target": 70.0},
                "tool_use": {"rows": 500, "tokens": 36_000, "output_tokens": 24_000, "share": 30.0, "target": 30.0},
            },
        },
        "funnel": [
            {"stage": "read", "reason": "unreadable", "action": "dropped", "rows": 2, "tokens": 0},
            {"stage": "refusals", "reason": "refusal", "rows": 17, "tokens": 2_345},
            {"stage": "repair", "reason": "python_literal", "action": "repaired", "rows": 4, "tokens": 900},
        ],
        "sources": [
            {
                "path": "hub:NousResearch/hermes-function-calling-v1",
                "format": "hub",
                "resolved": "hub:NousResearch/hermes-function-calling-v1@8f2c1e0",
                "rows_read": 1519,
                "rows_unreadable": 2,
            }
        ],
        "shards": [{"path": "data/train-00000-of-00001.parquet", "rows": 1500, "sha256": "a" * 64, "bytes": 10}],
        "rejected": [{"path": "rejected/rejected-00000.parquet", "rows": 19, "sha256": "b" * 64, "bytes": 10}],
        "recipe": RECIPE,
    }
    return manifest | changes


def _header(card: str) -> dict:
    match = re.match(r"---\n(.*?)\n---\n", card, re.S)
    assert match, card[:200]
    return yaml.safe_load(match.group(1))


def test_header_is_hub_metadata():
    header = _header(render_card(_manifest(), "apache-2.0"))
    assert header["configs"] == [
        {"config_name": "default", "data_files": [{"split": "train", "path": "data/train-*.parquet"}]}
    ]
    assert header["license"] == "apache-2.0" and header["task_categories"] == ["text-generation"]
    assert header["size_categories"] == ["1K<n<10K"] and header["pretty_name"] == "demo-mix"
    assert header["tags"] == ["hermes", "sft", "function-calling"]  # no generated source, so not synthetic


def test_huggingface_hub_reads_the_header():
    hub = pytest.importorskip("huggingface_hub")
    data = hub.DatasetCard(render_card(_manifest(), "other")).data
    assert data.license == "other" and data.pretty_name == "demo-mix"
    assert data.configs[0]["data_files"][0]["path"] == "data/train-*.parquet"
    assert data.size_categories == ["1K<n<10K"]


def test_synthetic_tag_only_for_generated_sources():
    generated = _manifest(sources=[{"path": "gen:evol-instruct", "rows_read": 3}])
    assert "synthetic" in _header(render_card(generated, "other"))["tags"]
    no_tools = _manifest()
    del no_tools["stats"]["categories"]["tool_use"]
    assert "function-calling" not in _header(render_card(no_tools, "other"))["tags"]


@pytest.mark.parametrize(
    ("rows", "bucket"),
    [(0, "n<1K"), (999, "n<1K"), (1_000, "1K<n<10K"), (99_999, "10K<n<100K"), (1_000_000, "1M<n<10M")],
)
def test_size_buckets(rows, bucket):
    assert size_category(rows) == bucket


def test_body_has_the_mixture_table_with_paper_names():
    card = render_card(_manifest(), "other")
    assert "| General Instructions | 70.0 | 70.0 | 84,000 | 56,000 | 1,000 |" in card
    assert "| Tool Use, Agentic, and RAG | 30.0 | 30.0 | 36,000 | 24,000 | 500 |" in card
    assert "Shares are percent of output tokens" in card
    assert "| 40,000 | 33.3 |" in card and "| 80,000 | 66.7 |" in card  # input/output split


def test_body_has_the_funnel_sources_and_files():
    card = render_card(_manifest(), "other")
    assert "| refusals | refusal | dropped | 17 | 2,345 |" in card  # an entry without action counts as dropped
    assert "| repair | python_literal | repaired | 4 | 900 |" in card
    assert "1,519 rows were read" in card and "(19 rows)" in card
    assert "hub:NousResearch/hermes-function-calling-v1@8f2c1e0 | 1,519 | 2 |" in card
    assert "| by `category` |" in card  # category taken from the recipe's source spec
    assert f"`{'a' * 64}`" in card and "c" * 64 in card


def test_target_missing_renders_as_dash_and_empty_funnel_says_so():
    manifest = _manifest(funnel=[])
    manifest["stats"]["categories"]["general"]["target"] = None
    card = render_card(manifest, "other")
    assert "| General Instructions | 70.0 | – |" in card and "No row was removed." in card


def test_pipes_and_newlines_in_values_do_not_break_tables():
    manifest = _manifest(sources=[{"path": "a|b\nc.jsonl", "format": "sharegpt", "rows_read": 1}])
    card = render_card(manifest, "other")
    assert "| a\\|b c.jsonl | sharegpt |" in card


def test_loading_snippets_name_the_exact_version_when_published():
    local = render_card(_manifest(), "other")
    assert 'load_dataset("path/to/demo-mix", split="train")' in local
    assert 'hermes_data.load_mix("ORG/NAME@VERSION")' in local
    published = render_card(_manifest(), "other", repo="nous/demo-mix", revision="v1")
    assert 'load_dataset("nous/demo-mix", split="train", revision="v1")' in published
    assert 'hermes_data.load_mix("nous/demo-mix@v1")' in published


def test_recipe_block_round_trips_even_with_backticks():
    recipe = RECIPE | {"note": "use ```yaml``` fences"}
    card = render_card(_manifest(recipe=recipe), "other")
    match = re.search(r"\n(`{3,})yaml\n(.*?)\n\1\n", card, re.S)
    assert match and len(match.group(1)) == 4
    assert yaml.safe_load(match.group(2)) == recipe
