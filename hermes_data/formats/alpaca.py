"""Alpaca rows (`{instruction, input, output, system?}`) to records: system?, user, assistant."""

from __future__ import annotations

from typing import Any

from hermes_data.formats.common import RowError, finish_record, fold_documents

_CONSUMED = {"instruction", "input", "output", "system", "documents"}


def alpaca_row_to_record(row: dict[str, Any], *, source: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """One Alpaca row as a record; a non-empty `input` follows the instruction after a blank line."""
    instruction, output = row.get("instruction"), row.get("output")
    if not isinstance(instruction, str) or not isinstance(output, str):
        raise RowError("row needs string `instruction` and `output` fields")
    extra = row.get("input")
    if extra is not None and not isinstance(extra, str):
        raise RowError("`input` must be a string")
    user = f"{instruction}\n\n{extra}" if extra and extra.strip() else instruction
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": output}]
    system = row.get("system")
    if isinstance(system, str) and system.strip():
        messages.insert(0, {"role": "system", "content": system})
    messages = fold_documents(messages, row.get("documents"))
    return finish_record(messages, row, _CONSUMED, source=source, meta=meta)
