"""Transcripts: one string holding a whole conversation as `"\n\nHuman: …\n\nAssistant: …"` (Anthropic hh-rlhf).

hh-rlhf's `chosen` and `rejected` are such strings sharing the dialogue up to the last reply, so a pair reader splits
them at the shared turns, and a conversation reader takes `chosen` (the rejected side stays in `meta.rejected`).
Speaker labels are only recognised after a blank line, as the dataset writes them, so a "Human:" inside a turn's
text is left alone.
"""

from __future__ import annotations

import re
from typing import Any

from hermes_data.formats.common import RowError, finish_record

_TURN = re.compile(r"(?:^|\n\n)(Human|Assistant):[ ]?")
_ROLE = {"Human": "user", "Assistant": "assistant"}
_START = re.compile(r"\s*(Human|Assistant):")


def is_transcript(value: Any) -> bool:
    """A string that opens with a speaker label and has an assistant turn."""
    return isinstance(value, str) and bool(_START.match(value)) and "Assistant:" in value


def parse_transcript(text: str) -> list[dict[str, str]]:
    """The transcript's turns as record messages (text between labels, without the blank lines around it)."""
    text = text.lstrip("\n")
    marks = list(_TURN.finditer(text))
    messages = []
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        end = following.start() if following else len(text)
        messages.append({"role": _ROLE[mark.group(1)], "content": text[mark.end() : end].strip()})
    return messages


def transcript_row_to_record(row: dict[str, Any], *, source: str, meta: dict[str, Any] | None = None) -> dict:
    """A row whose `chosen` (or `text`/`transcript`) is a transcript, as the conversation it holds."""
    key = next((k for k in ("chosen", "text", "transcript") if is_transcript(row.get(k))), None)
    if key is None:
        raise RowError("row has no transcript (a `chosen`, `text` or `transcript` string opening with Human:)")
    extra = dict(meta or {})
    if is_transcript(row.get("rejected")):
        extra["rejected"] = parse_transcript(row["rejected"])
    return finish_record(parse_transcript(row[key]), row, {key, "rejected"}, source=source, meta=extra)
