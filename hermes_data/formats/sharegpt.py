"""ShareGPT rows (`{"conversations": [{"from", "value"}]}`) to records and back.

Accepted `from` values: Hermes (`system`/`human`/`gpt`/`tool`, as in NousResearch/hermes-function-calling-v1),
plain `user`/`assistant`, and the glaive convention (LLaMA-Factory's ShareGPT variant): `function_call` turns hold a
JSON call `{"name", "arguments"}` and `observation` turns the result; both are rewritten into Hermes markup, and a
`tools` column (JSON string or list) is folded into the system prompt. Turns may also use `role`/`content` keys.
"""

from __future__ import annotations

from typing import Any

from hermes_data.formats.common import (
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
from hermes_data.formats.message_notes import PUT_ON_MESSAGES, MessageNotes, message_notes_out
from hermes_data.markup.tool_calling import render_tool_call, render_tool_response
from hermes_data.record import meta_of

_CALL, _RESULT = "function_call", "observation"

# `from` value -> record role; the two glaive kinds are converted before they become roles.
ROLE_OF = {
    "system": "system",
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "bard": "assistant",
    "model": "assistant",
    "tool": "tool",
    _CALL: _CALL,
    _RESULT: _RESULT,
    "function_response": _RESULT,
}

FROM_OF = {"system": "system", "user": "human", "assistant": "gpt", "tool": "tool"}

# Row fields the reader turns into message text; everything else but id/model/category goes to meta.
_CONSUMED = {"conversations", "tools", "documents", "system"}


def sharegpt_row_to_record(row: dict[str, Any], *, source: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """One ShareGPT row as a record (raises RowError when the row is not a conversation)."""
    turns, notes = conversation_of(row, "conversations")
    messages = sharegpt_turns_to_messages(turns, notes)
    num_turns = len(messages)
    system = row.get("system")
    if isinstance(system, str) and system.strip() and not (messages and messages[0]["role"] == "system"):
        messages.insert(0, {"role": "system", "content": system})
    messages = fold_tools(messages, row.get("tools"))
    messages = fold_documents(messages, row.get("documents"))
    shift = len(messages) - num_turns  # a system prompt put in front moves every turn down by one
    return finish_record(messages, row, _CONSUMED, source=source, meta={**notes.as_meta(shift), **(meta or {})})


def sharegpt_turns_to_messages(turns: list[Any], notes: MessageNotes | None = None) -> list[dict[str, str]]:
    """Turns to record messages, glaive calls and observations rewritten as Hermes `<tool_call>`/`<tool_response>`;
    reasoning, extras and non-text parts of each turn go to `notes` (`message_notes`) under its record turn."""
    notes = notes if notes is not None else MessageNotes()
    out: list[dict[str, str]] = []
    pending: list[str] = []  # names of calls not yet answered, in call order: observations carry no name
    for i, turn in enumerate(turns):
        kind = role_of(turn, ROLE_OF, ("from", "role"), f"turn {i}")
        value = either_key(turn, "value", "content")
        if kind == _CALL:
            pending = _add_calls(out, _calls_of(value, i), pending)
            notes.add_message(len(out) - 1, "assistant", turn)
            continue
        text, non_text = content_text(value)
        if kind == _RESULT:
            name = pending.pop(0) if len(pending) > 1 else pending[0] if pending else ""
            _add_result(out, render_tool_response(name, structured_result(text)))
            notes.add_non_text(len(out) - 1, non_text)
        else:
            notes.add_non_text(len(out), non_text)
            notes.add_message(len(out), kind, turn)
            out.append({"role": kind, "content": text})
    return out


def _add_calls(out: list[dict[str, str]], calls: list[tuple[str, dict]], pending: list[str]) -> list[str]:
    """Append the calls as an assistant turn, or to the assistant turn just before ("Let me check." then the call:
    one assistant move); returns the names now awaiting results."""
    text = "\n".join(render_tool_call(name, args) for name, args in calls)
    names = [name for name, _ in calls]
    if out and out[-1]["role"] == "assistant":
        had_calls = "<tool_call>" in out[-1]["content"]
        out[-1] = {"role": "assistant", "content": _join(out[-1]["content"], text)}
        return [*pending, *names] if had_calls else names
    out.append({"role": "assistant", "content": text})
    return names


def _add_result(out: list[dict[str, str]], block: str) -> None:
    """Consecutive results share one tool turn (DESIGN §4)."""
    if out and out[-1]["role"] == "tool" and "<tool_response>" in out[-1]["content"]:
        out[-1] = {"role": "tool", "content": out[-1]["content"] + "\n" + block}
    else:
        out.append({"role": "tool", "content": block})


def _join(text: str, calls: str) -> str:
    return f"{text}\n{calls}" if text else calls


def _calls_of(value: Any, turn: int) -> list[tuple[str, dict]]:
    """A glaive `function_call` value: one call object or a list, arguments as an object or a JSON string."""
    parsed = parse_json_field(value, f"turn {turn} function_call")
    items = parsed if isinstance(parsed, list) else [parsed]
    calls = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise RowError(f"turn {turn}: function_call is not an object with a `name`")
        args = item.get("arguments", item.get("parameters"))
        args = {} if args in (None, "") else parse_json_field(args, f"turn {turn} function_call arguments")
        if not isinstance(args, dict):
            raise RowError(f"turn {turn}: function_call arguments are not an object")
        calls.append((item["name"], args))
    return calls


def record_to_sharegpt(record: dict[str, Any]) -> dict[str, Any]:
    """A record as a ShareGPT row with Hermes roles; `id`, `category`, `model` and `meta` are kept."""
    meta = meta_of(record)
    row: dict[str, Any] = {
        "id": record["id"],
        "conversations": [
            {"from": FROM_OF[m["role"]], "value": m["content"], **message_notes_out(meta, turn)}
            for turn, m in enumerate(record["messages"])
        ],
    }
    for key in ("category", "model"):
        if record.get(key) is not None:
            row[key] = record[key]
    meta = {k: v for k, v in meta.items() if k not in PUT_ON_MESSAGES}
    if meta:
        row["meta"] = meta
    return row
