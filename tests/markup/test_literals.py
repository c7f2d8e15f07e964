"""JSON first, Python literals (real hermes-function-calling-v1 data) second, never eval."""

from __future__ import annotations

import pytest

from hermes_data.markup.literals import loads_json_or_literal


def test_json_is_not_flagged_as_literal():
    assert loads_json_or_literal('{"a": [1, true, null]}') == ({"a": [1, True, None]}, False)


def test_python_literal_is_parsed_and_flagged():
    value, literal = loads_json_or_literal("\n{'name': 'f', 'arguments': {'ok': True, 'x': None, 't': (1, 2)}}\n")
    assert literal and value == {"name": "f", "arguments": {"ok": True, "x": None, "t": [1, 2]}}


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('echo hi')",  # code, not a literal: must never run
        '\\n{"name": "f"}\\n',  # literal backslash-n around the body (a real malformed call)
        "{1, 2}",  # a set has no JSON form
        "{1: 'a'}",  # nor do non-string keys
        "",
    ],
)
def test_neither_json_nor_literal_raises_value_error(text):
    with pytest.raises(ValueError):
        loads_json_or_literal(text)
