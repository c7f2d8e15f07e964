"""`hermes-data rejected FOLDER`: print a dataset folder's rejected rows with their stage, reason and detail; a
duplicate side by side with the row kept in its place."""

from __future__ import annotations

import typer
from rich.table import Table

from hermes_data.cli.common import console

TEXT_CHARS = 600  # per side: enough to judge a duplicate or a refusal without flooding the terminal


def rejected_command(
    folder: str = typer.Argument(..., help="A folder written by hermes-data build, pairs or generate."),
    stage: str = typer.Option(None, "--stage", help="Only rows dropped by this stage (e.g. dedup_near)."),
    reason: str = typer.Option(None, "--reason", help="Only rows with this reason (e.g. near_duplicate)."),
    limit: int = typer.Option(20, "--limit", min=1, help="Print at most this many rows."),
) -> None:
    """Print rejected rows for auditing: the stage, reason and detail of each, and the kept row of a duplicate."""
    from hermes_data.dataset.rejected import read_rejected

    rows = read_rejected(folder, stage=stage, reason=reason, limit=limit)
    if not rows:
        console.print("no rejected rows match", highlight=False)
        return
    for item in rows:
        row = item.row
        head = f"[bold]{row.get('stage')}[/] / [bold]{row.get('reason')}[/]  id {row.get('id')}"
        console.print(head, highlight=False, soft_wrap=True)
        if item.detail:
            shown = ", ".join(f"{k}={v}" for k, v in item.detail.items() if k != "issues")
            for issue in item.detail.get("issues", []):
                shown += f"\n  {issue.get('code')} (turn {issue.get('turn')}): {issue.get('message')}"
            console.print(f"  detail: {shown}", highlight=False, soft_wrap=True, markup=False)
        if item.kept is not None:
            table = Table(show_lines=True)
            table.add_column(f"rejected {row.get('id')}", overflow="fold")
            table.add_column(f"kept {item.kept.get('id')}", overflow="fold")
            table.add_row(_text(row), _text(item.kept))
            console.print(table)
        else:
            console.print(_text(row), highlight=False, markup=False, soft_wrap=True)
        console.print()


def _text(row: dict) -> str:
    """The conversation (a record's messages, or a pair's prompt and chosen reply) as `role: content` lines."""
    messages = row.get("messages") or [*(row.get("prompt") or []), *(row.get("chosen") or [])]
    text = "\n".join(f"{m.get('role')}: {m.get('content') or ''}" for m in messages)
    return text if len(text) <= TEXT_CHARS else text[:TEXT_CHARS] + " …"
