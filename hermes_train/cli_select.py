"""`hermes-train select SCORES.json [--json]`: pick the checkpoint with the best min-max normalized average.

Registered in `cli.py` as `app.command("select")(select_command)`. Warnings go to stderr so `--json` output stays
machine-readable.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from hermes_train.select import Selection, load_scores, select_checkpoint


def select_command(
    scores: Path = typer.Argument(..., help='JSON: {"checkpoints": {name: {metric: value}}, "groups": {g: [metric]}}'),
    as_json: bool = typer.Option(False, "--json", help="Print the selection and table as JSON."),
) -> None:
    """Pick the checkpoint whose benchmark groups, min-max normalized to 0-100 across checkpoints, average highest."""
    selection = select_checkpoint(load_scores(scores), source=str(scores))
    for warning in selection.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if as_json:
        typer.echo(json.dumps(selection.to_json(), indent=2))
    else:
        Console().print(_render(selection))


def _render(selection: Selection) -> Table:
    groups = list(next(iter(selection.table.values()))["groups"])
    table = Table(title=f"selected: {selection.selected}")
    table.add_column("checkpoint")
    for group in groups:
        table.add_column(f"{group}\nvalue / norm", justify="right")
    table.add_column("total", justify="right")
    for name, row in selection.table.items():
        cells = []
        for group in groups:
            cell = row["groups"][group]
            norm = "-" if cell["normalized"] is None else f"{cell['normalized']:.1f}"
            cells.append(f"{cell['value']:.4g} / {norm}")
        total = "-" if row["total"] is None else f"{row['total']:.1f}"
        marker = " *" if name == selection.selected else ""
        table.add_row(name + marker, *cells, total)
    return table
