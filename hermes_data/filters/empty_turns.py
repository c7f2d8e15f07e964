"""Missing or empty turns: a message with no content, no assistant reply at all, or a prompt left unanswered."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hermes_data.build.stage import Verdict


def empty_turns_filter(table: pa.Table) -> Verdict:
    """`empty_turn` / `no_assistant` from the validator, and `missing_reply` when the last turn is not the assistant's.

    A conversation that ends on a user or tool turn teaches nothing for its last prompt; real ShareGPT dumps have
    many (a scrape cut mid-conversation), and training on them would mask the tail as input forever.
    """
    reasons: list[str | None] = [None] * table.num_rows
    errors = table.column("_errors").to_pylist()
    last_roles = _last_roles(table.column("messages"))
    for i, (codes, last) in enumerate(zip(errors, last_roles, strict=True)):
        if "empty_turn" in codes:
            reasons[i] = "empty_turn"
        elif "no_assistant" in codes:
            reasons[i] = "no_assistant"
        elif last != "assistant":
            reasons[i] = "missing_reply"
    keep = np.array([r is None for r in reasons], dtype=bool)
    return Verdict(keep=keep, reasons=reasons)


def _last_roles(messages: pa.ChunkedArray) -> list[str | None]:
    out: list[str | None] = []
    for chunk in messages.chunks:
        roles = pc.struct_field(chunk.flatten(), "role").to_numpy(zero_copy_only=False)
        # `offsets` of a sliced list array index the parent's values; `flatten()` starts at this slice's first.
        offsets = chunk.offsets.to_numpy()
        offsets = offsets - offsets[0]
        for start, end in zip(offsets[:-1], offsets[1:], strict=True):
            out.append(roles[end - 1] if end > start else None)
    return out
