"""`hermes-data build RECIPE`: the main job, from a recipe to a dataset folder."""

from __future__ import annotations

import contextlib
from pathlib import Path

import typer
import yaml

from hermes_data.cli.common import console
from hermes_data.errors import RecipeError


def build_command(
    recipe: str = typer.Argument(..., help="Recipe file, or the name of a shipped recipe (demo, hermes3)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan (sources, row counts, stages) only."),
    overrides: list[str] = typer.Option(None, "--set", help="Override a setting: --set filters.min_tokens=8."),
    engine: str = typer.Option("local", "--engine", help="Where per-batch work runs: local or ray."),
    workers: int = typer.Option(None, "--workers", help="Parallel workers (default: the machine's or cluster's CPUs)."),
    address: str = typer.Option(None, "--address", help="Ray cluster to join (HOST:PORT, ray://HOST:PORT or auto)."),
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
    with _engine(engine, workers, address) as chosen:
        run_build(parsed, console, chosen)


@contextlib.contextmanager
def _engine(name: str, workers: int | None, address: str | None):
    from hermes_data.engine import make_engine

    if name not in ("local", "ray"):
        raise RecipeError(f"--engine {name!r}: use local or ray")
    if address and name != "ray":
        raise RecipeError("--address joins a Ray cluster: add --engine ray")
    if workers is not None and workers < 1:
        raise RecipeError(f"--workers {workers}: must be at least 1")
    engine = make_engine(name, workers, address)
    try:
        yield engine
    finally:
        engine.close()


def _parse_overrides(items: list[str]) -> dict:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise RecipeError(f"--set {item!r}: expected key=value, e.g. --set output=out/demo")
        out[key.strip()] = yaml.safe_load(value)
    return out
