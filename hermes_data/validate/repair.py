"""Repairs that keep a row instead of dropping it (DESIGN §4):

- `python_literal`: Python-literal markup rewritten as JSON. Only the literal itself is replaced; the text around it
  stays byte for byte, so a repaired row differs from the original exactly where `python_literal` was reported. A
  literal is parsed with `ast.literal_eval` (never `eval`); a body that parses neither way is left as it is and keeps
  its `tool_call_json`.
- `control_token`: control tokens that only end a message (`"Business<|endoftext|>"`, a leaked template's
  terminator) are stripped with the whitespace before them. One inside the text stays, and keeps its `control_token`.
"""

from __future__ import annotations

from hermes_data.markup.columns import columns_from_messages
from hermes_data.markup.control_tokens import strip_trailing
from hermes_data.markup.json_mode import parse_json_mode_schema
from hermes_data.markup.literals import dumps, loads_json_or_literal
from hermes_data.markup.tool_calling import parse_tool_calls, parse_tools, strip_span

REPAIRS = ("python_literal", "control_token")


def repair_record(record: dict, repairs: tuple[str, ...] | list[str] = REPAIRS) -> tuple[dict, list[str]]:
    """A new record with the requested repairs applied, and the names of those that changed something.

    The input record is not modified. After a repair the `tools` column is parsed again from the system prompt.
    """
    unknown = [name for name in repairs if name not in REPAIRS]
    if unknown:
        raise ValueError(f"unknown repair {unknown[0]!r}; known repairs: {', '.join(REPAIRS)}")
    messages = record.get("messages") or []
    applied = []
    if "control_token" in repairs:
        stripped = [_strip_message(m) for m in messages]
        if any(new is not old for new, old in zip(stripped, messages, strict=True)):
            messages, applied = stripped, [*applied, "control_token"]
    if "python_literal" in repairs:
        fixed = [_repair_message(m) for m in messages]
        if any(new is not old for new, old in zip(fixed, messages, strict=True)):
            messages, applied = fixed, [*applied, "python_literal"]
    if not applied:
        return record, []
    if "python_literal" not in applied:
        return {**record, "messages": messages}, applied
    tools, _ = columns_from_messages(messages)
    return {**record, "messages": messages, "tools": tools if tools is not None else record.get("tools")}, applied


def _strip_message(message: dict) -> dict:
    text = message.get("content") or ""
    stripped = strip_trailing(text)
    return message if stripped == text else {**message, "content": stripped}


def _repair_message(message: dict) -> dict:
    text = message.get("content") or ""
    role = message.get("role")
    if role == "system":
        spans = _system_literals(text)
    elif role == "assistant":
        spans = [call.span for call in parse_tool_calls(text) if call.python_literal]
    else:
        return message
    if not spans:
        return message
    return {**message, "content": _rewrite(text, spans)}


def _system_literals(text: str) -> list[tuple[int, int]]:
    spans = []
    tools = parse_tools(text) if "</tools>" in text else None
    if tools is not None and tools.python_literal:
        spans.append(tools.span)
    schema = parse_json_mode_schema(text) if "</schema>" in text else None
    if schema is not None and schema.python_literal:
        spans.append(schema.span)
    return spans


def _rewrite(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span's literal (whitespace around it kept) replaced by its JSON form."""
    pieces, prev = [], 0
    for start, end in sorted(spans):
        start, end = strip_span(text, start, end)
        value, _ = loads_json_or_literal(text[start:end])
        pieces += [text[prev:start], dumps(value)]
        prev = end
    pieces.append(text[prev:])
    return "".join(pieces)
