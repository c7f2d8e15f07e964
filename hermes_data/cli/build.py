"""`hermes-data build RECIPE`: the main job, from a recipe to a dataset folder."""

from __future__ import annotations

import typer

from hermes_data.cli.common import console
from hermes_data.errors import RecipeError


def build_command(
    recipe: str = typer.Argument(..., help="Recipe file, or the name of a shipped recipe (demo, hermes3)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan (sources, row counts, stages) only."),
    overrides: list[str] = typer.Option(
        None, "--set", help="Override a setting: --set filters.min_tokens=8, --set sources.0.limit=100."
    ),
    engine: str = typer.Option("local", "--engine", help="Where per-batch work runs: local processes or ray."),
    workers: int = typer.Option(
        None, "--workers", help="Parallel workers for reading, annotation and signatures (default: every CPU)."
    ),
    address: str = typer.Option(None, "--address", help="Ray cluster to join (HOST:PORT, ray://HOST:PORT or auto)."),
) -> None:
    """Build a filtered, deduplicated, balanced dataset folder from a recipe."""
    from hermes_data.build.recipe import load_recipe
    from hermes_data.build.run import print_plan, run_build
    from hermes_data.dataset.folder import check_replaceable
    from hermes_data.io.outputs import check_output_folder
    from hermes_data.recipe import parse_overrides, resolve_recipe

    _check_engine_options(engine, workers, address)
    parsed = load_recipe(resolve_recipe(recipe), parse_overrides(overrides))
    if dry_run:
        print_plan(console, parsed)
        return
    check_replaceable(check_output_folder(parsed.output))  # before reading a row: a bad output fails in seconds
    chosen = build_engine(engine, workers, address)
    try:
        run_build(parsed, console, chosen)
    finally:
        chosen.close()


def _check_engine_options(name: str, workers: int | None, address: str | None) -> None:
    from hermes_data.engine.base import check_workers

    if name not in ("local", "ray"):
        raise RecipeError(f"--engine {name!r}: use local or ray")
    if address and name != "ray":
        raise RecipeError("--address joins a Ray cluster: add --engine ray")
    check_workers(workers)  # before the recipe loads: a bad flag fails at once


def build_engine(name: str = "local", workers: int | None = None, address: str | None = None):
    """The engine a build runs its per-batch work on: `--workers` local processes (default: every core), or Ray
    tasks on a local instance or the cluster at `address` (default: every CPU it has)."""
    from hermes_data.build.pipeline import WORKER_MODULES
    from hermes_data.engine import make_engine
    from hermes_data.engine.local import default_workers

    if name == "local" and workers is None:
        workers = default_workers()
    return make_engine(name, workers, address, preload=WORKER_MODULES)
