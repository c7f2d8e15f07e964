"""The record's `tools` and `documents` columns, parsed from the message text (DESIGN §2: the text is the truth)."""

from __future__ import annotations

from hermes_data.markup.literals import dumps
from hermes_data.markup.rag import parse_context_documents
from hermes_data.markup.tool_calling import parse_tools


def columns_from_messages(messages: list[dict]) -> tuple[str | None, list[dict] | None]:
    """`(tools, documents)`: the first system prompt's tools as a JSON array string (normalized OpenAI form, also
    when written as a Python literal), and the documents of every user turn's `Document:N` blocks (first wins per
    id). Each is None when the conversation has none."""
    tools = None
    system = next((m for m in messages if m.get("role") == "system"), None)
    if system is not None:
        parsed = parse_tools(system.get("content") or "")
        if parsed is not None and parsed.tools:
            tools = dumps(parsed.tools)
    return tools, _documents(messages)


def _documents(messages: list[dict]) -> list[dict] | None:
    found: dict[str, dict] = {}
    for message in messages:
        if message.get("role") != "user" or "Document:" not in (message.get("content") or ""):
            continue
        for doc in parse_context_documents(message["content"]) or []:
            found.setdefault(doc["id"], doc)
    return list(found.values()) or None
