"""`hermes-data pull REF DEST`: copy a published version into a new local folder and verify it."""

from __future__ import annotations

import typer

from hermes_data.cli.common import console_err


def pull_command(
    ref: str = typer.Argument(..., help="ORG/NAME@REV, hf://datasets/ORG/NAME@REV, URL/ORG/NAME@VERSION, or a folder."),
    dest: str = typer.Argument(..., help="A new (or empty) folder to write the version into."),
) -> None:
    """Download a version (shards, rejected rows, card, manifest) and verify every hash; prints the resolved ref."""
    from hermes_data.publish.fetch import pull
    from hermes_data.publish.integrity import IntegrityError

    try:
        resolved = pull(ref, dest)
    except IntegrityError as exc:
        console_err.print(f"[bold red]mismatch:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    typer.echo(str(resolved))
