"""What the system prompt and columns tell the turn checks: the tools, the JSON-mode schema, the document ids."""

from __future__ import annotations

import json
from typing import NamedTuple

from hermes_data.markup.json_mode import parse_json_mode_schema
from hermes_data.markup.rag import parse_context_documents
from hermes_data.markup.tool_calling import normalize_tools, parse_tools
from hermes_data.validate.issue import Issue
from hermes_data.validate.schemas import CompiledSchema, compile_schema


class Context(NamedTuple):
    # Tool name → compiled `parameters` (None: no parameters, any arguments do); None when the tool list is unusable,
    # so calls cannot be checked against it. A conversation without tools has {}: every call is unknown.
    tools: dict[str, CompiledSchema | None] | None
    json_mode: bool
    schema: CompiledSchema | None  # the JSON-mode schema when it is valid
    doc_ids: set[str] | None  # None when the conversation has no documents


def build_context(record: dict, messages: list[dict]) -> tuple[Context, list[Issue]]:
    """The context of the conversation, and the issues of its system prompt (tools, schema)."""
    system_index = next((i for i, m in enumerate(messages) if m.get("role") == "system"), None)
    system = (messages[system_index].get("content") or "") if system_index is not None else ""
    tools, issues = _tools(record, system, system_index)
    json_mode, schema, schema_issues = _json_mode(system, system_index)
    return Context(tools, json_mode, schema, _doc_ids(record, messages)), issues + schema_issues


def _tools(record: dict, system: str, turn: int | None) -> tuple[dict | None, list[Issue]]:
    parsed = parse_tools(system) if "</tools>" in system else None
    if parsed is not None:
        issues = [Issue(p.code, turn, p.message) for p in parsed.problems]
        if parsed.python_literal:
            issues.append(Issue("python_literal", turn, "<tools> is a Python literal, not JSON"))
        return _compile_tools(parsed.tools, turn, issues)
    if not record.get("tools"):
        return {}, []
    # A record built without Hermes text (the column only): the column stands in for the system prompt.
    try:
        tools, problems = normalize_tools(json.loads(record["tools"]))
    except (TypeError, ValueError) as exc:
        return None, [Issue("tools_invalid", None, f"`tools` column is not JSON: {exc}")]
    return _compile_tools(tools, None, [Issue(p.code, None, p.message) for p in problems])


def _compile_tools(tools: list[dict] | None, turn: int | None, issues: list[Issue]) -> tuple[dict | None, list]:
    if tools is None:
        return None, issues
    compiled: dict[str, CompiledSchema | None] = {}
    for tool in tools:
        function = tool["function"]
        params = function.get("parameters")
        schema = compile_schema(params) if isinstance(params, dict) else None
        if schema is not None and schema.error:
            issues.append(Issue("tools_invalid", turn, f"tool {function['name']!r}: parameters: {schema.error}"))
            schema = None
        compiled.setdefault(function["name"], schema)
    return compiled, issues


def _json_mode(system: str, turn: int | None) -> tuple[bool, CompiledSchema | None, list[Issue]]:
    parsed = parse_json_mode_schema(system) if "</schema>" in system else None
    if parsed is None:
        return False, None, []
    issues = [Issue(p.code, turn, p.message) for p in parsed.problems]
    if parsed.python_literal:
        issues.append(Issue("python_literal", turn, "<schema> is a Python literal, not JSON"))
    if parsed.schema is None:
        return True, None, issues
    schema = compile_schema(parsed.schema)
    if schema.error:
        issues.append(Issue("tools_invalid", turn, f"<schema> is not valid JSON Schema: {schema.error}"))
        return True, None, issues
    return True, schema, issues


def _doc_ids(record: dict, messages: list[dict]) -> set[str] | None:
    documents = record.get("documents")
    if documents is not None:
        return {str(doc.get("id")) for doc in documents}
    ids: set[str] = set()
    for message in messages:
        text = message.get("content") or ""
        if message.get("role") == "user" and "Document:" in text:
            ids.update(doc["id"] for doc in parse_context_documents(text) or [])
    return ids or None
