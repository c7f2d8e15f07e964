"""Validate a preference pair: each reply is checked as the conversation it ends (prompt + reply).

A pair file read as conversations reports most rows `no_assistant` (the replies are not in `messages`), so `validate`
reads pair files with the pair reader (hermes_data/pairs/readers.py) and checks `prompt + chosen` and
`prompt + rejected` with the row validator. An issue's turn is the turn within that conversation.
"""

from __future__ import annotations

from hermes_data.pairs.convert import PROBLEM, PROMPT_MISMATCH
from hermes_data.record import make_record
from hermes_data.validate.issue import Issue

SIDES = ("chosen", "rejected")
PAIR_CODES = {PROMPT_MISMATCH: "chosen and rejected come with different prompts (or a reply holds a user turn)"}


def validate_pair(pair: dict, *, repair: bool = False) -> list[tuple[str | None, Issue]]:
    """(side, issue) for every issue of the pair: `prompt_mismatch` (side None) first, then chosen, then rejected."""
    from hermes_data.validate import repair_record, validate_record

    found: list[tuple[str | None, Issue]] = []
    if pair.get(PROBLEM) == PROMPT_MISMATCH:
        found.append((None, Issue(PROMPT_MISMATCH, None, PAIR_CODES[PROMPT_MISMATCH])))
    for side in SIDES:
        record = make_record([*pair["prompt"], *pair[side]], id=pair["id"], source=pair.get("source") or "")
        if repair:
            record, _ = repair_record(record)
        found += [(side, issue) for issue in validate_record(record)]
    return found
