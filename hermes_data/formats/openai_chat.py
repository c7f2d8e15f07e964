"""OpenAI chat rows (`{"messages": [...], "tools": [...]}`) to records.

Structured `tool_calls` become `<tool_call>` text after the message's own content, consecutive `tool` messages merge
into one tool turn of `<tool_response>` blocks (DESIGN §4), and `tools` are folded into the system prompt. The call
ids have no place in Hermes text, so they go to `meta.tool_call_ids` ({turn index: [ids]}, for assistant turns and
tool turns) and the writer (`openai_writer.py`) puts them back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hermes_data.formats.common import (
    TOOL_CALL_IDS,
    RowError,
    content_text,
    conversation_of,
    either_key,
    finish_record,
    fold_documents,
    fold_tools,
    parse_json_field,
    role_of,
    structured_result,
)
from hermes_data.formats.message_notes import MessageNotes
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
    raw, notes = conversation_of(row, "messages")
    messages, ids = _hermes_messages(raw, notes)
    folded = fold_tools(messages, row.get("tools") or row.get("functions"))
    shift = len(folded) - len(messages)  # a system prompt inserted for the tools moves every turn down by one
    folded = fold_documents(folded, row.get("documents"))
    extra = {**notes.as_meta(shift), **(meta or {})}
    if ids:
        extra[TOOL_CALL_IDS] = {str(turn + shift): turn_ids for turn, turn_ids in ids.items()}
    return finish_record(folded, row, _CONSUMED, source=source, meta=extra)


@dataclass
class _LastCalls:
    """The latest assistant turn's calls, so that each tool result can be named: by its id, else by its order."""

    name_of_id: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    answered: int = 0

    def start(self, calls: list[tuple[str, str, dict]]) -> None:
        self.name_of_id.update({cid: name for cid, name, _ in calls if cid})
        self.names, self.answered = [name for _, name, _ in calls], 0

    def name_for(self, msg: dict) -> str:
        name = msg.get("name") or self.name_of_id.get(msg.get("tool_call_id") or "")
        if not name and self.answered < len(self.names):
            name = self.names[self.answered]
        self.answered += 1
        return name or ""


def _hermes_messages(raw: list[Any], notes: MessageNotes) -> tuple[list[dict[str, str]], dict[int, list[str]]]:
    """Record messages in Hermes markup, and the call ids per turn index (assistant calls and tool results);
    reasoning, extras and non-text parts go to `notes` under the same turn index."""
    out: list[dict[str, str]] = []
    ids: dict[int, list[str]] = {}
    last = _LastCalls()
    for i, msg in enumerate(raw):
        role = role_of(msg, ROLE_OF, ("role", "from"), f"message {i}")
        text, non_text = content_text(either_key(msg, "content", "value"))
        merges = role == "tool" and out and out[-1]["role"] == "tool" and _is_tool(raw[i - 1])
        turn = len(out) - 1 if merges else len(out)
        notes.add_non_text(turn, non_text)
        notes.add_message(turn, role, msg)
        if role == "assistant":
            calls = _calls_of(msg, i)
            if calls:
                last.start(calls)
                rendered = "\n".join(render_tool_call(name, args) for _, name, args in calls)
                text = f"{text}\n{rendered}" if text else rendered
                ids[len(out)] = [cid for cid, _, _ in calls]
            out.append({"role": "assistant", "content": text})
        elif role == "tool":
            block = render_tool_response(last.name_for(msg), structured_result(text))
            call_id = str(msg.get("tool_call_id") or "")
            if merges:  # consecutive results share one turn
                out[-1] = {"role": "tool", "content": out[-1]["content"] + "\n" + block}
                ids[len(out) - 1].append(call_id)
            else:
                out.append({"role": "tool", "content": block})
                ids[len(out) - 1] = [call_id]
        else:
            out.append({"role": role, "content": text})
    return out, {turn: turn_ids for turn, turn_ids in ids.items() if any(turn_ids)}


def _is_tool(msg: Any) -> bool:
    return isinstance(msg, dict) and ROLE_OF.get(str(either_key(msg, "role", "from")).lower()) == "tool"


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
