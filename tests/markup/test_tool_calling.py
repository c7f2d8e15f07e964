"""Hermes function-calling markup: tool lists in their real shapes, calls, responses, balance."""

from __future__ import annotations

import json

from hermes_data.markup.tool_calling import (
    TOOLS_PREAMBLE,
    check_tool_tags,
    parse_tool_calls,
    parse_tool_responses,
    parse_tools,
    render_tool_call,
    render_tool_response,
    render_tools_system_prompt,
    text_outside_tool_calls,
)

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
BARE = WEATHER["function"]


def test_rendered_prompt_parses_back_to_the_same_tools():
    text = render_tools_system_prompt([WEATHER])
    assert text.startswith(TOOLS_PREAMBLE + "\n<tools>\n[{")
    assert '<tool_call>\n{"name": <function-name>, "arguments": <args-dict>}\n</tool_call>' in text
    parsed = parse_tools(text)
    assert parsed.tools == [WEATHER] and not parsed.python_literal and parsed.problems == []


def test_prose_with_empty_tools_tags_before_the_block_is_skipped():
    # hermes-function-calling-v1: "within <tools> </tools> XML tags" then the real block on its own lines.
    text = f"Signatures within <tools> </tools> XML tags.\n<tools>\n{json.dumps([WEATHER])}\n</tools>\nCall them."
    assert parse_tools(text).tools == [WEATHER]
    # "within <tools> XML tags" opens a tag that the block's closing tag must not pair with.
    text = f"Signatures within <tools> XML tags. Here: <tools> {json.dumps([WEATHER])} </tools>"
    assert parse_tools(text).raw.strip() == json.dumps([WEATHER])


def test_python_literal_list_bare_objects_and_one_object_per_line():
    literal = parse_tools(f"<tools>\n{[WEATHER]!r}\n</tools>")
    assert literal.python_literal and literal.tools == [WEATHER]
    bare = parse_tools(f"<tools>{json.dumps([BARE])}</tools>")
    assert bare.tools == [WEATHER] and not bare.python_literal
    per_line = parse_tools(
        f"<tools> {json.dumps(WEATHER)}\n{json.dumps(WEATHER | {'function': BARE | {'name': 'x'}})} </tools>"
    )
    assert [t["function"]["name"] for t in per_line.tools] == ["get_weather", "x"]


def test_no_block_is_none_and_broken_blocks_are_tools_invalid():
    assert parse_tools("You may call <tools></tools> functions.") is None
    broken = parse_tools("<tools>[{'name': 'f',</tools>")
    assert broken.tools is None and [p.code for p in broken.problems] == ["tools_invalid"]
    nameless = parse_tools('<tools>[{"description": "no name"}, {"name": "g"}, {"name": "g"}]</tools>')
    assert [t["function"]["name"] for t in nameless.tools] == ["g", "g"]
    assert [p.message for p in nameless.problems][0].startswith("tool 0 has no name")
    assert "defined twice" in nameless.problems[1].message


def test_calls_in_either_key_order_several_per_turn():
    text = (
        "Let me check.\n"
        + render_tool_call("get_weather", {"city": "Paris"})
        + '\n<tool_call>\n{"arguments": {"city": "Rome"}, "name": "get_weather"}\n</tool_call>'
    )
    calls = parse_tool_calls(text)
    assert [(c.name, c.arguments, c.problem) for c in calls] == [
        ("get_weather", {"city": "Paris"}, None),
        ("get_weather", {"city": "Rome"}, None),
    ]
    assert text_outside_tool_calls(text).strip() == "Let me check."


def test_literal_call_is_parsed_and_flagged():
    (call,) = parse_tool_calls("<tool_call>\n{'arguments': {'flexible': True}, 'name': 'search'}\n</tool_call>")
    assert call.python_literal and call.problem is None and call.arguments == {"flexible": True}


def test_malformed_calls_carry_tool_call_json():
    bodies = [
        '\\n{"arguments": {"q": [\'a\']}, "name": "f"}\\n',  # literal backslash-n (hermes-function-calling-v1)
        '{"name": "f", "city": "Madrid"}',  # no arguments
        '{"arguments": {"name": "f"}}',  # name nested in arguments
        '{"name": "f", "arguments": "{\\"q\\": 1}"}',  # arguments as a string
        "[1, 2]",
        "  ",
    ]
    for body in bodies:
        (call,) = parse_tool_calls(f"<tool_call>{body}</tool_call>")
        assert call.problem is not None and call.problem.code == "tool_call_json", body


def test_calls_inside_code_are_examples():
    text = 'Write calls like this:\n```\n<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>\n```\n'
    assert parse_tool_calls(text) == [] and check_tool_tags(text) == []


def test_responses_share_one_turn_and_may_be_plain_text():
    text = render_tool_response("a", {"temp": 21}) + "\n" + render_tool_response("b", "sunny")
    text += "\n<tool_response>\nraw output of a tool\n</tool_response>"
    assert [(r.name, r.content) for r in parse_tool_responses(text)] == [
        ("a", {"temp": 21}),
        ("b", "sunny"),
        (None, "raw output of a tool"),
    ]


def test_tag_balance():
    assert check_tool_tags(render_tool_call("f", {}) + render_tool_response("f", 1)) == []
    problems = check_tool_tags('<tool_call>\n{"name": "f", "arguments": {}}\n')
    assert [p.code for p in problems] == ["tag_unbalanced"] and "never closed" in problems[0].message
    assert "without opening" in check_tool_tags("done</tool_response>")[0].message
    twice = check_tool_tags("<tool_call>{}<tool_call>{}</tool_call>")
    assert len(twice) == 1 and "not closed before" in twice[0].message
