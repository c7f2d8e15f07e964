"""`hermes-data validate`: check every row against the Hermes formats and report error codes."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from pathlib import Path
from typing import TextIO

import typer
from rich.table import Table

from hermes_data.cli.common import (
    COLUMNS_HELP,
    ROLES_HELP,
    column_map_option,
    console,
    console_err,
    iter_file_rows,
    resolve_inputs,
)
from hermes_data.errors import DataError
from hermes_data.formats import ColumnMap, Unreadable
from hermes_data.formats.common import RowError
from hermes_data.formats.writers import atomic_output
from hermes_data.io.outputs import check_output_file
from hermes_data.pairs.convert import is_pair_row
from hermes_data.pairs.readers import input_keys, read_pairs
from hermes_data.validate import repair_record, validate_record
from hermes_data.validate.codes import CODES
from hermes_data.validate.pair import PAIR_CODES, validate_pair

# Unreadable rows are not validator errors (the row never became a record) but are reported the same way.
UNREADABLE = "unreadable"
MAX_WARNINGS = 20
KINDS = ("pairs", "conversations")
PAIRS_NOTE = "preference pairs: chosen and rejected each checked after the prompt (--kind conversations to override)"


def validate_command(
    files: list[str] = typer.Argument(None, help="Input files or folders (ShareGPT, OpenAI chat, Alpaca, Parquet)."),
    fmt: str = typer.Option(None, "--format", help="Input format; auto-detected when omitted."),
    columns: str = typer.Option(None, "--columns", help=COLUMNS_HELP),
    roles: str = typer.Option(None, "--roles", help=ROLES_HELP),
    repair: bool = typer.Option(
        False,
        "--repair",
        help="Rewrite Python-literal tool calls and schemas as JSON; strip control tokens that end a message.",
    ),
    report: Path = typer.Option(None, "--report", help="Write one JSON line per row to this file."),
    sample: bool = typer.Option(False, "--sample", help="Also validate the embedded sample conversations."),
    kind: str = typer.Option(None, "--kind", help="pairs or conversations; detected from the rows when omitted."),
) -> None:
    """Validate rows; exit 0 when all are valid, 1 when some are invalid, 2 on usage or input errors."""
    column_map = column_map_option(columns, roles)
    paths = resolve_inputs(files, sample)
    if report:
        check_output_file(report, what="--report", inputs=paths)
        # A report cut short must not look complete: only a finished run renames it into place.
        with atomic_output(str(report)) as tmp, open(tmp, "w", encoding="utf-8") as out:
            num_rows, num_invalid, counts = _validate_rows(paths, fmt, column_map, kind, repair, out)
    else:
        num_rows, num_invalid, counts = _validate_rows(paths, fmt, column_map, kind, repair, None)
    _print_summary(num_rows, num_invalid, counts)
    raise typer.Exit(1 if num_invalid else 0)


def _validate_rows(
    paths: list[str], fmt: str | None, columns: ColumnMap, kind: str | None, repair: bool, out: TextIO | None
) -> tuple[int, int, Counter]:
    """Check every row of `paths`, writing one report line per row to `out` when given; (rows, invalid, codes)."""
    counts: Counter[str] = Counter()
    num_rows = num_invalid = num_warned = 0
    for path in paths:
        is_pairs = _input_kind(path, kind, fmt, columns) == "pairs"
        rows = enumerate(read_pairs(path, columns=columns)) if is_pairs else iter_file_rows(path, fmt, columns)
        if is_pairs:
            console_err.print(f"{path}: {PAIRS_NOTE}", highlight=False)
        for index, item in rows:
            num_rows += 1
            line = _check_pair(item, index, repair) if is_pairs else _check(item, index, repair)
            if not line["valid"]:
                num_invalid += 1
                counts.update({e["code"] for e in line["errors"]})
                if isinstance(item, Unreadable) and not out and num_warned < MAX_WARNINGS:
                    num_warned += 1
                    console_err.print(f"[yellow]warning:[/] {line['errors'][0]['message']}", highlight=False)
            if out:
                line["file"] = path
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return num_rows, num_invalid, counts


def _input_kind(path: str, kind: str | None, fmt: str | None, columns: ColumnMap) -> str:
    """`pairs` for a file of preference pairs (chosen/rejected in its first row, after the column map), else
    `conversations`."""
    if kind not in (None, *KINDS):
        raise DataError(f"--kind {kind!r} is not a kind; use one of {', '.join(KINDS)}")
    if kind is None and fmt in (None, "hub", "parquet"):
        keys = input_keys(path)
        with contextlib.suppress(RowError):  # a mapped column the first row lacks: reading reports it row by row
            keys = list(columns.apply(dict.fromkeys(keys)))
        kind = "pairs" if is_pair_row(keys) else None
    if kind == "pairs" and fmt not in (None, "hub", "parquet"):
        raise DataError(f"--format {fmt} names a conversation format; drop it to validate pairs")
    return kind or "conversations"


def _unreadable(item: Unreadable, index: int) -> dict:
    message = f"{item.path}:{item.line}: {item.message}" if item.line else f"{item.path} row {index}: {item.message}"
    return {"id": None, "index": index, "valid": False, "errors": [_error(UNREADABLE, None, message)]}


def _check_pair(item: object, index: int, repair: bool) -> dict:
    if isinstance(item, Unreadable):
        return _unreadable(item, index)
    errors = [{**_error(i.code, i.turn, i.message), "side": side} for side, i in validate_pair(item, repair=repair)]
    return {"id": item["id"], "index": index, "valid": not errors, "errors": errors}


def _check(item: object, index: int, repair: bool) -> dict:
    if isinstance(item, Unreadable):
        return _unreadable(item, index)
    record = item
    if repair:
        record, _ = repair_record(record)
    issues = validate_record(record)
    errors = [_error(i.code, i.turn, i.message) for i in issues]
    return {"id": record["id"], "index": index, "valid": not errors, "errors": errors}


def _error(code: str, turn: int | None, message: str) -> dict:
    return {"code": code, "turn": turn, "message": message}


def _print_summary(num_rows: int, num_invalid: int, counts: Counter[str]) -> None:
    if not num_invalid:
        console.print(f"{num_rows} rows, all valid")
        return
    table = Table(title=f"{num_rows} rows, {num_rows - num_invalid} valid, {num_invalid} invalid")
    table.add_column("code")
    table.add_column("rows", justify="right")
    table.add_column("meaning")
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        meaning = CODES.get(code) or PAIR_CODES.get(code, "the row could not be read (file and line in the report)")
        table.add_row(code, str(n), meaning)
    console.print(table)
