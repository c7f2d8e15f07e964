"""Rows with validator errors left after repair; the reason is the error code (DESIGN §5)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from hermes_data.build.stage import Verdict
from hermes_data.validate.codes import CODES

# The reason is one code per row; when a row has several, the code listed first in CODES names it, so the same
# row always lands under the same reason.
_ORDER = {code: i for i, code in enumerate(CODES)}


def invalid_filter(table: pa.Table) -> Verdict:
    reasons = [
        min(codes, key=lambda c: _ORDER.get(c, len(_ORDER))) if codes else None
        for codes in table.column("_errors").to_pylist()
    ]
    return Verdict(keep=np.array([r is None for r in reasons], dtype=bool), reasons=reasons)
