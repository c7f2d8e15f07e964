"""Turn records into the build's working table: the record columns plus what later stages need.

One pass over each batch of records does every per-row Python step (repair, validation, keys), then token
counting runs batched in the tokenizer's Rust code. Later stages are column operations over these columns:

- `_row` input order (ties in dedup and model preference keep the first seen);
- `_input_tokens`, `_output_tokens` from the one accounting function (DESIGN §6);
- `_errors` validator codes left after repair; `_repaired` the repairs applied;
- `_prompt_key` hash of the messages before the final assistant reply (DESIGN §7 "same prompt");
- `_exact_key` hash of the whole normalized conversation (exact dedup, system prompt included);
- `_model_rank` position of the record's model in `filters.model_priority` (unlisted models rank last).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import pyarrow as pa

from hermes_data.dedup import exact_key
from hermes_data.record import FIELDS, RECORD_SCHEMA
from hermes_data.tokenizer import count_tokens, load_tokenizer
from hermes_data.validate import repair_record, validate_record

BATCH_ROWS = 4096

ANNOTATIONS = pa.schema(
    [
        ("_row", pa.int64()),
        ("_source", pa.int32()),
        ("_input_tokens", pa.int64()),
        ("_output_tokens", pa.int64()),
        ("_errors", pa.list_(pa.string())),
        ("_repaired", pa.list_(pa.string())),
        ("_prompt_key", pa.string()),
        ("_exact_key", pa.string()),
        ("_model_rank", pa.int32()),
    ]
)
WORK_SCHEMA = pa.schema(list(RECORD_SCHEMA) + list(ANNOTATIONS))


def prompt_key(messages: list[dict]) -> str:
    """Hash of the messages before the final assistant reply; rows with equal keys answer the same prompt."""
    last = max((i for i, m in enumerate(messages) if m["role"] == "assistant"), default=len(messages))
    canon = json.dumps([[m["role"], m["content"]] for m in messages[:last]], ensure_ascii=False)
    return hashlib.sha256(canon.encode()).hexdigest()[:32]


def annotate(
    records: Iterable[dict],
    tokenizer,
    *,
    source_index: int,
    start_row: int,
    repairs: tuple[str, ...],
    model_priority: list[str],
) -> Iterator[pa.Table]:
    """Working-table batches for a stream of records (rows numbered from `start_row`).

    Token counting of one batch runs in a worker thread while this thread reads and validates the next: the Rust
    encoder releases the GIL, so the per-row Python work no longer waits for it. Measured on a shared 2-core
    machine (alternating runs over 8k rows): best of 5 went from 1,540 to 1,730 rows/s at equal CPU time; the
    1M-row build of benchmarks/build_scale.py then used 1.6 cores during read + annotate.
    """
    rank = {m: i for i, m in enumerate(model_priority)}
    row = start_row
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: tuple[list[dict], Future] | None = None
        for batch in record_batches(records):
            rows = _annotate_rows(batch, source_index, row, repairs, rank)
            row += len(rows)
            future = pool.submit(count_tokens, [r["messages"] for r in rows], tokenizer)
            if pending is not None:
                yield _finish(*pending)
            pending = (rows, future)
        if pending is not None:
            yield _finish(*pending)


@dataclass(frozen=True)
class AnnotateJob:
    """One batch of records for a worker process: everything `annotate_batch` needs, picklable."""

    records: list[dict]
    source_index: int
    start_row: int
    repairs: tuple[str, ...]
    model_priority: tuple[str, ...]
    tokenizer: str


def annotate_parallel(
    records: Iterable[dict],
    engine,
    tokenizer,
    *,
    tokenizer_name: str,
    source_index: int,
    start_row: int,
    repairs: tuple[str, ...],
    model_priority: list[str],
) -> Iterator[pa.Table]:
    """`annotate`, one batch per job on `engine`'s workers (hermes_data.engine), in input order: the same tables.

    This process only reads and batches the records; each worker validates, keys and counts its batch with its own
    tokenizer (`tokenizer_name`, loaded once per worker), and at most the engine's in-flight batches are alive at a
    time. A source of one batch is annotated here with `tokenizer`: there is nothing to split, and a worker's start
    (imports, tokenizer) costs more than the batch.
    """
    batches = record_batches(records)
    head = list(itertools.islice(batches, 2))
    if len(head) < 2:
        yield from annotate(
            itertools.chain.from_iterable(head),
            tokenizer,
            source_index=source_index,
            start_row=start_row,
            repairs=repairs,
            model_priority=model_priority,
        )
        return

    def jobs() -> Iterator[AnnotateJob]:
        row = start_row
        for batch in itertools.chain(head, batches):
            yield AnnotateJob(batch, source_index, row, repairs, tuple(model_priority), tokenizer_name)
            row += len(batch)

    yield from engine.map_ordered(annotate_batch, jobs())


def annotate_batch(job: AnnotateJob) -> pa.Table:
    """The working-table batch of one job (runs in a worker process)."""
    rank = {m: i for i, m in enumerate(job.model_priority)}
    rows = _annotate_rows(job.records, job.source_index, job.start_row, job.repairs, rank)
    counts = count_tokens([r["messages"] for r in rows], _worker_tokenizer(job.tokenizer))
    return _with_counts(rows, counts)


@lru_cache(maxsize=2)
def _worker_tokenizer(name: str):
    """A worker's tokenizer, loaded on its first batch and kept for the next ones."""
    return load_tokenizer(name)


def record_batches(records: Iterable[dict]) -> Iterator[list[dict]]:
    """`records` in lists of `BATCH_ROWS` (the last one shorter): the batches every annotation path uses."""
    batch: list[dict] = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def _annotate_rows(batch, source_index, start_row, repairs, rank) -> list[dict]:
    rows = []
    for offset, record in enumerate(batch):
        applied: list[str] = []
        if repairs:
            record, applied = repair_record(record, repairs)
        messages = record["messages"]
        row = {k: record.get(k) for k in FIELDS}
        row.update(
            _row=start_row + offset,
            _source=source_index,
            _errors=sorted({issue.code for issue in validate_record(record)}),
            _repaired=applied,
            _prompt_key=prompt_key(messages),
            _exact_key=exact_key(messages),
            _model_rank=rank.get(record.get("model"), len(rank)),
        )
        rows.append(row)
    return rows


def _finish(rows: list[dict], counts: Future) -> pa.Table:
    return _with_counts(rows, counts.result())


def _with_counts(rows: list[dict], counts: list[tuple[int, int]]) -> pa.Table:
    for row, (n_in, n_out) in zip(rows, counts, strict=True):
        row["_input_tokens"], row["_output_tokens"] = n_in, n_out
    return pa.Table.from_pylist(rows, schema=WORK_SCHEMA)
