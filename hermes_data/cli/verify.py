"""`hermes-data verify REF|FOLDER`: re-hash files and rows against the manifest; exit 1 on any mismatch."""

from __future__ import annotations

import typer

from hermes_data.cli.common import console, console_err


def verify_command(
    ref: str = typer.Argument(..., help="A build folder, ORG/NAME@REV, hf://datasets/…, or URL/ORG/NAME@VERSION."),
) -> None:
    """Check every shard's sha256 and row count and the rows' content_sha256 against manifest.json."""
    from hermes_data.publish.fetch import verify
    from hermes_data.publish.integrity import IntegrityError

    try:
        resolved, problems = verify(ref)
    except IntegrityError as exc:
        console_err.print(f"[bold red]mismatch:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    for problem in problems:
        console_err.print(f"[bold red]mismatch:[/] {problem}", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    console.print(f"ok: {resolved} matches its manifest", highlight=False, soft_wrap=True)
