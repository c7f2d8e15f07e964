"""Token-length thresholds per conversation (input + output tokens, the trainer's own accounting)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from hermes_data.stages.verdict import Verdict, detail_json, row_tokens


def length_filter(table: pa.Table, *, min_tokens: int, max_tokens: int) -> Verdict:
    """Drop rows under `min_tokens` (`too_short`) or over `max_tokens` (`too_long`, it would not fit max_length)."""
    tokens = row_tokens(table)
    reasons = np.where(tokens < min_tokens, "too_short", np.where(tokens > max_tokens, "too_long", ""))
    keep = reasons == ""
    limits = {"too_short": min_tokens, "too_long": max_tokens}
    details = [
        detail_json(tokens=int(t), limit=limits[r]) if r else None
        for r, t in zip(reasons.tolist(), tokens.tolist(), strict=True)
    ]
    return Verdict(keep=keep, reasons=[r or None for r in reasons.tolist()], details=details)
