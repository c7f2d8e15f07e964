"""Function-calling codes: tools_invalid, python_literal, tool_call_json, tool_call_unknown, tool_call_args,
tool_response_orphan, and tag balance of the tool elements."""

from __future__ import annotations

import json

from hermes_data.markup.tool_calling import render_tool_call, render_tool_response, render_tools_system_prompt
from hermes_data.record import make_record
from hermes_data.validate import validate_record

BOOK = {
    "name": "book_table",
    "parameters": {
        "type": "object",
        "properties": {
            "party": {"type": "integer", "minimum": 1},
            "seating": {"type": "string", "enum": ["indoor", "outdoor"]},
            "guest": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}},
                "required": ["name"],
                "additionalProperties": False,
            },
        },
        "required": ["party", "guest"],
    },
}
SYSTEM = render_tools_system_prompt([{"type": "function", "function": BOOK}])
GOOD_ARGS = {"party": 2, "seating": "outdoor", "guest": {"name": "Ana", "tags": ["vip"]}}


def _issues(*turns: tuple[str, str], **columns):
    return validate_record(make_record([{"role": r, "content": t} for r, t in turns], **columns))


def _codes(*turns, **columns) -> list[tuple[str, int | None]]:
    return [(i.code, i.turn) for i in _issues(*turns, **columns)]


def _call(args: dict, name: str = "book_table") -> list[tuple[str, int | None]]:
    return _codes(("system", SYSTEM), ("user", "book"), ("assistant", render_tool_call(name, args)))


def test_call_with_nested_arguments_that_satisfy_the_schema_is_valid():
    assert _call(GOOD_ARGS) == []


def test_tool_call_args_types_required_enum_nested_and_additional_properties():
    bad = [
        GOOD_ARGS | {"party": "two"},
        GOOD_ARGS | {"party": 0},
        {"party": 2},
        GOOD_ARGS | {"seating": "roof"},
        GOOD_ARGS | {"guest": {"tags": ["vip"]}},
        GOOD_ARGS | {"guest": {"name": "Ana", "tags": [1]}},
        GOOD_ARGS | {"guest": {"name": "Ana", "age": 30}},
    ]
    for args in bad:
        assert _call(args) == [("tool_call_args", 2)], args
    # additionalProperties is not assumed where the schema does not set it
    assert _call(GOOD_ARGS | {"note": "window"}) == []


def test_tool_call_args_message_names_the_path():
    (issue,) = _issues(("system", SYSTEM), ("user", "b"), ("assistant", render_tool_call("book_table", {"party": 2})))
    assert "'guest' is a required property" in issue.message and "book_table" in issue.message
    (issue,) = _issues(
        ("system", SYSTEM), ("user", "b"), ("assistant", render_tool_call("book_table", GOOD_ARGS | {"party": "x"}))
    )
    assert issue.message.startswith("call 1 to 'book_table': arguments/party:")


def test_tool_call_unknown_also_without_any_tools():
    assert _call({}, name="cancel_table") == [("tool_call_unknown", 2)]
    assert _codes(("user", "go"), ("assistant", render_tool_call("f", {}))) == [("tool_call_unknown", 1)]


def test_tool_call_json():
    text = '<tool_call>\n{"name": "book_table", "party": 2}\n</tool_call>'
    assert _codes(("system", SYSTEM), ("user", "b"), ("assistant", text)) == [("tool_call_json", 2)]


def test_instruction_in_the_system_prompt_is_not_a_call():
    # the hermes-function-calling-v1 prompt shows a Python-literal placeholder call; it is an instruction
    system = SYSTEM + "\n<tool_call>\n{'arguments': <args-dict>, 'name': <function-name>}\n</tool_call>\n<tool_call>"
    assert _codes(("system", system), ("user", "b"), ("assistant", render_tool_call("book_table", GOOD_ARGS))) == []


def test_tools_invalid():
    bad_type = {"name": "f", "parameters": {"type": "object", "properties": {"tz": {"type": "strng"}}}}
    cases = [
        render_tools_system_prompt([{"type": "function", "function": bad_type}]),
        "<tools>\n[{'name': 'f', 'parameters': \n</tools>",
        '<tools>[{"description": "a tool without a name"}]</tools>',
        '<tools>[{"name": "f", "parameters": "object"}]</tools>',
    ]
    for system in cases:
        assert ("tools_invalid", 0) in _codes(("system", system), ("user", "hi"), ("assistant", "hello")), system


def test_tools_column_stands_in_when_the_text_has_no_tools_block():
    tools = json.dumps([{"type": "function", "function": BOOK}])
    turns = [("user", "b"), ("assistant", render_tool_call("book_table", {"party": 2}))]
    assert _codes(*turns, tools=tools) == [("tool_call_args", 1)]
    assert _codes(*turns, tools="[{") == [("tools_invalid", None)]


def test_python_literal_tools_and_call():
    system = f"<tools>\n{[{'type': 'function', 'function': BOOK}]!r}\n</tools>"
    call = f"<tool_call>\n{ {'arguments': GOOD_ARGS, 'name': 'book_table'}!r}\n</tool_call>"
    assert _codes(("system", system), ("user", "b"), ("assistant", call)) == [
        ("python_literal", 0),
        ("python_literal", 2),
    ]


def test_a_broken_literal_is_not_python_literal_but_tool_call_json():
    call = "<tool_call>\n{'arguments': {'party': 2, 'name': 'book_table'}\n</tool_call>"
    assert _codes(("system", SYSTEM), ("user", "b"), ("assistant", call)) == [("tool_call_json", 2)]


def test_tool_response_orphan():
    call = render_tool_call("book_table", GOOD_ARGS)
    one = render_tool_response("book_table", {"ok": True})
    base = [("system", SYSTEM), ("user", "b")]
    assert _codes(*base, ("assistant", call), ("tool", one + "\n" + one), ("assistant", "Booked.")) == [
        ("tool_response_orphan", 3)
    ]
    assert _codes(*base, ("assistant", "Sure."), ("tool", one), ("assistant", "Booked.")) == [
        ("tool_response_orphan", 3)
    ]
    # two calls, two responses in one tool turn; fewer responses than calls is not an orphan
    assert _codes(*base, ("assistant", call + "\n" + call), ("tool", one + "\n" + one), ("assistant", "Ok.")) == []
    assert _codes(*base, ("assistant", call + "\n" + call), ("tool", one), ("assistant", "Ok.")) == []


def test_tag_unbalanced_tool_elements_and_reasoning_tags():
    base = [("system", SYSTEM), ("user", "b")]
    unclosed = '<tool_call>\n{"name": "book_table", "arguments": {"party": 2}}'
    assert ("tag_unbalanced", 2) in _codes(*base, ("assistant", unclosed))
    stray = render_tool_response("book_table", 1) + "\n</tool_response>"
    assert ("tag_unbalanced", 3) in _codes(
        *base, ("assistant", render_tool_call("book_table", GOOD_ARGS)), ("tool", stray)
    )
    crossed = "<SCRATCHPAD>\n<PLAN>\nx\n</SCRATCHPAD>\n</PLAN>\nDone."
    assert _codes(("user", "q"), ("assistant", crossed)) == [("tag_unbalanced", 1)]


def test_tags_in_code_and_in_the_system_prompt_are_not_markup():
    code = "In Java:\n```java\nList<T> xs; // <PLAN>\n```\nand `<tool_call>` tags."
    assert _codes(("system", "Use <PLAN> and </SCRATCHPAD> tags."), ("user", "q"), ("assistant", code)) == []


def test_more_violations_are_counted_on_the_last_message():
    from hermes_data.validate.schemas import MAX_ERRORS, compile_schema

    schema = compile_schema({"type": "object", "properties": {f"p{i}": {"type": "integer"} for i in range(9)}})
    shown = schema.violations({f"p{i}": "x" for i in range(9)})
    assert len(shown) == MAX_ERRORS
    assert shown[-1].endswith(f"(and {9 - MAX_ERRORS} more)") and shown[-1].startswith("/p")
