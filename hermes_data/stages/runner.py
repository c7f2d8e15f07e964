"""The stage runner: apply an ordered list of stages to a working table, collecting rejects and the funnel.

The build and the pairs pipeline both run through `run_stages`; their stage lists are built once from the recipe
(`hermes_data.build.stages.build_stages`, `hermes_data.pairs.pipeline.build_stages`), and `--dry-run` prints the
same list's names.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa

from hermes_data.errors import DataError
from hermes_data.stages.memory import release_memory
from hermes_data.stages.verdict import Funnel, Verdict, apply_stage


@dataclass(frozen=True)
class Stage:
    """One step of a pipeline: its name (the `stage` column of its rejects) and table → Verdict.

    `text` says what a stage reads when the rows' text is kept apart (`run_stages(..., text=store)`, the build):
    "" only compact columns; "rows" the text, row by row (its verdict for a row depends on that row alone, so it
    runs piece by piece, on `engine`'s workers when one is given and `run` pickles); "stream" the text of every row
    once, in order (`run(table, chunks)`, where `chunks()` yields the joined pieces); "table" every row with its
    text at once.
    """

    name: str
    run: Callable[..., Verdict]
    text: str = ""
    engine: object = None


@dataclass
class StageRun:
    """What `run_stages` leaves: the kept rows, the rejects of each stage that dropped any, seconds per stage."""

    table: pa.Table
    rejected: list[pa.Table] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)


def run_stages(
    table: pa.Table,
    stages: list[Stage],
    funnel: Funnel,
    *,
    unit: str = "rows",
    empty_error: str = "every row was filtered out by the {stage!r} stage; see the reasons above and loosen the recipe",
    report: Callable[[str, int, int], None] | None = None,
    status: Callable[[str], object] | None = None,
    text=None,
) -> StageRun:
    """Apply `stages` in order. `report(name, kept, before)` is called after each stage, `status(text)` (a
    context manager, e.g. rich's `console.status`) around it. Raises DataError(`empty_error`) when a stage leaves
    no row: the next stages and the output would be empty. `text` (hermes_data.build.text_store.TextStore): the
    table holds compact columns only and stages that read text get it from there (`Stage.text`)."""
    from contextlib import nullcontext

    out = StageRun(table)
    for stage in stages:
        before, start, cpu = out.table.num_rows, time.perf_counter(), time.process_time()
        with status(f"{stage.name}: {before:,} {unit}") if status else nullcontext():
            verdict = _verdict(stage, out.table, text)
        out.table, rejected = apply_stage(out.table, stage.name, verdict, funnel)
        release_memory()  # the stage's garbage must not add to the next stage's peak (memory.py)
        out.seconds[stage.name] = time.perf_counter() - start
        out.cpu_seconds[stage.name] = time.process_time() - cpu
        if rejected.num_rows:
            out.rejected.append(rejected)
        if report:
            report(stage.name, out.table.num_rows, before)
        if out.table.num_rows == 0:
            raise DataError(empty_error.format(stage=stage.name))
    return out


def _verdict(stage: Stage, table: pa.Table, text) -> Verdict:
    from hermes_data.stages.batches import batch_verdict, join_verdicts, verdict_on_batches

    parallel = stage.engine is not None and getattr(stage.engine, "workers", 1) > 1
    if stage.text == "stream":
        return stage.run(table, None if text is None else (lambda: text.chunks(table)))
    if text is None:
        return verdict_on_batches(stage.engine, stage.run, table) if parallel else stage.run(table)
    if stage.text == "rows":
        pieces = text.chunks(table)
        if parallel:
            return join_verdicts(list(stage.engine.map_ordered(batch_verdict, ((stage.run, p) for p in pieces))))
        return join_verdicts([stage.run(piece) for piece in pieces])
    if stage.text == "table":
        return stage.run(text.join(table))
    return stage.run(table)
