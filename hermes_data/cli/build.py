"""`hermes-data build RECIPE`: the main job, from a recipe to a dataset folder."""

from __future__ import annotations

import typer

from hermes_data.cli.common import console


def build_command(
    recipe: str = typer.Argument(..., help="Recipe file, or the name of a shipped recipe (demo, hermes3)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan (sources, row counts, stages) only."),
    overrides: list[str] = typer.Option(
        None, "--set", help="Override a setting: --set filters.min_tokens=8, --set sources.0.limit=100."
    ),
    workers: int = typer.Option(
        None, "--workers", help="Worker processes for reading, annotation and signatures (default: every core)."
    ),
) -> None:
    """Build a filtered, deduplicated, balanced dataset folder from a recipe."""
    from hermes_data.build.recipe import load_recipe
    from hermes_data.build.run import print_plan, run_build
    from hermes_data.dataset.folder import check_replaceable
    from hermes_data.io.outputs import check_output_folder
    from hermes_data.recipe import parse_overrides, resolve_recipe

    parsed = load_recipe(resolve_recipe(recipe), parse_overrides(overrides))
    if dry_run:
        print_plan(console, parsed)
        return
    check_replaceable(check_output_folder(parsed.output))  # before reading a row: a bad output fails in seconds
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
