"""`hermes-data generate`: Evol-Instruct and the category generators over OpenAI-compatible endpoints.

Reads the recipe, builds the clients and the journal, runs, writes the output folder, prints the summary. Rerunning
the same command after a crash or kill resumes: journaled responses are reused, never paid for again.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from hermes_data.cli.common import console, console_err
from hermes_data.errors import RecipeError

if TYPE_CHECKING:
    from hermes_data.generate.items import Shard


def generate_command(
    recipe_path: str = typer.Argument(
        ..., metavar="RECIPE", help="Generate recipe (YAML), or a shipped one by name (generate-demo)."
    ),
    limit: int = typer.Option(None, "--limit", min=1, help="At most N items per task (try a recipe cheaply)."),
    shard: str = typer.Option(
        None,
        "--shard",
        metavar="I/N",
        help="Run share I of N (0-based) of every task's items, into <output>-shard-II-of-NN; N machines together "
        "make the unsharded run's rows.",
    ),
    max_cost: float = typer.Option(
        None,
        "--max-cost",
        min=0,
        help="Stop sending requests once the estimated "
        "spend (USD, journal included) reaches this; needs prices in the recipe.",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the first prompt of each task; call nothing."),
    num_prompts: int = typer.Option(1, "--num-prompts", min=1, help="Items per task shown by --dry-run."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show the progress bar."),
) -> None:
    """Generate conversations; exit 0 when the output was written (failed items are listed in it)."""
    from hermes_data.generate.items import Shard
    from hermes_data.generate.recipe import load_generate_recipe
    from hermes_data.resources import recipe_path as shipped_recipe

    share = Shard.parse(shard) if shard else None

    exists = Path(recipe_path).exists() or recipe_path.endswith((".yaml", ".yml"))
    recipe = load_generate_recipe(Path(recipe_path) if exists else shipped_recipe(recipe_path))
    if dry_run:
        _print_dry_run(asyncio.run(_dry(recipe, num_prompts)))
        return
    if max_cost is not None and any(
        e.input_price_per_mtok is None or e.output_price_per_mtok is None for e in recipe.endpoints.values()
    ):
        raise RecipeError(
            f"{recipe_path}: --max-cost needs input_price_per_mtok and output_price_per_mtok on every endpoint"
        )
    manifest = asyncio.run(_generate(recipe, limit, share, max_cost, progress))
    _print_summary(manifest)


async def _dry(recipe, num_prompts: int) -> list[dict]:
    from hermes_data.generate.runner import dry_run

    return await dry_run(recipe, num_items=num_prompts)


async def _generate(recipe, limit: int | None, shard: Shard | None, max_cost: float | None, progress: bool) -> dict:
    from hermes_data.generate.pipeline import generate_async
    from hermes_data.generate.stats import ProgressView

    view = ProgressView(enabled=progress, console=console_err)
    return await generate_async(recipe, limit=limit, shard=shard, max_cost=max_cost, progress=view)


def _print_dry_run(rendered: list[dict]) -> None:
    for entry in rendered:
        console.rule(f"{entry['task']} · item {entry['item']} · step {entry['step']}")
        for message in entry["messages"]:
            console.print(f"[bold]{message['role']}[/]", highlight=False)
            console.print(message["content"], markup=False, highlight=False, soft_wrap=True)


def _print_summary(manifest: dict) -> None:
    table = Table(title=f"{manifest['name']}: {manifest['rows']} rows")
    for column in ("task", "requested", "completed", "failed", "unfinished", "failure reasons"):
        table.add_column(column)
    for name, task in manifest["tasks"].items():
        reasons = ", ".join(f"{k} {v}" for k, v in task["failure_reasons"].items())
        table.add_row(name, *(str(task[k]) for k in ("requested", "completed", "failed", "unfinished")), reasons)
    console.print(table)
    cost = manifest["cost_usd"]
    spend = f", estimated cost ${cost['total']:.4f} (this run ${cost['this_run']:.4f})" if cost else ""
    console.print(
        f"requests sent {manifest['requests']['sent']}, reused from the journal "
        f"{manifest['requests']['replayed_from_journal']}; tokens {manifest['tokens']['prompt']} prompt + "
        f"{manifest['tokens']['completion']} completion{spend}"
        + (f"; stopped: {manifest['stopped']}" if manifest["stopped"] else ""),
        highlight=False,
    )
