"""Alpaca rows (`{instruction, input, output, system?}`) to records: system?, user, assistant.

The family spells the answer `output` (Stanford Alpaca), `response` (Dolly, GPTeacher), `answer` or `completion`,
and the input `input` or `context` (Dolly). Dolly's `category` is kept as the source category like any other, so a
recipe's `category_map` maps it.
"""

from __future__ import annotations

from typing import Any

from hermes_data.formats.common import RowError, finish_record, fold_documents

# The first key present wins; the order is the most common spelling first.
ANSWER_KEYS = ("output", "response", "answer", "completion")
INPUT_KEYS = ("input", "context")


def first_key(row: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    return next((k for k in keys if row.get(k) is not None), None)


def alpaca_row_to_record(row: dict[str, Any], *, source: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """One Alpaca row as a record; a non-empty `input` follows the instruction after a blank line."""
    answer_key, input_key = first_key(row, ANSWER_KEYS), first_key(row, INPUT_KEYS)
    instruction, output = row.get("instruction"), row.get(answer_key) if answer_key else None
    if not isinstance(instruction, str) or not isinstance(output, str):
        raise RowError(f"row needs string `instruction` and answer fields (answer: one of {'/'.join(ANSWER_KEYS)})")
    extra = row.get(input_key) if input_key else None
    if extra is not None and not isinstance(extra, str):
        raise RowError(f"`{input_key}` must be a string")
    user = f"{instruction}\n\n{extra}" if extra and extra.strip() else instruction
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": output}]
    system = row.get("system")
    if isinstance(system, str) and system.strip():
        messages.insert(0, {"role": "system", "content": system})
    messages = fold_documents(messages, row.get("documents"))
    consumed = {"instruction", "system", "documents", answer_key, input_key or "input"}
    return finish_record(messages, row, consumed, source=source, meta=meta)
