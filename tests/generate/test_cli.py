"""The command: --dry-run calls nothing, --limit and --max-cost stop cleanly with a complete output folder."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from hermes_data.cli.generate import generate_command
from hermes_data.errors import RecipeError

TASKS = [
    {"name": "general", "category": "general", "seeds": ["Explain how tides work.", "Describe a sonnet."]},
    {"name": "tools", "category": "tool_use", "count": 6},
    {"name": "judge", "generator": "judge", "input": "general"},
]
PRICES = {"input_price_per_mtok": 3.0, "output_price_per_mtok": 15.0}


def _invoke(*args: str):
    app = typer.Typer()
    app.command()(generate_command)
    return CliRunner().invoke(app, [*map(str, args), "--no-progress"])


def _manifest(recipe_path: Path) -> dict:
    return json.loads((recipe_path.parent / "out" / "manifest.json").read_text())


def test_dry_run_renders_first_prompts_without_calling(fake_server, write_recipe):
    server = fake_server()
    path = write_recipe(server, TASKS)
    result = _invoke(path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert server.log == []
    assert "#The Given Prompt#" in result.output or "#Given Prompt#" in result.output
    assert "Explain how tides work." in result.output  # the seed inside the rendered evolving prompt
    assert "tool_use/tools" in result.output and "judge/judge" in result.output
    assert not (path.parent / "out").exists()


def test_limit_caps_items_per_task(fake_server, write_recipe):
    server = fake_server()
    path = write_recipe(server, TASKS)
    result = _invoke(path, "--limit", "1")
    assert result.exit_code == 0, result.output
    manifest = _manifest(path)
    assert {n: t["requested"] for n, t in manifest["tasks"].items()} == {"general": 1, "tools": 1, "judge": 1}
    assert manifest["limit"] == 1 and manifest["rows"] == 2
    assert "rows" in result.output


def test_max_cost_stops_cleanly_and_a_rerun_does_not_spend_more(fake_server, write_recipe):
    server = fake_server(latency=0.01)
    path = write_recipe(server, TASKS, endpoint={**PRICES, "max_concurrency": 2})
    result = _invoke(path, "--max-cost", "0.004")
    assert result.exit_code == 0, result.output
    manifest = _manifest(path)
    assert manifest["stopped"] == "max_cost"
    assert manifest["items"]["unfinished"] > 0
    assert manifest["items"]["requested"] == sum(manifest["items"][k] for k in ("completed", "failed", "unfinished"))
    spent = manifest["cost_usd"]["total"]
    # in-flight requests land after the limit trips: at most one per concurrency slot beyond it
    assert 0.004 <= spent < 0.004 + 2 * 0.01
    sent = len(server.log)
    again = _invoke(path, "--max-cost", "0.004")
    assert again.exit_code == 0 and len(server.log) == sent  # the budget counts the journal: nothing new is paid
    assert _manifest(path)["cost_usd"]["total"] == spent


def test_max_cost_needs_prices(fake_server, write_recipe):
    path = write_recipe(fake_server(), TASKS)
    result = _invoke(path, "--max-cost", "1")
    assert isinstance(result.exception, RecipeError) and "input_price_per_mtok" in str(result.exception)


def test_shipped_demo_recipe_loads_and_dry_runs():
    result = _invoke("generate-demo", "--dry-run")  # found by name among the shipped recipes
    assert result.exit_code == 0, result.output
    for task in ("general-evol", "roleplay", "coding-judge", "tool-use", "rag", "steering"):
        assert f"{task} · item" in result.output
