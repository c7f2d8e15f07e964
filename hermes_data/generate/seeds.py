"""A task's seed rows, streamed: inline strings, a JSONL file (plain or .gz/.bz2/.xz), a Parquet file or a folder of
them, or a Hub dataset split read through `datasets` streaming.

Nothing is loaded whole: JSONL is read line by line, Parquet batch by batch (only the needed columns), the Hub split
row by row without downloading it first, so `--limit 1000` on a ten-million-row source reads a thousand rows. The
prompt is the seed's `column`, or else the first of SEED_FIELDS a row has; with the task's `tools_column`, each row
also brings the tool list its episode uses (tool_episode's pool "from a dataset column"), with `schema_column` the
JSON Schema its JSON-mode answer must follow.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hermes_data.errors import DataError, where
from hermes_data.generate.recipe import FileSeeds, HubSeeds, TaskSpec
from hermes_data.io.user_files import unreadable_parquet

SEED_FIELDS = ("prompt", "instruction", "question", "text")  # the first present in a seed row is the prompt
JSONL_SUFFIXES = tuple(f"{base}{codec}" for base in (".jsonl", ".json") for codec in ("", ".gz", ".bz2", ".xz", ".zst"))
_BATCH_ROWS = 1024


@dataclass(frozen=True)
class Seed:
    prompt: str
    tools: str | None = None  # JSON text of the row's tool list, when the task names a tools_column
    schema: str | None = None  # JSON text of the row's JSON-mode schema, when the task names a schema_column


def iter_seeds(task: TaskSpec) -> Iterator[Seed]:
    """The task's seed rows in order, read lazily; DataError (one line naming file, row and field) on a bad row."""
    spec = task.seeds
    if isinstance(spec, list):
        yield from (Seed(str(s)) for s in spec)
        return
    if isinstance(spec, HubSeeds):
        yield from _hub_seeds(spec, _extra_columns(task))
        return
    path, column = (Path(spec.path), spec.column) if isinstance(spec, FileSeeds) else (Path(spec), None)
    files = _seed_files(path)
    for file in files:
        extra = _extra_columns(task)
        rows = _parquet_rows(file, column, extra) if file.suffix == ".parquet" else _jsonl_rows(file)
        for place, row in rows:
            yield _seed(row, place, column, extra)


def _extra_columns(task: TaskSpec) -> dict[str, str]:
    """Seed fields beyond the prompt: Seed attribute -> the column the task names for it."""
    named = {"tools": task.tools_column, "schema": task.schema_column}
    return {attribute: column for attribute, column in named.items() if column}


def _seed_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and _readable(p))
        if not files:
            raise DataError(f"{path}: the seed folder holds no .parquet or .jsonl[.gz/.bz2/.xz/.zst] files")
        return files
    if not path.is_file():
        raise DataError(f'{path}: no such seed file or folder (JSONL of {{"prompt": ...}} rows, or Parquet)')
    return [path]


def _readable(path: Path) -> bool:
    return path.suffix == ".parquet" or path.name.endswith(JSONL_SUFFIXES)


def _jsonl_rows(path: Path) -> Iterator[tuple[str, object]]:
    from hermes_data.io.compressed import open_data  # by magic bytes, decompressed as it is read (zstd too)

    with io.TextIOWrapper(open_data(path), encoding="utf-8") as fh:
        try:
            for line_no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield where(path, line_no), json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataError(
                        f"{where(path, line_no)}: not valid JSON ({exc.msg}); fix or remove the line"
                    ) from None
        except (UnicodeDecodeError, OSError, EOFError) as exc:
            raise DataError(
                f"{path}: not readable as UTF-8 JSONL ({exc}); check its encoding and compression"
            ) from None


def _parquet_rows(path: Path, column: str | None, extra: dict[str, str]) -> Iterator[tuple[str, object]]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except OSError as exc:
        raise unreadable_parquet(path, exc) from None
    names = parquet.schema_arrow.names
    prompt_column = column or next((f for f in SEED_FIELDS if f in names), SEED_FIELDS[0])
    wanted = [prompt_column, *extra.values()]
    missing = [c for c in wanted if c not in names]
    if missing:
        raise DataError(f"{path}: no column {missing[0]!r}; columns: {', '.join(names)}")
    index = 0
    for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, columns=wanted):
        for row in batch.to_pylist():
            yield f"{path}: row {index}", row
            index += 1


def _hub_seeds(spec: HubSeeds, extra: dict[str, str]) -> Iterator[Seed]:
    import datasets  # heavy: only when a recipe reads seeds from the Hub

    try:
        data = datasets.load_dataset(spec.hub, spec.config, split=spec.split, revision=spec.revision, streaming=True)
        for index, row in enumerate(data):
            place = f"hub:{spec.hub} row {index}"
            for name in (spec.column, *extra.values()):
                if name not in row:
                    raise DataError(f"hub:{spec.hub}: no column {name!r}; columns: {', '.join(row)}")
            yield _seed(row, place, spec.column, extra)
    except (OSError, ValueError) as exc:  # not found, unreachable, a bad split or config: `datasets` says which
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"hub:{spec.hub}: cannot stream the seeds ({reason}); check name, split and revision") from None


def _seed(row: object, place: str, column: str | None, extra: dict[str, str]) -> Seed:
    if not isinstance(row, dict):
        raise DataError(f"{place}: a seed row must be an object with a text field, one of {', '.join(SEED_FIELDS)}")
    value = row.get(column) if column else next((row[f] for f in SEED_FIELDS if row.get(f)), None)
    if not isinstance(value, str) or not value:
        wanted = repr(column) if column else f"one of {', '.join(SEED_FIELDS)}"
        raise DataError(f"{place}: a seed row needs a text field, {wanted}")
    fields = {}
    for attribute, name in extra.items():
        raw = row.get(name)
        text = raw if isinstance(raw, str) or raw is None else json.dumps(raw, ensure_ascii=False)
        if not text:
            raise DataError(f"{place}: {name!r} is empty; each row needs its {attribute} (JSON)")
        fields[attribute] = text
    return Seed(value, **fields)
