"""A per-row stage run batch by batch on an engine's workers (hermes_data.engine), with the verdict it would give
over the whole table.

A stage whose verdict for a row depends on that row alone (the refusal rules: a Python loop over replies) can be cut
into the table's record batches: each batch's verdict is computed where the engine runs it, and the verdicts are
joined in input order. Keep, reasons, details and counted rows are then exactly those of one call on the whole
table, so the funnel and the rejects do not depend on the engine.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from hermes_data.stages.verdict import Verdict


def verdict_on_batches(engine, stage: Callable[[pa.Table], Verdict], table: pa.Table) -> Verdict:
    """`stage(table)`, computed per record batch on `engine`; `stage` must be picklable (a top-level function or a
    `functools.partial` of one) and per-row."""
    jobs = ((stage, batch) for batch in table.to_batches() if batch.num_rows)
    return join_verdicts(list(engine.map_ordered(batch_verdict, jobs)))


def batch_verdict(job: tuple[Callable[[pa.Table], Verdict], pa.RecordBatch | pa.Table]) -> Verdict:
    """One batch's verdict (runs in a worker)."""
    stage, batch = job
    return stage(pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch)


def join_verdicts(verdicts: list[Verdict]) -> Verdict:
    """The verdicts of consecutive batches as one verdict over their rows, in order."""
    if not verdicts:
        return Verdict(keep=np.zeros(0, dtype=bool), reasons=[])
    sizes = [len(v.keep) for v in verdicts]
    details = None
    if any(v.details is not None for v in verdicts):
        details = [d for v, n in zip(verdicts, sizes, strict=True) for d in (v.details or [None] * n)]
    counted: dict[str, np.ndarray] = {}
    for reason in dict.fromkeys(r for v in verdicts for r in v.counted):
        parts = [v.counted.get(reason, np.zeros(n, dtype=bool)) for v, n in zip(verdicts, sizes, strict=True)]
        counted[reason] = np.concatenate([np.asarray(p, dtype=bool) for p in parts])
    return Verdict(
        keep=np.concatenate([np.asarray(v.keep, dtype=bool) for v in verdicts]),
        reasons=[r for v in verdicts for r in v.reasons],
        details=details,
        counted=counted,
    )
