"""Missing or empty turns: a message with no content, no assistant reply at all, or a prompt left unanswered."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hermes_data.stages.verdict import Verdict, detail_json


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
    return Verdict(keep=keep, reasons=reasons, details=_details(table, reasons))


def _details(table: pa.Table, reasons: list[str | None]) -> list[str | None]:
    """The turn that fired, for the dropped rows only (their messages become Python objects, the kept rows' not)."""
    details: list[str | None] = [None] * len(reasons)
    dropped = [i for i, r in enumerate(reasons) if r]
    if not dropped:
        return details
    for i, messages in zip(dropped, table.column("messages").take(dropped).to_pylist(), strict=True):
        messages = messages or []
        if reasons[i] == "empty_turn":
            turn = next(
                (
                    t
                    for t, m in enumerate(messages)
                    if not (m.get("content") or "").strip() and not (t == 0 and m.get("role") == "system")
                ),
                None,
            )
            details[i] = detail_json(turn=turn, role=None if turn is None else messages[turn].get("role"))
        elif reasons[i] == "missing_reply" and messages:
            details[i] = detail_json(turn=len(messages) - 1, role=messages[-1].get("role"))
        else:
            details[i] = detail_json(turns=len(messages), roles=sorted({m.get("role") for m in messages}))
    return details


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
