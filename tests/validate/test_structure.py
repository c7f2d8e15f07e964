"""Row shape codes: empty_turn, no_assistant, role_order."""

from __future__ import annotations

import pytest

from hermes_data.record import make_record
from hermes_data.validate import validate_record

CALL = '<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>'
RESULT = '<tool_response>\n{"name": "f", "content": 1}\n</tool_response>'
TOOLS = 'Tools: <tools>[{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]</tools>'


def _codes(*turns: tuple[str, str]) -> list[tuple[str, int | None]]:
    record = make_record([{"role": role, "content": text} for role, text in turns])
    return [(issue.code, issue.turn) for issue in validate_record(record)]


def test_a_plain_and_a_tool_conversation_are_valid():
    assert _codes(("system", "Be kind."), ("user", "Hi"), ("assistant", "Hello!")) == []
    tool_turns = [("system", TOOLS), ("user", "go"), ("assistant", CALL), ("tool", RESULT), ("assistant", "1.")]
    assert _codes(*tool_turns) == []


def test_empty_turn_any_role_but_a_call_only_turn_is_not_empty():
    assert _codes(("user", "Hi"), ("assistant", "Hello"), ("user", "  \n"), ("assistant", "?")) == [("empty_turn", 2)]
    assert _codes(("system", TOOLS), ("user", "go"), ("assistant", CALL), ("tool", RESULT), ("assistant", "")) == [
        ("empty_turn", 4)
    ]
    assert ("empty_turn", 2) not in _codes(("system", TOOLS), ("user", "go"), ("assistant", CALL))


def test_an_empty_leading_system_prompt_is_no_system_prompt():
    assert _codes(("system", ""), ("user", "Hi"), ("assistant", "Hello")) == []
    assert ("empty_turn", 2) in _codes(("system", "Be kind."), ("user", "Hi"), ("system", " "), ("assistant", "x"))


def test_no_assistant_is_row_level():
    assert _codes(("system", "Be kind."), ("user", "Hi")) == [("no_assistant", None)]
    assert _codes() == [("no_assistant", None)]


@pytest.mark.parametrize(
    ("turns", "turn"),
    [
        ([("user", "a"), ("system", "late"), ("assistant", "b")], 1),  # system not first
        ([("assistant", "Hi"), ("user", "a"), ("assistant", "b")], 0),  # starts with the assistant
        ([("system", "s"), ("assistant", "Hi"), ("user", "a"), ("assistant", "b")], 1),
        ([("user", "a"), ("user", "b"), ("assistant", "c")], 1),  # two user turns
        ([("user", "a"), ("assistant", "b"), ("assistant", "c")], 2),  # two assistant turns
        ([("user", "a"), ("tool", RESULT), ("assistant", "c")], 1),  # tool after user
        ([("user", "a"), ("assistant", CALL), ("tool", RESULT), ("tool", RESULT), ("assistant", "c")], 3),
        ([("user", "a"), ("assistant", CALL), ("tool", RESULT), ("user", "b"), ("assistant", "c")], 3),
        ([("user", "a"), ("narrator", "b"), ("assistant", "c")], 1),  # unknown role
        ([("user", "a"), ("assistant", CALL), ("tool", "21 degrees"), ("assistant", "c")], 2),  # no tool_response
    ],
)
def test_role_order(turns, turn):
    assert ("role_order", turn) in _codes(*turns)


def test_role_order_near_misses():
    # a conversation may end on a user turn or a tool turn; a tool turn follows the assistant turn that called
    assert _codes(("user", "a"), ("assistant", "b"), ("user", "c")) == []
    codes = _codes(("system", TOOLS), ("user", "a"), ("assistant", "ok\n" + CALL), ("tool", RESULT))
    assert codes == []
