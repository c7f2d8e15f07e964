"""Alpaca rows (`{instruction, input, output, system?}`) to records: system?, user, assistant.

The family spells the instruction `instruction`, `prompt` (OpenAI's legacy fine-tuning files, TRL's prompt-completion
datasets) or `question` (GSM8K and most QA sets); the answer `output` (Stanford Alpaca), `response` (Dolly,
GPTeacher), `answer` or `completion`; and the input `input` or `context` (Dolly). Dolly's `category` is kept as the
source category like any other, so a recipe's `category_map` maps it.

TRL's conversational prompt-completion rows hold message lists in `prompt` and `completion`: they are one
conversation, read as OpenAI chat messages (the prompt's turns, then the completion's).
"""

from __future__ import annotations

from typing import Any

from hermes_data.formats.common import RowError, finish_record, fold_documents
from hermes_data.formats.openai_chat import openai_row_to_record

# The first key present wins; the order is the most common spelling first.
INSTRUCTION_KEYS = ("instruction", "prompt", "question")
ANSWER_KEYS = ("output", "response", "answer", "completion")
INPUT_KEYS = ("input", "context")


def first_key(row: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    return next((k for k in keys if row.get(k) is not None), None)


def alpaca_row_to_record(row: dict[str, Any], *, source: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """One Alpaca row as a record; a non-empty `input` follows the instruction after a blank line."""
    instruction_key, answer_key = first_key(row, INSTRUCTION_KEYS), first_key(row, ANSWER_KEYS)
    input_key = first_key(row, INPUT_KEYS)
    instruction = row.get(instruction_key) if instruction_key else None
    output = row.get(answer_key) if answer_key else None
    if isinstance(row.get("label"), bool) and answer_key == "completion":
        raise RowError(
            "a boolean `label` beside prompt/completion marks TRL's unpaired preference (KTO) layout, whose "
            "label-false completions are the ones not to learn; keep the label-true rows before reading it as SFT data"
        )
    if isinstance(instruction, list) and isinstance(output, list):
        return _conversational(row, instruction_key, answer_key, source=source, meta=meta)
    if not isinstance(instruction, str) or not isinstance(output, str):
        raise RowError(
            f"row needs a string instruction ({'/'.join(INSTRUCTION_KEYS)}) and answer ({'/'.join(ANSWER_KEYS)}), "
            f"got {_kind(instruction)} `{instruction_key}` and {_kind(output)} `{answer_key}`"
        )
    extra = row.get(input_key) if input_key else None
    if extra is not None and not isinstance(extra, str):
        raise RowError(f"`{input_key}` must be a string")
    user = f"{instruction}\n\n{extra}" if extra and extra.strip() else instruction
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": output}]
    system = row.get("system")
    if isinstance(system, str) and system.strip():
        messages.insert(0, {"role": "system", "content": system})
    messages = fold_documents(messages, row.get("documents"))
    consumed = {instruction_key, "system", "documents", answer_key, input_key or "input"}
    return finish_record(messages, row, consumed, source=source, meta=meta)


def _conversational(row: dict[str, Any], prompt_key: str, answer_key: str, *, source: str, meta) -> dict[str, Any]:
    rest = {key: value for key, value in row.items() if key not in (prompt_key, answer_key)}
    return openai_row_to_record({**rest, "messages": [*row[prompt_key], *row[answer_key]]}, source=source, meta=meta)


def _kind(value: Any) -> str:
    return "no" if value is None else f"a {type(value).__name__}"
