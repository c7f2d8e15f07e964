"""A stage's verdict per row, routing of rejects, and the funnel.

A stage is a function from the working table to a `Verdict`: a keep mask, a snake_case reason per dropped row and
an optional `detail` per dropped row (a JSON string: the validator codes, the refusal sentence, the kept row's id…)
so a rejected row can be audited. `apply_stage` splits the table, tags the rejects with `stage`, `reason` and
`detail`, and counts rows and tokens per reason for the card's funnel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hermes_data.dataset.folder import REJECTED_COLUMNS

EXAMPLES = 3  # rejected rows per reason shown on the card


@dataclass
class Verdict:
    keep: np.ndarray  # bool per row
    reasons: list[str | None]  # snake_case reason per row; None where kept
    details: list[str | None] | None = None  # JSON string per row (see `detail_json`); None where kept or unknown
    # rows a stage counts but keeps, per reason (e.g. replies the refusal rules cannot judge: `not_checked`)
    counted: dict[str, np.ndarray] = field(default_factory=dict)


def detail_json(**fields: object) -> str:
    """A rejected row's `detail`: a JSON object, keys sorted so the same finding is always the same string."""
    return json.dumps(fields, ensure_ascii=False, sort_keys=True)


@dataclass
class Funnel:
    """Rows and tokens removed (or repaired, upsampled) per stage and reason, in pipeline order."""

    entries: list[dict] = field(default_factory=list)

    def add(
        self, stage: str, reason: str, rows: int, tokens: int, action: str = "dropped", examples: list | None = None
    ) -> None:
        """`examples`: up to `EXAMPLES` `{"id", "detail"}` of the rows, for the card (only when a stage gave any)."""
        if rows:
            entry = {"stage": stage, "reason": reason, "action": action, "rows": rows, "tokens": tokens}
            if examples:
                entry["examples"] = examples[:EXAMPLES]
            self.entries.append(entry)


def verdict_from_mask(drop: np.ndarray, reason: str, details: list[str | None] | None = None) -> Verdict:
    """A verdict that drops the rows of `drop`, all for the same reason."""
    return Verdict(keep=~drop, reasons=[reason if d else None for d in drop], details=details)


def _empty_rejects(table: pa.Table) -> pa.Table:
    empty = table.slice(0, 0)
    for name, type_ in REJECTED_COLUMNS:
        empty = empty.append_column(name, pa.array([], type_))
    return empty


def apply_stage(table: pa.Table, stage: str, verdict: Verdict, funnel: Funnel) -> tuple[pa.Table, pa.Table]:
    """(kept rows, rejected rows with `stage`, `reason` and `detail` columns); the funnel counts the rejects."""
    keep = np.asarray(verdict.keep, dtype=bool)
    for reason, mask in verdict.counted.items():
        mask = np.asarray(mask, dtype=bool)
        funnel.add(stage, reason, int(mask.sum()), int(row_tokens(table)[mask].sum()), action=reason)
    if keep.all():
        # No copy when nothing is dropped: `filter` with an all-true mask still rewrites every column (about 0.4 s
        # per 100k rows measured with benchmarks/build_scale.py, for each stage that keeps everything).
        return table, _empty_rejects(table)
    kept = table.filter(pa.array(keep))
    drop_idx = np.flatnonzero(~keep)
    rejected = table.take(pa.array(drop_idx))
    reasons = [verdict.reasons[i] or "unspecified" for i in drop_idx]
    details = [verdict.details[i] for i in drop_idx] if verdict.details is not None else [None] * len(drop_idx)
    rejected = rejected.append_column("stage", pa.array([stage] * len(drop_idx), pa.string()))
    rejected = rejected.append_column("reason", pa.array(reasons, pa.string()))
    rejected = rejected.append_column("detail", pa.array(details, pa.string()))
    tokens = row_tokens(rejected)
    ids = rejected.column("id").to_pylist() if "id" in rejected.column_names else [None] * len(drop_idx)
    by_reason: dict[str, list] = {}
    for reason, t, row_id, detail in zip(reasons, tokens, ids, details, strict=True):
        acc = by_reason.setdefault(reason, [0, 0, []])
        acc[0] += 1
        acc[1] += int(t)
        if detail is not None and len(acc[2]) < EXAMPLES:
            acc[2].append({"id": row_id, "detail": detail})
    for reason, (rows, toks, examples) in by_reason.items():
        funnel.add(stage, reason, rows, toks, examples=examples)
    return kept, rejected


def row_tokens(table: pa.Table) -> np.ndarray:
    """Input + output tokens per row of an annotated table."""
    if table.num_rows == 0:
        return np.zeros(0, dtype=np.int64)
    total = pc.add(table.column("_input_tokens"), table.column("_output_tokens"))
    return total.to_numpy(zero_copy_only=False)
