"""`hermes-data versions ORG/NAME [--to hf|URL]`: the published versions with date, rows, tokens and revision."""

from __future__ import annotations

import json

import typer

from hermes_data.cli.common import console


def versions_command(
    repo: str = typer.Argument(..., help="Dataset name ORG/NAME."),
    to: str = typer.Option("hf", "--to", help="'hf' for the Hub, or the fsspec root the versions were published to."),
    as_json: bool = typer.Option(False, "--json", help="Print the versions as JSON instead of a table."),
) -> None:
    """List the versions of a dataset, oldest first."""
    from dataclasses import asdict

    from hermes_data.publish.versions import list_versions

    versions = list_versions(repo, to=to)
    if as_json:
        typer.echo(json.dumps([asdict(v) for v in versions], indent=2))
        return
    if not versions:
        console.print(f"{repo} has no published versions in {to}", highlight=False)
        return
    # Plain aligned lines, not a table: the 64-character hashes must survive a narrow terminal and `grep`.
    width = max(len(v.version) for v in versions)
    for v in versions:
        line = f"{v.version:<{width}}  {v.date or '–':<25}  {_num(v.rows):>9} rows  {_num(v.tokens):>13} tokens  "
        typer.echo(line + v.revision)


def _num(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"
