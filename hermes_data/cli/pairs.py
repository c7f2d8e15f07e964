"""`hermes-data pairs RECIPE`: preference pairs from judged candidates and pair files (issue 7)."""

from __future__ import annotations

import typer

from hermes_data.cli.common import console


def pairs_command(
    recipe: str = typer.Argument(..., help="Recipe file, or the name of a shipped recipe (pairs-demo)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan (sources, row counts, stages) only."),
    overrides: list[str] = typer.Option(
        None, "--set", help="Override a setting: --set min_margin=2, --set sources.0.limit=100."
    ),
) -> None:
    """Pair judged candidates (best against a worse reply by judge score) and filter pairs into a DPO dataset."""
    from hermes_data.dataset.folder import check_replaceable
    from hermes_data.io.outputs import check_output_folder
    from hermes_data.pairs.recipe import load_pairs_recipe
    from hermes_data.pairs.run import print_plan, run_pairs
    from hermes_data.recipe import parse_overrides, resolve_recipe

    parsed = load_pairs_recipe(resolve_recipe(recipe), parse_overrides(overrides))
    if dry_run:
        print_plan(console, parsed)
        return
    check_replaceable(check_output_folder(parsed.output))
    run_pairs(parsed, console)
