"""Pieces every command shares: consoles, input resolution, reading records with their row positions."""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Console

from hermes_data.errors import DataError
from hermes_data.formats.column_map import ColumnMap, column_map, parse_pairs
from hermes_data.io.user_files import check_data_input
from hermes_data.sample import sample_path

console = Console()
console_err = Console(stderr=True)


def resolve_inputs(files: list[str] | None, use_sample: bool) -> list[str]:
    """The files a command reads: those given, plus the embedded sample with --sample."""
    paths = list(files or [])
    if use_sample:
        paths.append(str(sample_path("conversations.jsonl")))
    if not paths:
        raise DataError("no input: give one or more FILE arguments, or --sample for the embedded sample")
    check_inputs(paths)
    return paths


COLUMNS_HELP = "Map columns onto a layout, e.g. instruction=question,output=answer or messages=turns,role=speaker."
ROLES_HELP = "Map role names, e.g. bot=assistant,human=user."


def check_inputs(paths: list[str]) -> None:
    """Refuse unreadable local inputs before anything is written (Hub references are checked when opened)."""
    from hermes_data.formats.detect import looks_like_hub

    for path in paths:
        if not looks_like_hub(path):
            check_data_input(path)


def column_map_option(columns: str | None, roles: str | None) -> ColumnMap:
    """The --columns/--roles options as a checked ColumnMap (a bad entry is a one-line usage error)."""
    return column_map(parse_pairs(columns, "--columns"), parse_pairs(roles, "--roles"), where="--columns")


def iter_file_rows(path: str, fmt: str | None, columns: ColumnMap | None = None) -> Iterator[tuple[int, object]]:
    """(row index within the file, record or Unreadable) for every row of one input."""
    from hermes_data.formats import UniqueIds, read_records

    ids = UniqueIds()
    yield from enumerate(read_records(path, fmt, columns=columns, ids=ids))
    if ids.summary():
        console_err.print(f"[yellow]warning:[/] {path}: {ids.summary()}", highlight=False)
