"""Curation, the first half of a build: read and annotate the sources, then run the recipe's stages (filters and
dedup, `stages.build_stages`) through the stage runner, reusing a cached result when only the mixture changed.

Balance and write are `run.py`'s. Rejected rows carry `stage`, `reason` and `detail`; the funnel counts them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from rich.console import Console

from hermes_data.build import cache
from hermes_data.build.annotate import WORK_SCHEMA, annotate, annotate_parallel
from hermes_data.build.read_pieces import Assembler, ReadJob, plan_pieces, read_in_pieces
from hermes_data.build.recipe import BuildRecipe
from hermes_data.build.sources import SAMPLE_PREFIX, iter_source
from hermes_data.build.stages import build_stages
from hermes_data.build.text_store import TEXT_COLUMNS, TextStore, without_text
from hermes_data.cache import cache_folder
from hermes_data.engine import Engine, InlineEngine
from hermes_data.errors import DataError
from hermes_data.filters.refusal_config import detector_fingerprint
from hermes_data.io.sources import SourceReport, fingerprint, resolve_paths
from hermes_data.stages import REJECTED_COLUMNS, Funnel, run_stages

# What curation holds per row while its stages run: everything but the text (hermes_data.build.text_store).
COMPACT_SCHEMA = pa.schema([f for f in WORK_SCHEMA if f.name not in TEXT_COLUMNS])
COMPACT_REJECTED_SCHEMA = pa.schema(list(COMPACT_SCHEMA) + REJECTED_COLUMNS)


# What a build's worker processes run (annotate_batch, near-dedup signatures, refusal rules): a local engine
# imports these once in its forkserver, so the workers forked from it start with them.
WORKER_MODULES = (
    "hermes_data.build.annotate",
    "hermes_data.build.read_pieces",
    "hermes_data.dataset.folder",
    "hermes_data.dedup.near",
    "hermes_data.dedup.minhash",
    "hermes_data.filters.refusals",
)


@dataclass
class Curated:
    """The rows that survived filters and dedup, with everything dropped on the way: compact columns (`table`,
    `rejected`; COMPACT_SCHEMA) and the rows' text in `text`, looked up by `_row`."""

    table: pa.Table
    text: TextStore
    rejected: list[pa.Table] = field(default_factory=list)
    funnel: Funnel = field(default_factory=Funnel)
    sources: list[dict] = field(default_factory=list)
    cached: bool = False
    # Wall and CPU (all threads) seconds per stage, for benchmarks/build_scale.py on shared machines.
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)


def curate(recipe: BuildRecipe, tokenizer, console: Console, engine: Engine | None = None) -> Curated:
    """Read, annotate, filter and dedup, reusing the cached result when nothing before the mixture changed.

    `engine` (hermes_data.engine; default: this process) runs the per-batch work: annotation (repair, validation,
    keys, token counting) and near-dedup's per-row texts and signatures. Every engine yields its batches in input
    order, so the curated rows are the same whatever the engine and its number of workers.
    """
    engine = engine or InlineEngine()
    resolved = [resolve_paths(spec) for spec in recipe.sources]
    sections = recipe.model_dump(mode="json", include={"sources", "repair", "filters", "dedup", "tokenizer", "seed"})
    model_files = detector_fingerprint(recipe.filters.refusals)
    if model_files:
        sections["refusal_model_files"] = model_files  # a local classifier's bytes, beyond its name and revision
    key = cache.curated_key(sections, [fingerprint(paths) for paths in resolved])
    hit = cache.load(key)
    if hit is not None:
        table, rejected, text, state = hit
        console.print(f"[dim]reusing curated rows from cache {key[:12]} (only the mixture changed)[/]")
        return Curated(table, text, [rejected], Funnel(state["funnel"]), state["sources"], cached=True)
    curated = _read(recipe, resolved, tokenizer, console, engine)
    _filter_and_dedup(curated, recipe, console, engine)
    rejected = (
        pa.concat_tables([t.cast(COMPACT_REJECTED_SCHEMA) for t in curated.rejected])
        if curated.rejected
        else (COMPACT_REJECTED_SCHEMA.empty_table())
    )
    cache.save(
        key, curated.table, rejected, curated.text, {"funnel": curated.funnel.entries, "sources": curated.sources}
    )
    curated.rejected = [rejected]
    return curated


def _read(recipe: BuildRecipe, resolved: list[list[str]], tokenizer, console: Console, engine: Engine) -> Curated:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    start, cpu = time.perf_counter(), time.process_time()
    batches: list[pa.Table] = []
    # Each batch's text goes to disk as it arrives; the stages hold the compact columns (text_store.py).
    store = TextStore.spill(cache_folder("spill"))
    reports: list[SourceReport] = []
    row = 0
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
    ) as progress:
        for index, (spec, paths) in enumerate(zip(recipe.sources, resolved, strict=True)):
            task = progress.add_task(f"read + validate + count tokens: {spec.path}", total=None)
            report = SourceReport(path=spec.path, format=spec.format, resolved=_resolved_ref(spec, paths))
            options = dict(
                source_index=index,
                start_row=row,
                repairs=tuple(recipe.repair),
                model_priority=recipe.filters.model_priority,
            )
            annotated, assembler = _annotated(recipe, spec, paths, report, tokenizer, engine, options)
            for batch in annotated:
                store.add(batch)
                batches.append(without_text(batch))
                row += batch.num_rows
                progress.update(task, description=f"read {spec.path}: {report.rows_read:,} rows")
            reports.append(report)
            if assembler is not None and assembler.read_here:
                console.print(
                    f"source {spec.path}: the workers do not see {assembler.read_here[0]}"
                    + (f" and {len(assembler.read_here) - 1} more files" if len(assembler.read_here) > 1 else "")
                    + "; this process read them. Put sources on storage every node mounts at the same path to "
                    "read them in parallel",
                    soft_wrap=True,
                )
            if report.ids.summary():
                console.print(f"source {spec.path}: {report.ids.summary()}", soft_wrap=True)
    if not batches:
        raise DataError("the sources yielded no readable rows; check sources[].path and format in the recipe")
    store.finish()
    curated = Curated(pa.concat_tables(batches), store, sources=[r.as_dict() for r in reports])
    for report in reports:
        curated.funnel.add("read", "unreadable", report.rows_unreadable, 0)
    curated.seconds["read_annotate"] = time.perf_counter() - start
    curated.cpu_seconds["read_annotate"] = time.process_time() - cpu
    return curated


def _annotated(recipe, spec, paths, report, tokenizer, engine, options):
    """The annotated batches of one source, and the assembler that numbered them when workers read it in pieces.

    One worker: read and annotate here (the reference every engine matches), with the tokenizing thread. More: the
    source's files in pieces, each read and annotated by a worker (read_pieces.py); a source that does not cut into
    pieces is read here and annotated one batch per job on the workers."""
    if engine.workers > 1:
        pieces = plan_pieces(spec, paths, engine.workers)
        if pieces is not None:
            assembler = Assembler(report, options["start_row"], spec.reasoning.mode)
            jobs = [
                ReadJob(
                    piece,
                    spec,
                    options["source_index"],
                    options["repairs"],
                    tuple(options["model_priority"]),
                    recipe.tokenizer,
                )
                for piece in pieces
            ]
            return read_in_pieces(engine, jobs, assembler), assembler
    records = iter_source(spec, report, paths)
    if engine.workers == 1:
        return annotate(records, tokenizer, **options), None
    return annotate_parallel(records, engine, tokenizer, tokenizer_name=recipe.tokenizer, **options), None


def _resolved_ref(spec, paths: list[str]) -> str:
    if spec.path.startswith(SAMPLE_PREFIX):
        return spec.path
    return ",".join(p if p.startswith("hub:") else f"file:{p}" for p in paths)


def _filter_and_dedup(curated: Curated, recipe: BuildRecipe, console: Console, engine: Engine) -> None:
    applied = curated.table.column("_repaired").to_pylist()
    tokens = pc.add(curated.table.column("_input_tokens"), curated.table.column("_output_tokens"))
    for name in recipe.repair:  # one funnel line per repair, in the recipe's order
        mask = pa.array([name in names for names in applied])
        count = pc.sum(mask.cast(pa.int64())).as_py() or 0
        if count:
            curated.funnel.add("repair", name, count, pc.sum(tokens.filter(mask)).as_py(), action="repaired")
    done = run_stages(
        curated.table,
        build_stages(recipe, engine),
        curated.funnel,
        status=console.status,
        report=lambda name, kept, before: console.print(f"  {name:<20} kept {kept:>10,} of {before:,}"),
        text=curated.text,
    )
    curated.table = done.table
    curated.rejected += done.rejected
    curated.seconds.update(done.seconds)
    curated.cpu_seconds.update(done.cpu_seconds)
