"""`hermes-data stats`: rows, turns and input/output tokens per category."""

from __future__ import annotations

import json
from collections import defaultdict

import typer
from rich.table import Table

from hermes_data.cli.common import COLUMNS_HELP, ROLES_HELP, column_map_option, console, iter_file_rows, resolve_inputs
from hermes_data.formats import Unreadable

NO_CATEGORY = "(none)"
BATCH = 2048


def stats_command(
    files: list[str] = typer.Argument(None, help="Input files or folders."),
    fmt: str = typer.Option(None, "--format", help="Input format; auto-detected when omitted."),
    columns: str = typer.Option(None, "--columns", help=COLUMNS_HELP),
    roles: str = typer.Option(None, "--roles", help=ROLES_HELP),
    tokenizer: str = typer.Option("llama3", "--tokenizer", help="Built-in 'llama3' or a Hugging Face name/path."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON instead of a table."),
    sample: bool = typer.Option(False, "--sample", help="Also count the embedded sample conversations."),
) -> None:
    """Count rows, turns and tokens (the trainer's ChatML accounting) per category."""
    column_map = column_map_option(columns, roles)
    from hermes_data.tokenizer import count_tokens, load_tokenizer

    paths = resolve_inputs(files, sample)
    tok = load_tokenizer(tokenizer)
    totals: dict[str, dict[str, int]] = defaultdict(
        lambda: {"rows": 0, "turns": 0, "input_tokens": 0, "output_tokens": 0}
    )
    num_unreadable = 0
    batch: list[dict] = []

    def flush() -> None:
        for record, (n_in, n_out) in zip(batch, count_tokens([r["messages"] for r in batch], tok), strict=True):
            entry = totals[record.get("category") or NO_CATEGORY]
            entry["rows"] += 1
            entry["turns"] += len(record["messages"])
            entry["input_tokens"] += n_in
            entry["output_tokens"] += n_out
        batch.clear()

    for path in paths:
        for _, item in iter_file_rows(path, fmt, column_map):
            if isinstance(item, Unreadable):
                num_unreadable += 1
                continue
            batch.append(item)
            if len(batch) >= BATCH:
                flush()
    flush()
    result = _summarize(dict(totals), num_unreadable)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        _print_table(result)


def _summarize(totals: dict[str, dict[str, int]], num_unreadable: int) -> dict:
    total = {key: sum(t[key] for t in totals.values()) for key in ("rows", "turns", "input_tokens", "output_tokens")}
    all_tokens = total["input_tokens"] + total["output_tokens"]
    categories = {}
    for name in sorted(totals):
        entry = dict(totals[name])
        tokens = entry["input_tokens"] + entry["output_tokens"]
        entry["tokens"] = tokens
        entry["share"] = round(100 * tokens / all_tokens, 2) if all_tokens else 0.0
        categories[name] = entry
    total["tokens"] = all_tokens
    return {"total": total, "categories": categories, "unreadable_rows": num_unreadable}


def _print_table(result: dict) -> None:
    table = Table(title="hermes-data stats")
    for col in ("category", "rows", "turns", "input tokens", "output tokens", "token share %"):
        table.add_column(col, justify="left" if col == "category" else "right")
    for name, e in result["categories"].items():
        table.add_row(name, *(f"{e[k]:,}" for k in ("rows", "turns", "input_tokens", "output_tokens")), f"{e['share']}")
    t = result["total"]
    table.add_row("total", *(f"{t[k]:,}" for k in ("rows", "turns", "input_tokens", "output_tokens")), "100")
    console.print(table)
    if result["unreadable_rows"]:
        console.print(f"[yellow]{result['unreadable_rows']} unreadable rows skipped[/] (see hermes-data validate)")
