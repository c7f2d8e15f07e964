"""Rows with validator errors left after repair; the reason is the error code (DESIGN §5)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from hermes_data.stages.verdict import Verdict, detail_json
from hermes_data.validate.codes import CODES

# The reason is one code per row; when a row has several, the code listed first in CODES names it, so the same
# row always lands under the same reason.
_ORDER = {code: i for i, code in enumerate(CODES)}


def invalid_filter(table: pa.Table) -> Verdict:
    reasons = [
        min(codes, key=lambda c: _ORDER.get(c, len(_ORDER))) if codes else None
        for codes in table.column("_errors").to_pylist()
    ]
    return Verdict(
        keep=np.array([r is None for r in reasons], dtype=bool), reasons=reasons, details=_details(table, reasons)
    )


def _details(table: pa.Table, reasons: list[str | None]) -> list[str | None]:
    """Every validator issue (code, turn, message) of each dropped row. Only the dropped rows are validated again:
    the annotated table keeps the codes, not the messages, which would cost a string per issue of every row."""
    from hermes_data.record import FIELDS
    from hermes_data.validate import validate_record

    details: list[str | None] = [None] * len(reasons)
    dropped = [i for i, r in enumerate(reasons) if r]
    if not dropped:
        return details
    for i, record in zip(dropped, table.select(list(FIELDS)).take(dropped).to_pylist(), strict=True):
        issues = [{"code": x.code, "turn": x.turn, "message": x.message} for x in validate_record(record)]
        details[i] = detail_json(issues=issues)
    return details
