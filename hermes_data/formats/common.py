"""What every row reader shares: JSON-ish fields, tool and document folding, and the final record.

A row converter builds `messages` in Hermes form, then `finish_record` parses the `tools`/`documents` columns back
out of the final text (DESIGN §2: the message text is the truth) and files every field it did not consume under
`meta`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from hermes_data.errors import DataError
from hermes_data.formats.message_notes import MEDIA_COLUMNS, NON_TEXT_PARTS, MessageNotes, parts_text
from hermes_data.markup.columns import columns_from_messages
from hermes_data.markup.literals import loads_json_or_literal
from hermes_data.markup.rag import parse_context_documents, render_context
from hermes_data.markup.tool_calling import normalize_tools, parse_tools, render_tools_system_prompt
from hermes_data.record import content_id, make_record, meta_of

# Keys the meta of a record may hold that readers fill themselves; a row's own fields never override them.
SOURCE_CATEGORY = "source_category"
TOOL_CALL_IDS = "tool_call_ids"
UTF8_REPLACED = "utf8_replaced"
# Fields of the row that held a Python literal where JSON belongs (glaive's `tools` written with `str(list)`) and were
# read as JSON: counted as repaired by `convert`, so a user knows the output differs from the input there.
PYTHON_LITERAL_READ = "python_literal_read"
_literal_fields: ContextVar[list[str] | None] = ContextVar("literal_fields", default=None)


@contextmanager
def literal_reads() -> Iterator[list[str]]:
    """Collect the fields `parse_json_field` reads as Python literals while one row is converted."""
    fields: list[str] = []
    token = _literal_fields.set(fields)
    try:
        yield fields
    finally:
        _literal_fields.reset(token)


class RowError(ValueError):
    """A row that parses as JSON but cannot become a record; the reader turns it into an `Unreadable`."""


def either_key(item: dict, key: str, other: str) -> Any:
    """`key`, else `other` (`from`/`role`, `value`/`content`): Arrow-backed datasets fill a key a row lacks with
    None rather than leaving it out, so a present-but-None key must not hide the other spelling."""
    value = item.get(key)
    return item.get(other) if value is None else value


def conversation_of(row: dict[str, Any], key: str) -> tuple[list[Any], MessageNotes]:
    """A row's list of messages under `key` (RowError when it has none), with the notes started from its media
    columns."""
    raw = row.get(key)
    if not isinstance(raw, list):
        raise RowError(f"row has no `{key}` list")
    notes = MessageNotes()
    notes.add_media_columns(row)
    return raw, notes


def role_of(item: Any, roles: dict[str, str], keys: tuple[str, str], where: str) -> str:
    """What `roles` maps a message's role to (read under either of `keys`, case and spaces ignored); a RowError
    naming `where` ("message 3") when the message is not an object or its role is not in `roles`."""
    if not isinstance(item, dict):
        raise RowError(f"{where} is not an object")
    raw = either_key(item, *keys)
    role = roles.get(str(raw).strip().lower())
    if role is None:
        raise RowError(f"{where} has unknown role {raw!r}; expected one of {', '.join(roles)}")
    return role


def parse_json_field(value: Any, what: str) -> Any:
    """A column that holds JSON either as a string or already decoded (glaive's `tools` is a JSON string)."""
    if not isinstance(value, str):
        return value
    try:
        parsed, was_literal = loads_json_or_literal(value)
    except ValueError as exc:
        raise RowError(f"`{what}` is not JSON: {exc}") from None
    fields = _literal_fields.get()
    if was_literal and fields is not None:
        fields.append(what)
    return parsed


def content_text(content: Any) -> tuple[str, list[Any]]:
    """Message content as text, and its parts that are not text (`message_notes.parts_text`)."""
    if content is None:
        return "", []
    if isinstance(content, str):
        return content, []
    if isinstance(content, list):
        return parts_text(content)
    raise RowError(f"message content must be a string or a list of parts, not {type(content).__name__}")


def text_of(content: Any) -> str:
    """Message content as text only (callers that record non-text parts use `content_text`)."""
    return content_text(content)[0]


def structured_result(text: str) -> Any:
    """A tool result that is a JSON object or array goes into `<tool_response>` as structure, as Hermes data has it."""
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            pass
    return text


def normalize_tool_list(value: Any) -> list[dict]:
    """Tool definitions (JSON string or list; OpenAI style or glaive's bare objects) in the OpenAI form."""
    tools = parse_json_field(value, "tools")
    normalized, problems = normalize_tools(tools)
    count = 1 if isinstance(tools, dict) else len(tools) if isinstance(tools, list) else -1
    if normalized is None or len(normalized) != count:  # never drop a definition silently before rendering
        raise RowError(f"`tools`: {problems[0].message if problems else 'not a list of tool definitions'}")
    return normalized


def fold_tools(messages: list[dict], tools_value: Any) -> list[dict]:
    """Put tools given outside the messages into the system prompt once, in the Hermes form (DESIGN §4)."""
    if tools_value in (None, "", []):
        return messages
    tools = normalize_tool_list(tools_value)
    if not tools:
        return messages
    block = render_tools_system_prompt(tools)
    if messages and messages[0]["role"] == "system":
        system = messages[0]["content"]
        if parse_tools(system) is not None:  # already holds a tools block (re-reading our export): never twice
            return messages
        content = f"{system}\n\n{block}" if system.strip() else block
        return [{"role": "system", "content": content}, *messages[1:]]
    return [{"role": "system", "content": block}, *messages]


def normalize_documents(value: Any) -> list[dict[str, str]]:
    """Documents as `{"id", "title", "text"}` strings; ids default to the position, as the paper numbers them."""
    docs = parse_json_field(value, "documents")
    if isinstance(docs, (str, dict)):
        docs = [docs]
    if not isinstance(docs, list):
        raise RowError("`documents` must be a list of strings or objects with `text`")
    out = []
    for i, doc in enumerate(docs):
        if isinstance(doc, str):
            doc = {"text": doc}
        if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
            raise RowError(f"document {i} has no `text`")
        doc_id = doc.get("id")
        out.append(
            {
                "id": str(i if doc_id in (None, "") else doc_id),
                "title": str(doc.get("title") or ""),
                "text": doc["text"],
            }
        )
    return out


def fold_documents(messages: list[dict], documents_value: Any) -> list[dict]:
    """Prepend the paper's `CONTEXT:` block (Figure 8) to the first user turn, unless it already has one."""
    if documents_value in (None, "", []):
        return messages
    docs = normalize_documents(documents_value)
    first_user = next((i for i, m in enumerate(messages) if m["role"] == "user"), None)
    if first_user is None:
        raise RowError("`documents` given but the conversation has no user turn to hold them")
    question = messages[first_user]["content"]
    if parse_context_documents(question) is not None:
        return messages
    try:
        context = render_context(docs, question=question)
    except DataError as exc:  # a document id that cannot be cited: this row only, not the whole file
        raise RowError(str(exc)) from None
    out = list(messages)
    out[first_user] = {"role": "user", "content": context}
    return out


def base_meta(row: dict) -> dict[str, Any]:
    """The row's own `meta` (our writers emit it as an object; a record stores it as a JSON string)."""
    raw = row.get("meta")
    if raw is None:
        return {}
    return dict(meta_of({"meta": raw}))


def finish_record(
    messages: list[dict],
    row: dict,
    consumed: set[str],
    *,
    source: str,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The record: columns parsed from the final text, the row's id/model kept, every other field under meta."""
    merged = base_meta(row)
    for key, value in row.items():
        if key in consumed or key in ("id", "meta", "model", "category") or value is None:
            continue  # a None is a column this row does not use (Parquet/Arrow fill them in)
        merged[key] = value
    if row.get("category") not in (None, ""):
        merged[SOURCE_CATEGORY] = row["category"]
    merged.update(meta or {})
    try:
        json.dumps(merged, ensure_ascii=False)
    except (TypeError, ValueError):  # Parquet/Hub rows may carry dates or bytes; meta is JSON, so keep their text
        merged = json.loads(json.dumps(merged, ensure_ascii=False, default=str))
    tools, documents = columns_from_messages(messages)
    model = row.get("model")
    if model is not None and not isinstance(model, str):  # e.g. a dict of generation settings: keep it in meta
        merged["model"], model = model, None
    row_id = row.get("id")
    if row_id is None and merged.get(NON_TEXT_PARTS):
        row_id = _non_text_id(messages, merged)
    return make_record(
        messages,
        id=None if row_id is None else str(row_id),
        source=source,
        model=model,
        tools=tools,
        documents=documents,
        meta=merged,
    )


def _non_text_id(messages: list[dict], meta: dict[str, Any]) -> str:
    """A content id that also covers the images or audio: two questions about different pictures, with the same
    words, are different rows (the text alone would give them one id)."""
    media = {"parts": meta[NON_TEXT_PARTS], "columns": {c: meta[c] for c in MEDIA_COLUMNS if c in meta}}
    extra = {"role": "non_text", "content": json.dumps(media, ensure_ascii=False, sort_keys=True, default=str)}
    return content_id([*messages, extra])
