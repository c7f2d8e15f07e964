"""JSON-mode system prompts: render, parse (JSON or Python literal), and what counts as a JSON answer."""

from __future__ import annotations

from hermes_data.markup.json_mode import parse_json_answer, parse_json_mode_schema, render_json_mode_system_prompt

SCHEMA = {"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]}


def test_render_then_parse_round_trips():
    text = render_json_mode_system_prompt(SCHEMA)
    assert text.startswith("You are a helpful assistant that answers in JSON. Here's the json schema you must")
    assert "\n<schema>\n{" in text and text.endswith("}\n</schema>")
    parsed = parse_json_mode_schema(text)
    assert parsed.schema == SCHEMA and not parsed.python_literal and parsed.problems == []
    assert text[parsed.span[0] : parsed.span[1]] == parsed.raw


def test_python_literal_schema_as_in_hermes_function_calling_v1():
    text = (
        "You are a helpful assistant that answers in JSON. Here's the json schema you must adhere to:\n<schema>\n"
        "{'title': 'Movie', 'type': 'object', 'properties': {'cast': {'type': 'array', 'items': {'type': 'string'}}}}"
        "\n</schema>\n"
    )
    parsed = parse_json_mode_schema(text)
    assert parsed.python_literal and parsed.schema["properties"]["cast"]["type"] == "array"


def test_no_schema_block_or_a_tools_prompt_is_not_json_mode():
    assert parse_json_mode_schema("You are a helpful assistant.") is None
    assert parse_json_mode_schema("Answer as <schema></schema> says.") is None  # empty block: prose
    tools = '<tools>\n[{"type": "function", "function": {"name": "f"}}]\n</tools>\n<schema>{"type": "object"}</schema>'
    assert parse_json_mode_schema(tools) is None


def test_unparseable_schema_is_tools_invalid():
    parsed = parse_json_mode_schema("<schema>\n{type: object\n</schema>")
    assert parsed.schema is None and [p.code for p in parsed.problems] == ["tools_invalid"]


def test_answer_in_whitespace_is_json_but_a_fence_is_not():
    assert parse_json_answer('\n  {"a": 1}\n\n') == ({"a": 1}, None)
    value, error = parse_json_answer('```json\n{"a": 1}\n```')
    assert value is None and "code fence" in error
