"""A source's assistant reasoning (`meta.reasoning_content`, kept by the readers) kept, rendered or dropped.

`render` puts it in the answer text inside the Hermes reasoning tag the recipe names, before the answer, as the paper's
reasoning data has it (§2.1): `<THINKING>\n{reasoning}\n</THINKING>\n{answer}`; the text then holds it, so it leaves
`meta` (the message text is the truth, DESIGN §2) and `meta.reasoning_rendered` names the tag. `drop` removes it.
"""

from __future__ import annotations

import json
from typing import Any

from hermes_data.build.recipe import ReasoningSpec
from hermes_data.formats.message_notes import REASONING, REASONING_FIELD
from hermes_data.record import meta_of

REASONING_RENDERED = "reasoning_rendered"


def apply_reasoning(record: dict[str, Any], spec: ReasoningSpec) -> int:
    """Render or drop the record's reasoning in place; the number of turns that had reasoning."""
    if REASONING not in (record.get("meta") or ""):  # a substring test on the JSON text spares parsing most rows
        return 0
    meta = dict(meta_of(record))
    turns = meta.get(REASONING) or {}
    if spec.mode == "keep" or not turns:
        return len(turns)
    del meta[REASONING]
    meta.pop(REASONING_FIELD, None)
    if spec.mode == "render":
        messages = list(record["messages"])
        for turn, text in turns.items():
            i = int(turn)
            answer = messages[i]["content"]
            messages[i] = {**messages[i], "content": f"<{spec.tag}>\n{text}\n</{spec.tag}>\n{answer}"}
        record["messages"] = messages
        meta[REASONING_RENDERED] = spec.tag
    record["meta"] = json.dumps(meta, ensure_ascii=False, sort_keys=True)
    return len(turns)
