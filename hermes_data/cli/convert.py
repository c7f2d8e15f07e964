"""`hermes-data convert`: read any supported input and write canonical Parquet, OpenAI chat or ShareGPT JSONL."""

from __future__ import annotations

import typer

from hermes_data.cli.common import (
    COLUMNS_HELP,
    ROLES_HELP,
    check_inputs,
    column_map_option,
    console,
    console_err,
    iter_file_rows,
)
from hermes_data.errors import DataError
from hermes_data.formats import Unreadable, write_records
from hermes_data.formats.common import PYTHON_LITERAL_READ
from hermes_data.io.outputs import check_output_file
from hermes_data.record import meta_of
from hermes_data.validate import repair_record

TARGETS = ("parquet", "openai", "sharegpt")


def convert_command(
    src: str = typer.Argument(..., help="Input file or folder."),
    dest: str = typer.Argument(..., help="Output file."),
    to: str = typer.Option(..., "--to", help="Output format: parquet, openai or sharegpt."),
    fmt: str = typer.Option(None, "--format", help="Input format; auto-detected when omitted."),
    columns: str = typer.Option(None, "--columns", help=COLUMNS_HELP),
    roles: str = typer.Option(None, "--roles", help=ROLES_HELP),
    repair: bool = typer.Option(
        False,
        "--repair",
        help="Rewrite Python-literal tool calls and schemas as JSON; strip control tokens that end a message.",
    ),
) -> None:
    """Convert between formats; unreadable rows are reported and left out."""
    column_map = column_map_option(columns, roles)
    if to not in TARGETS:
        raise DataError(f"--to {to!r} is not a target format; use one of {', '.join(TARGETS)}")
    check_inputs([src])
    check_output_file(dest, what="DEST", inputs=[src])
    state = {"unreadable": 0, "repaired": 0}

    def records():
        for _, item in iter_file_rows(src, fmt, column_map):
            if isinstance(item, Unreadable):
                state["unreadable"] += 1
                console_err.print(f"[yellow]skipped:[/] {item.path}:{item.line}: {item.message}", highlight=False)
                continue
            applied = []
            if repair:
                item, applied = repair_record(item)
            # Python-literal fields the reader itself read as JSON (a glaive `tools` string) are repairs too.
            state["repaired"] += bool(applied or PYTHON_LITERAL_READ in meta_of(item))
            yield item

    num_written = write_records(records(), dest, to)
    console.print(
        f"wrote {num_written} rows to {dest} ({to}); {state['repaired']} repaired, {state['unreadable']} unreadable"
    )
