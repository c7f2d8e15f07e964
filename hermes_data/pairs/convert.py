"""One preference row of any common layout as a pair (DESIGN §2): the one place that knows the pair layouts.

Layouts found in real data, all with `chosen` and `rejected`:
- TRL conversational: `prompt` (a list of messages) and `chosen`/`rejected` (lists of assistant messages);
- TRL implicit prompt: no `prompt`; `chosen` and `rejected` are whole conversations whose shared prefix is the prompt;
- prompt as a string with whole conversations in `chosen`/`rejected` (HuggingFaceH4/ultrafeedback_binarized);
- ShareGPT: `conversations` (or `prompt`) of `{"from", "value"}` turns (human/gpt/system/tool, glaive's
  function_call/observation), with `chosen`/`rejected` as a turn list, a single `{"from", "value"}` turn or a string;
- Anthropic hh-rlhf: `chosen`/`rejected` transcripts (`\n\nHuman: …\n\nAssistant: …`), prompt = shared turns;
- Intel/orca_dpo_pairs: `system`, `question`, `chosen`, `rejected`, all strings;
- our own pair record (`meta` a JSON string).
`system` and `tools` columns are folded into the prompt as the conversation readers do.

A row whose chosen and rejected come with different prompts is still returned, flagged `PROBLEM: prompt_mismatch`,
so the pipeline drops it with that reason instead of losing it silently as unreadable. Empty replies are returned
as they are (an empty list or an empty assistant turn) for the `empty_reply` stage.
"""

from __future__ import annotations

import json
from typing import Any

from hermes_data.categories import SLUGS
from hermes_data.formats.common import SOURCE_CATEGORY, RowError, base_meta, fold_tools, text_of
from hermes_data.formats.openai_chat import openai_row_to_record
from hermes_data.formats.sharegpt import sharegpt_turns_to_messages
from hermes_data.formats.transcript import is_transcript, parse_transcript
from hermes_data.pairs.record import make_pair
from hermes_data.record import ROLES, content_id

PROBLEM = "_problem"  # key of a returned pair that the pipeline's first stage turns into a drop reason
PROMPT_MISMATCH = "prompt_mismatch"
REPLY_ROLES = ("assistant", "tool")
_CONSUMED = {"id", "category", "source", "meta", "prompt", "conversations", "question", "system", "tools"}
_CONSUMED |= {"chosen", "rejected", "messages"}


def is_pair_row(keys: Any) -> bool:
    """A row (or a table's columns) holding a preference pair."""
    return {"chosen", "rejected"} <= set(keys)


def pair_row_to_pair(row: dict[str, Any], *, source: str) -> dict[str, Any]:
    """A pair dict (`make_pair`), with `PROBLEM` set when the prompts of chosen and rejected differ."""
    if not isinstance(row, dict):
        raise RowError(f"row is a JSON {type(row).__name__}, not an object")
    given = _given_prompt(row)
    chosen = to_messages(row.get("chosen"), "chosen", default_role="assistant")
    rejected = to_messages(row.get("rejected"), "rejected", default_role="assistant")
    prompt, chosen, rejected, mismatch = split_prompt(given, chosen, rejected)
    if row.get("tools") not in (None, "", []):
        prompt = fold_tools(prompt, row["tools"])
    meta = base_meta(row)
    meta.update({k: v for k, v in row.items() if k not in _CONSUMED and _is_scalar(v) and v is not None})
    category = row.get("category")
    if category not in (None, "") and category not in SLUGS:
        meta[SOURCE_CATEGORY], category = category, None
    pair = make_pair(
        prompt,
        chosen,
        rejected,
        id=None if row.get("id") is None else str(row["id"]),
        category=category or None,
        source=row.get("source") or source,
        meta=json.loads(json.dumps(meta, ensure_ascii=False, default=str)),
    )
    if mismatch:
        pair[PROBLEM] = PROMPT_MISMATCH
    return pair


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _given_prompt(row: dict[str, Any]) -> list[dict[str, str]] | None:
    """The explicit prompt: `prompt`, else ShareGPT `conversations`, else Orca's `question`; `system` folded in."""
    for key in ("prompt", "conversations", "question"):
        if row.get(key) not in (None, ""):
            prompt = to_messages(row[key], key, default_role="user")
            break
    else:
        return None
    system = row.get("system")
    if isinstance(system, str) and system.strip() and not (prompt and prompt[0]["role"] == "system"):
        prompt.insert(0, {"role": "system", "content": system})
    return prompt


def to_messages(value: Any, what: str, *, default_role: str) -> list[dict[str, str]]:
    """A prompt or reply as record messages: a message list (role/content or from/value), one message, or a string."""
    if value is None:
        return []
    if is_transcript(value):  # hh-rlhf: the whole dialogue in one string; split_prompt finds the shared turns
        return parse_transcript(value)
    if isinstance(value, str):
        return [{"role": default_role, "content": value}]
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(m, dict) for m in value):
        raise RowError(f"`{what}` must be a string, a message or a list of messages, not {type(value).__name__}")
    if any(m.get("from") is not None for m in value):  # ShareGPT turns, glaive calls and observations included
        return sharegpt_turns_to_messages(value)
    if any(_needs_openai(m) for m in value):  # structured tool_calls and raw tool results become Hermes text
        return openai_row_to_record({"messages": value}, source="")["messages"]
    return [{"role": m["role"], "content": text_of(m.get("content"))} for m in value]  # already Hermes text


def _needs_openai(message: dict) -> bool:
    """An OpenAI-style message rather than Hermes text: structured calls, another role name, a bare tool result."""
    role = message.get("role")
    if role not in ROLES or any(message.get(k) for k in ("tool_calls", "tool_call_id", "function_call")):
        return True
    return role == "tool" and "<tool_response>" not in text_of(message.get("content"))


def split_prompt(
    given: list[dict] | None, chosen: list[dict], rejected: list[dict]
) -> tuple[list[dict], list[dict], list[dict], bool]:
    """(prompt, chosen reply, rejected reply, prompts differ).

    Replies that carry their conversation (they start with a non-assistant turn) are split: when both do, at their
    longest shared prefix that both continue with an assistant turn (TRL's implicit prompt); when one does, before
    its final reply (the turns after its last user turn). An explicit prompt must equal the embedded one.
    """
    embeds = [bool(side) and side[0]["role"] != "assistant" for side in (chosen, rejected)]
    embedded: list[dict] | None = None
    if all(embeds):
        k = _shared_prefix(chosen, rejected)
        embedded, chosen, rejected = chosen[:k], chosen[k:], rejected[k:]
    elif embeds[0]:
        embedded, chosen = _split_final_reply(chosen)
    elif embeds[1]:
        embedded, rejected = _split_final_reply(rejected)
    mismatch = any(m["role"] not in REPLY_ROLES for m in chosen + rejected)
    if given is not None and embedded is not None and content_id(given) != content_id(embedded):
        mismatch = True
    prompt = given if given is not None else embedded or []
    return prompt, chosen, rejected, mismatch


def _shared_prefix(a: list[dict], b: list[dict]) -> int:
    """Length of the longest common prefix after which both conversations continue with an assistant turn."""
    k = 0
    while k < min(len(a), len(b)) and _same(a[k], b[k]):
        k += 1
    while k > 0 and not (k < len(a) and k < len(b) and a[k]["role"] == b[k]["role"] == "assistant"):
        k -= 1
    return k


def _same(a: dict, b: dict) -> bool:
    return a["role"] == b["role"] and a["content"] == b["content"]


def _split_final_reply(messages: list[dict]) -> tuple[list[dict], list[dict]]:
    """(prompt, final reply): the reply is everything after the last user turn (assistant calls and tool results)."""
    users = [i for i, m in enumerate(messages) if m["role"] in ("user", "system")]
    cut = users[-1] + 1 if users else 0
    return messages[:cut], messages[cut:]
