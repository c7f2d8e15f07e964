"""OpenAI chat rows (`{"messages": [...], "tools": [...]}`) to records.

Structured `tool_calls` become `<tool_call>` text after the message's own content, consecutive `tool` messages merge
into one tool turn of `<tool_response>` blocks (DESIGN §4), and `tools` are folded into the system prompt. The call
ids have no place in Hermes text, so they go to `meta.tool_call_ids` ({turn index: [ids]}, for assistant turns and
tool turns) and the writer (`openai_writer.py`) puts them back.
"""

from __future__ import annotations

from typing import Any

from hermes_data.formats.common import (
    TOOL_CALL_IDS,
    RowError,
    finish_record,
    fold_documents,
    fold_tools,
    parse_json_field,
    structured_result,
    text_of,
)
from hermes_data.markup.tool_calling import render_tool_call, render_tool_response

# `developer` is the newer name of the system role; `function` the legacy name of a tool result.
ROLE_OF = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "gpt": "assistant",
    "tool": "tool",
    "function": "tool",
}

_CONSUMED = {"messages", "tools", "functions", "documents"}


def openai_row_to_record(row: dict[str, Any], *, source: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """One OpenAI chat row as a record (raises RowError when the row is not a conversation)."""
    raw = row.get("messages")
    if not isinstance(raw, list):
        raise RowError("row has no `messages` list")
    messages, ids = _hermes_messages(raw)
    folded = fold_tools(messages, row.get("tools") or row.get("functions"))
    shift = len(folded) - len(messages)  # a system prompt inserted for the tools moves every turn down by one
    folded = fold_documents(folded, row.get("documents"))
    extra = dict(meta or {})
    if ids:
        extra[TOOL_CALL_IDS] = {str(turn + shift): turn_ids for turn, turn_ids in ids.items()}
    return finish_record(folded, row, _CONSUMED, source=source, meta=extra)


def _hermes_messages(raw: list[Any]) -> tuple[list[dict[str, str]], dict[int, list[str]]]:
    out: list[dict[str, str]] = []
    ids: dict[int, list[str]] = {}
    name_of_id: dict[str, str] = {}
    call_names: list[str] = []  # the last assistant turn's calls, for results that carry neither name nor id
    answered = 0
    for i, msg in enumerate(raw):
        if not isinstance(msg, dict):
            raise RowError(f"message {i} is not an object")
        raw_role = msg.get("role", msg.get("from"))
        role = ROLE_OF.get(str(raw_role).strip().lower())
        if role is None:
            raise RowError(f"message {i} has unknown role {raw_role!r}; expected one of {', '.join(ROLE_OF)}")
        text = text_of(msg.get("content", msg.get("value")))
        if role == "assistant":
            calls = _calls_of(msg, i)
            if calls:
                rendered = "\n".join(render_tool_call(name, args) for _, name, args in calls)
                text = f"{text}\n{rendered}" if text else rendered
                call_names, answered = [name for _, name, _ in calls], 0
                name_of_id.update({cid: name for cid, name, _ in calls if cid})
                if any(cid for cid, _, _ in calls):
                    ids[len(out)] = [cid for cid, _, _ in calls]
            out.append({"role": "assistant", "content": text})
        elif role == "tool":
            call_id = msg.get("tool_call_id")
            name = msg.get("name") or name_of_id.get(call_id)
            if not name:
                name = call_names[answered] if answered < len(call_names) else ""
            answered += 1
            block = render_tool_response(name, structured_result(text))
            if out and out[-1]["role"] == "tool" and i > 0 and _is_tool(raw[i - 1]):
                out[-1] = {"role": "tool", "content": out[-1]["content"] + "\n" + block}
                ids.setdefault(len(out) - 1, []).append(call_id or "")
            else:
                out.append({"role": "tool", "content": block})
                ids[len(out) - 1] = [call_id or ""]
        else:
            out.append({"role": role, "content": text})
    return out, {turn: turn_ids for turn, turn_ids in ids.items() if any(turn_ids)}


def _is_tool(msg: Any) -> bool:
    return isinstance(msg, dict) and ROLE_OF.get(str(msg.get("role", msg.get("from"))).lower()) == "tool"


def _calls_of(msg: dict, i: int) -> list[tuple[str, str, dict]]:
    """(id, name, arguments) of an assistant message's `tool_calls` (or the legacy single `function_call`)."""
    calls = msg.get("tool_calls") or []
    if msg.get("function_call"):
        calls = [*calls, {"function": msg["function_call"]}]
    if not isinstance(calls, list):
        raise RowError(f"message {i}: `tool_calls` is not a list")
    out = []
    for k, call in enumerate(calls):
        fn = call.get("function") if isinstance(call, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            raise RowError(f"message {i}: tool call {k} has no function name")
        args = fn.get("arguments")
        args = {} if args in (None, "") else parse_json_field(args, f"message {i} tool call {k} arguments")
        if not isinstance(args, dict):
            raise RowError(f"message {i}: tool call {k} arguments are not a JSON object")
        out.append((str(call.get("id") or ""), fn["name"], args))
    return out
