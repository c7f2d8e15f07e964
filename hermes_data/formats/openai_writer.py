"""Records to OpenAI chat rows: Hermes markup turned back into structure.

Everything is derived from the record's text (never from a stash of the input row), so an edited record exports as
edited: `<tool_call>` blocks become `tool_calls` (ids from `meta.tool_call_ids` when they still fit, otherwise
`call_<turn>_<k>`), a tool turn splits into one `tool` message per `<tool_response>`, and the `<tools>` block leaves
the system prompt to become the row's `tools`.
"""

from __future__ import annotations

import json
from typing import Any

from hermes_data.formats.common import TOOL_CALL_IDS
from hermes_data.formats.message_notes import PUT_ON_MESSAGES, message_notes_out
from hermes_data.markup.tool_calling import (
    parse_tool_calls,
    parse_tool_responses,
    parse_tools,
    render_tools_system_prompt,
)
from hermes_data.record import meta_of


def record_to_openai(record: dict[str, Any]) -> dict[str, Any]:
    """A record as an OpenAI chat row (`id`, `messages`, `tools`?, `category`?, `model`?, `meta`?); reasoning and
    per-message extras kept in meta go back onto their messages (`reasoning_content` on the assistant's)."""
    meta = meta_of(record)
    stored = meta.pop(TOOL_CALL_IDS, None) or {}
    notes = {key: meta.pop(key) for key in PUT_ON_MESSAGES if key in meta}
    messages: list[dict[str, Any]] = []
    tools = None
    pending: list[tuple[str, str]] = []  # (id, name) of calls not answered yet
    for i, msg in enumerate(record["messages"]):
        role, text = msg["role"], msg["content"]
        if role == "system" and i == 0:
            text, tools = split_tools(text)
            if text.strip():
                messages.append({"role": "system", "content": text, **message_notes_out(notes, i)})
        elif role == "assistant":
            out, pending = _assistant_message(text, i, stored.get(str(i)))
            messages.append({**out, **message_notes_out(notes, i)})
        elif role == "tool":
            messages.extend(_tool_messages(text, i, stored.get(str(i)) or [], pending))
        else:
            messages.append({"role": role, "content": text, **message_notes_out(notes, i)})
    row: dict[str, Any] = {"id": record["id"], "messages": messages}
    if tools:
        row["tools"] = tools
    for key in ("category", "model"):
        if record.get(key) is not None:
            row[key] = record[key]
    if meta:
        row["meta"] = meta
    return row


def _assistant_message(text: str, turn: int, stored: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The assistant message with structured `tool_calls`, and its calls as (id, name) awaiting their results."""
    content, calls = split_calls(text)
    ids = _ids_for(stored, len(calls)) or [f"call_{turn}_{k}" for k in range(len(calls))]
    out: dict[str, Any] = {"role": "assistant", "content": content if content or not calls else None}
    if calls:
        out["tool_calls"] = [
            {
                "id": cid,
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False)},
            }
            for cid, (name, args) in zip(ids, calls, strict=True)
        ]
    return out, [(cid, name) for cid, (name, _) in zip(ids, calls, strict=True)]


def _ids_for(stored: Any, count: int) -> list[str] | None:
    """Stored ids only when they still match the calls one to one (an edit may have added or removed a call)."""
    if isinstance(stored, list) and len(stored) == count and all(stored) and len(set(stored)) == count:
        return [str(s) for s in stored]
    return None


def split_tools(system: str) -> tuple[str, list[dict] | None]:
    """The system prompt without its tools block, and the tools (None when there is no parseable block).

    A prompt our readers folded ends with exactly `render_tools_system_prompt(tools)`, which is cut whole; a
    hand-written one (hermes-function-calling-v1 words its own) loses only the `<tools>…</tools>` element.
    """
    parsed = parse_tools(system)
    if parsed is None or not parsed.tools:
        return system, None
    rendered = render_tools_system_prompt(parsed.tools)
    if system == rendered:
        return "", parsed.tools
    if system.endswith("\n\n" + rendered):
        return system[: -len(rendered) - 2], parsed.tools
    # parse_tools gives the offsets of the block's body; the element adds its tags on either side.
    start, end = parsed.span[0] - len("<tools>"), parsed.span[1] + len("</tools>")
    before, after = system[:start].rstrip(), system[end:].lstrip()
    return "\n".join(part for part in (before, after) if part), parsed.tools


def split_calls(text: str) -> tuple[str, list[tuple[str, dict]]]:
    """An assistant turn's own words and its well-formed calls; a call that does not parse stays in the words."""
    calls, pieces, start = [], [], 0
    for call in parse_tool_calls(text):  # closed blocks outside code only: an example in a code fence stays text
        if call.problem is not None or call.name is None or not isinstance(call.arguments, dict):
            continue
        pieces.append(text[start : call.span[0] - len("<tool_call>")])
        calls.append((call.name, call.arguments))
        start = call.span[1] + len("</tool_call>")
    pieces.append(text[start:])
    # Undo the reader's layout: words, "\n", then the calls joined by "\n".
    head = pieces[0][:-1] if len(pieces) > 1 and pieces[0].endswith("\n") else pieces[0]
    words = ([head] if head.strip() else []) + [p.strip("\n") for p in pieces[1:] if p.strip()]
    return "\n".join(words), calls


def _tool_messages(text: str, turn: int, stored: list, pending: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """One `tool` message per `<tool_response>`, each answering a pending call (stored id, then name, then order)."""
    responses = parse_tool_responses(text)
    if not responses or any(r.problem is not None for r in responses):
        cid, name = _answer(pending, None, None) or (f"call_{turn}_0", "")
        return [{"role": "tool", "tool_call_id": cid, "name": name, "content": text}]
    out = []
    for k, resp in enumerate(responses):
        hint = stored[k] if len(stored) == len(responses) else None
        cid, call_name = _answer(pending, hint, resp.name) or (f"call_{turn}_{k}", "")
        content = resp.content if isinstance(resp.content, str) else json.dumps(resp.content, ensure_ascii=False)
        out.append({"role": "tool", "tool_call_id": cid, "name": resp.name or call_name, "content": content})
    return out


def _answer(pending: list[tuple[str, str]], hint: str | None, name: str | None) -> tuple[str, str] | None:
    """Take the pending call a response answers: the stored id if pending, else the first of that name, else next."""
    for match in (lambda c: c[0] == hint, lambda c: c[1] == name, lambda c: True):
        for call in pending:
            if match(call):
                pending.remove(call)
                return call
    return None
