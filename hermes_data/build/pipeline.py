"""The build, top to bottom: read → annotate → filter → dedup → (cache) → balance → write.

Each stage returns kept rows and rejected rows with a `stage` and `reason`; the funnel counts them for the card.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rich.console import Console

from hermes_data.build import cache
from hermes_data.build.annotate import WORK_SCHEMA, annotate
from hermes_data.build.recipe import BuildRecipe
from hermes_data.build.sources import SAMPLE_PREFIX, SourceReport, fingerprint, iter_source, resolve_paths
from hermes_data.build.stage import Funnel, Verdict, apply_stage, verdict_from_mask
from hermes_data.errors import DataError

STAGE_COLUMNS = [("stage", pa.string()), ("reason", pa.string())]
REJECTED_SCHEMA = pa.schema(list(WORK_SCHEMA) + STAGE_COLUMNS)


@dataclass
class Curated:
    """The rows that survived filters and dedup, with everything dropped on the way."""

    table: pa.Table
    rejected: list[pa.Table] = field(default_factory=list)
    funnel: Funnel = field(default_factory=Funnel)
    sources: list[dict] = field(default_factory=list)
    cached: bool = False
    # Wall and CPU (all threads) seconds per stage, for benchmarks/build_scale.py on shared machines.
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)


def curate(recipe: BuildRecipe, tokenizer, console: Console) -> Curated:
    """Read, annotate, filter and dedup, reusing the cached result when nothing before the mixture changed."""
    resolved = [resolve_paths(spec) for spec in recipe.sources]
    sections = recipe.model_dump(mode="json", include={"sources", "repair", "filters", "dedup", "tokenizer", "seed"})
    key = cache.curated_key(sections, [fingerprint(paths) for paths in resolved])
    hit = cache.load(key)
    if hit is not None:
        table, rejected, state = hit
        console.print(f"[dim]reusing curated rows from cache {key[:12]} (only the mixture changed)[/]")
        return Curated(table, [rejected], Funnel(state["funnel"]), state["sources"], cached=True)
    curated = _read(recipe, resolved, tokenizer, console)
    _filter_and_dedup(curated, recipe, console)
    rejected = (
        pa.concat_tables([t.cast(REJECTED_SCHEMA) for t in curated.rejected])
        if curated.rejected
        else (REJECTED_SCHEMA.empty_table())
    )
    cache.save(key, curated.table, rejected, {"funnel": curated.funnel.entries, "sources": curated.sources})
    curated.rejected = [rejected]
    return curated


def _read(recipe: BuildRecipe, resolved: list[list[str]], tokenizer, console: Console) -> Curated:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    start, cpu = time.perf_counter(), time.process_time()
    batches: list[pa.Table] = []
    reports: list[SourceReport] = []
    row = 0
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
    ) as progress:
        for index, (spec, paths) in enumerate(zip(recipe.sources, resolved, strict=True)):
            task = progress.add_task(f"read + validate + count tokens: {spec.path}", total=None)
            report = SourceReport(path=spec.path, format=spec.format, resolved=_resolved_ref(spec, paths))
            for batch in annotate(
                iter_source(spec, report, paths),
                tokenizer,
                source_index=index,
                start_row=row,
                repairs=tuple(recipe.repair),
                model_priority=recipe.filters.model_priority,
            ):
                batches.append(batch)
                row += batch.num_rows
                progress.update(task, description=f"read {spec.path}: {report.rows_read:,} rows")
            reports.append(report)
    if not batches:
        raise DataError("the sources yielded no readable rows; check sources[].path and format in the recipe")
    curated = Curated(pa.concat_tables(batches), sources=[r.as_dict() for r in reports])
    for report in reports:
        curated.funnel.add("read", "unreadable", report.rows_unreadable, 0)
    curated.seconds["read_annotate"] = time.perf_counter() - start
    curated.cpu_seconds["read_annotate"] = time.process_time() - cpu
    return curated


def _resolved_ref(spec, paths: list[str]) -> str:
    if spec.path.startswith(SAMPLE_PREFIX):
        return spec.path
    return ",".join(p if p.startswith("hub:") else f"file:{p}" for p in paths)


def _filter_and_dedup(curated: Curated, recipe: BuildRecipe, console: Console) -> None:
    from hermes_data.filters.empty_turns import empty_turns_filter
    from hermes_data.filters.invalid import invalid_filter
    from hermes_data.filters.length import length_filter
    from hermes_data.filters.model_priority import model_priority_filter

    f = recipe.filters
    repaired = [bool(r) for r in curated.table.column("_repaired").to_pylist()]
    if any(repaired):
        mask = pa.array(repaired)
        tokens = pc.sum(
            pc.add(curated.table.column("_input_tokens"), curated.table.column("_output_tokens")).filter(mask)
        ).as_py()
        curated.funnel.add("repair", "python_literal", sum(repaired), tokens, action="repaired")
    stages: list[tuple[str, object]] = [
        (
            "category",
            lambda t: verdict_from_mask(
                pc.is_null(t.column("category")).to_numpy(zero_copy_only=False), "unmapped_category"
            ),
        ),
        ("content", _non_text_content),
    ]
    if f.empty_turns:
        stages.append(("empty_turns", empty_turns_filter))
    stages.append(("length", lambda t: length_filter(t, min_tokens=f.min_tokens, max_tokens=f.max_tokens)))
    if f.drop_invalid:
        stages.append(("invalid", invalid_filter))
    if f.refusals:
        stages.append(("refusals", _refusals))
    if f.model_priority:
        stages.append(("model_priority", model_priority_filter))
    if recipe.dedup.exact:
        stages.append(("dedup_exact", _exact_dedup))
    if recipe.dedup.near:
        near = recipe.dedup.near
        stages.append(("dedup_near", lambda t: _near_dedup(t, near, recipe.seed)))
    for name, stage in stages:
        before, start, cpu = curated.table.num_rows, time.perf_counter(), time.process_time()
        with console.status(f"{name}: {before:,} rows"):
            verdict = stage(curated.table)
        curated.table, rejected = apply_stage(curated.table, name, verdict, curated.funnel)
        curated.seconds[name] = time.perf_counter() - start
        curated.cpu_seconds[name] = time.process_time() - cpu
        if rejected.num_rows:
            curated.rejected.append(rejected)
        console.print(f"  {name:<15} kept {curated.table.num_rows:>10,} of {before:,}")
        if curated.table.num_rows == 0:
            raise DataError(
                f"every row was filtered out by the {name!r} stage; see the reasons above and loosen the recipe"
            )


def _non_text_content(table: pa.Table) -> Verdict:
    """Rows with images or audio (the validator's `non_text_content`) go whatever the other filters say: their text
    alone is not the conversation, and training on it teaches answers about pictures the model never saw."""
    codes = table.column("_errors").to_pylist()
    return verdict_from_mask(np.array(["non_text_content" in c for c in codes], dtype=bool), "non_text_content")


def _refusals(table: pa.Table) -> Verdict:
    """`refusal_conversation_mask` (final assistant turn refuses, no system prompt instructs declines), computed
    without `messages.to_pylist()`: only the final replies become Python strings, and only the few rows whose reply
    refuses are expanded to check their system prompts. Same result (checked on 18k synthetic rows and the
    sample); as fast (the regexes dominate) but without a Python copy of every conversation, GiBs at 1M rows."""
    from hermes_data.filters.refusals import instructs_decline, is_refusal

    drop = np.zeros(table.num_rows, dtype=bool)
    row = 0
    for chunk in table.column("messages").chunks:
        replies = _last_replies(chunk)
        for i, reply in enumerate(replies):
            if reply and is_refusal(reply):
                messages = chunk[i].as_py()
                drop[row + i] = not any(
                    m.get("role") == "system" and instructs_decline(m.get("content") or "") for m in messages
                )
        row += len(chunk)
    return verdict_from_mask(drop, "refusal")


def _last_replies(messages: pa.ListArray) -> list[str | None]:
    """Content of each row's last assistant message (None when it has none), from the Arrow columns directly."""
    offsets = messages.offsets.to_numpy()
    values = messages.values  # the unsliced child: `offsets` index into it
    is_reply = pc.fill_null(pc.equal(pc.struct_field(values, "role"), "assistant"), False).to_numpy(
        zero_copy_only=False
    )
    idx = np.flatnonzero(is_reply)
    idx = idx[(idx >= offsets[0]) & (idx < offsets[-1])]
    row_of = np.searchsorted(offsets, idx, side="right") - 1
    last = np.r_[row_of[1:] != row_of[:-1], True] if len(idx) else np.zeros(0, dtype=bool)
    take = np.full(len(messages), -1, dtype=np.int64)
    take[row_of[last]] = idx[last]
    positions = pa.array(take, mask=take < 0)
    return pc.take(pc.struct_field(values, "content"), positions).to_pylist()


def _exact_dedup(table: pa.Table) -> Verdict:
    from hermes_data.dedup import exact_duplicates

    keep = exact_duplicates(table.column("_exact_key").to_pylist(), model_rank=_ranks(table), lengths=_lengths(table))
    return verdict_from_mask(~np.asarray(keep, dtype=bool), "exact_duplicate")


def _near_dedup(table: pa.Table, spec, seed: int) -> Verdict:
    from hermes_data.dedup import dedup_text, near_duplicates, prompt_numbers

    # Chunk by chunk: only one chunk's messages are Python objects at a time (the whole column as dicts would
    # cost several GiB at 1M rows), and only the joined texts stay alive. `distinct`: two questions that differ
    # only in their numbers ("17 x 23" vs "17 x 24") are different problems, never merged.
    texts, numbers = [], []
    for chunk in table.column("messages").chunks:
        for messages in chunk.to_pylist():
            texts.append(dedup_text(messages))
            numbers.append(prompt_numbers(messages))
    result = near_duplicates(
        texts,
        model_rank=_ranks(table),
        threshold=spec.threshold,
        num_perm=spec.num_perm,
        ngram=spec.ngram,
        seed=seed,
        distinct=numbers,
    )
    return verdict_from_mask(~np.asarray(result.keep, dtype=bool), "near_duplicate")


def _ranks(table: pa.Table) -> list[int]:
    return table.column("_model_rank").to_pylist()


def _lengths(table: pa.Table) -> list[int]:
    return pc.add(table.column("_input_tokens"), table.column("_output_tokens")).to_pylist()
