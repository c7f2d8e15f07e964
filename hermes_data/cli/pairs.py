"""`hermes-data pairs RECIPE`: preference pairs from judged candidates and pair files (issue 7)."""

from __future__ import annotations

from pathlib import Path

import typer

from hermes_data.cli.build import _parse_overrides
from hermes_data.cli.common import console


def pairs_command(
    recipe: str = typer.Argument(..., help="Recipe file, or the name of a shipped recipe (pairs-demo)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan (sources, row counts, stages) only."),
    overrides: list[str] = typer.Option(None, "--set", help="Override a setting: --set min_margin=2."),
) -> None:
    """Pair judged candidates (best against a worse reply by judge score) and filter pairs into a DPO dataset."""
    from hermes_data.pairs.recipe import load_pairs_recipe
    from hermes_data.pairs.run import print_plan, run_pairs
    from hermes_data.resources import recipe_path

    path = Path(recipe) if Path(recipe).exists() or recipe.endswith((".yaml", ".yml")) else recipe_path(recipe)
    parsed = load_pairs_recipe(path, _parse_overrides(overrides or []))
    if dry_run:
        print_plan(console, parsed)
        return
    run_pairs(parsed, console)
