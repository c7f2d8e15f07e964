"""`hermes-data build RECIPE`: the main job, from a recipe to a dataset folder."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from hermes_data.cli.common import console
from hermes_data.errors import RecipeError


def build_command(
    recipe: str = typer.Argument(..., help="Recipe file, or the name of a shipped recipe (demo, hermes3)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan (sources, row counts, stages) only."),
    overrides: list[str] = typer.Option(None, "--set", help="Override a setting: --set filters.min_tokens=8."),
    workers: int = typer.Option(
        None, "--workers", help="Worker processes for reading, annotation and signatures (default: every core)."
    ),
) -> None:
    """Build a filtered, deduplicated, balanced dataset folder from a recipe."""
    from hermes_data.build.recipe import load_recipe
    from hermes_data.build.run import print_plan, run_build
    from hermes_data.resources import recipe_path

    path = Path(recipe) if Path(recipe).exists() or recipe.endswith((".yaml", ".yml")) else recipe_path(recipe)
    parsed = load_recipe(path, _parse_overrides(overrides or []))
    if dry_run:
        print_plan(console, parsed)
        return
    engine = build_engine(workers)
    try:
        run_build(parsed, console, engine)
    finally:
        engine.close()


def build_engine(workers: int | None):
    """The engine a build runs its per-batch work on: `--workers` local processes (default: every core)."""
    from hermes_data.engine import make_engine
    from hermes_data.engine.local import default_workers

    return make_engine("local", default_workers() if workers is None else workers)


def _parse_overrides(items: list[str]) -> dict:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise RecipeError(f"--set {item!r}: expected key=value, e.g. --set output=out/demo")
        out[key.strip()] = yaml.safe_load(value)
    return out
