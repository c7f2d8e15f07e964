"""JSON mode (DESIGN §4): a `<schema>` in the system prompt, and assistant answers that are JSON for it.

The system prompt of NousResearch/hermes-function-calling-v1's json-mode rows (the schema is often a Python
literal there):

    You are a helpful assistant that answers in JSON. Here's the json schema you must adhere to:
    <schema>
    {schema}
    </schema>

A system prompt is in JSON mode when it holds a non-empty `<schema>` block and no `<tools>` block (a
function-calling prompt may quote schemas of its own).
"""

from __future__ import annotations

import json
from typing import NamedTuple

from hermes_data.errors import with_article
from hermes_data.markup.literals import dumps, loads_json_or_literal
from hermes_data.markup.problems import Problem
from hermes_data.markup.tool_calling import element_bodies, parse_tools

JSON_MODE_PREAMBLE = "You are a helpful assistant that answers in JSON. Here's the json schema you must adhere to:"


class ParsedSchema(NamedTuple):
    schema: dict | None  # None when the block does not parse to an object
    raw: str  # the text between <schema> and </schema>
    python_literal: bool
    problems: list[Problem]  # code tools_invalid
    span: tuple[int, int] = (0, 0)  # offsets of `raw` in the system text


def render_json_mode_system_prompt(schema: dict, preamble: str | None = None) -> str:
    """The JSON-mode system prompt with `schema` as JSON."""
    head = JSON_MODE_PREAMBLE if preamble is None else preamble
    return f"{head}\n<schema>\n{dumps(schema)}\n</schema>"


def parse_json_mode_schema(system_text: str) -> ParsedSchema | None:
    """The schema of a JSON-mode system prompt; None when the prompt is not in JSON mode."""
    if "</schema>" not in system_text or parse_tools(system_text) is not None:
        return None
    bodies = [(s, e) for s, e in element_bodies(system_text, "schema") if system_text[s:e].strip()]
    if not bodies:
        return None
    start, end = bodies[0]
    raw = system_text[start:end]
    try:
        value, literal = loads_json_or_literal(raw)
    except ValueError as exc:
        return ParsedSchema(
            None, raw, False, [Problem("tools_invalid", f"<schema> does not parse: {exc}")], (start, end)
        )
    if not isinstance(value, dict):
        problem = Problem(
            "tools_invalid", f"<schema> holds {with_article(type(value).__name__)}, not a JSON Schema object"
        )
        return ParsedSchema(None, raw, literal, [problem], (start, end))
    return ParsedSchema(value, raw, literal, [], (start, end))


def parse_json_answer(text: str) -> tuple[object, str | None]:
    """A JSON-mode answer's value and None, or None and why it is not JSON. Surrounding whitespace is fine; a
    Markdown fence or a Python literal is not JSON mode."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        hint = " (wrapped in a Markdown code fence)" if text.lstrip().startswith("```") else ""
        return None, f"answer is not JSON{hint}: {exc}"
    except RecursionError:
        return None, "answer is nested too deeply to parse"
