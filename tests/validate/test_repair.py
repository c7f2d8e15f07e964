"""repair_record on the shapes of NousResearch/hermes-function-calling-v1 rows (abbreviated inline copies)."""

from __future__ import annotations

import json

import pytest

from hermes_data.record import make_record
from hermes_data.validate import repair_record, validate_record

# Row shape 0: Python-literal tools list and call (`True`), with the prompt's own Python-literal call instruction.
FLIGHT_SYSTEM = (
    "You are a function calling AI model. You are provided with function signatures within <tools> </tools> XML "
    "tags. Don't make assumptions about what values to plug into functions.\n<tools>\n[{'type': 'function', "
    "'function': {'name': 'search_flights', 'description': 'Searches for flights.', 'parameters': {'type': 'object', "
    "'properties': {'departure_city': {'type': 'string'}, 'class': {'type': 'string', 'enum': ['economy', "
    "'business']}, 'flexible_cancellation': {'type': 'boolean'}}, 'required': ['departure_city', 'class']}}}]\n"
    "</tools>\nFor each function call return a json object with function name and arguments within <tool_call> "
    "</tool_call> tags with the following schema:\n<tool_call>\n{'arguments': <args-dict>, 'name': "
    "<function-name>}\n</tool_call>\n"
)
FLIGHT_CALL = (
    "<tool_call>\n{'arguments': {'departure_city': 'Los Angeles', 'class': 'economy', 'flexible_cancellation': True},"
    " 'name': 'search_flights'}\n</tool_call>\n"
)
FLIGHT_RESULT = '<tool_response>\n{"name": "search_flights", "content": {"flights": []}}\n</tool_response>'
# Row shape 1: literal backslash-n around the body, a single-quoted list inside JSON, `name` inside `arguments`.
EXTRACT_SYSTEM = (
    "You are an expert structured information extraction AI model. ... within XML tags <tools></tools>.\n<tools>\n"
    '[{"type": "function", "function": {"name": "ExpertQAExtractor", "description": "Extracts questions.", '
    '"parameters": {"type": "object", "properties": {"application_questions": {"type": "array", "items": {"type": '
    '"string"}}}, "required": ["application_questions"]}}}]\n</tools>\n'
)
EXTRACT_CALL = (
    '<tool_call>\\n{"arguments": {"queries": [\'How can graph traversal be applied?\'], '
    '"name": "ExpertQAExtractor"}}\\n</tool_call>'
)
# Row shape 2: a Python-literal JSON-mode schema with a trailing newline after </schema>.
MOVIE_SYSTEM = (
    "You are a helpful assistant that answers in JSON. Here's the json schema you must adhere to:\n<schema>\n"
    "{'title': 'MovieDatabaseEntry', 'type': 'object', 'properties': {'movieId': {'title': 'Movie ID', 'type': "
    "'string'}, 'cast': {'title': 'Cast', 'type': 'array', 'items': {'type': 'string'}}}, 'required': ['movieId', "
    "'cast']}\n</schema>\n"
)
MOVIE_ANSWER = '{"movieId": "INTSTL_2014", "cast": ["Matthew McConaughey as Cooper"]}'


def _record(*turns):
    return make_record([{"role": r, "content": t} for r, t in turns])


def _codes(record):
    return [(i.code, i.turn) for i in validate_record(record)]


def test_literal_tools_and_call_are_rewritten_as_json_and_then_valid():
    record = _record(
        ("system", FLIGHT_SYSTEM), ("user", "LA flights?"), ("assistant", FLIGHT_CALL), ("tool", FLIGHT_RESULT),
        ("assistant", "Here are the options."),
    )  # fmt: skip
    assert _codes(record) == [("python_literal", 0), ("python_literal", 2)]
    repaired, applied = repair_record(record)
    assert applied == ["python_literal"] and _codes(repaired) == []
    system = repaired["messages"][0]["content"]
    # the text around the literal is kept byte for byte, the instruction's placeholder call included
    head, tail = FLIGHT_SYSTEM.split("[{'type'")[0], FLIGHT_SYSTEM.split("}}}]")[1]
    assert system.startswith(head + '[{"type": "function"') and system.endswith("}}}]" + tail)
    call = repaired["messages"][2]["content"]
    assert call == (
        '<tool_call>\n{"arguments": {"departure_city": "Los Angeles", "class": "economy", "flexible_cancellation": '
        'true}, "name": "search_flights"}\n</tool_call>\n'
    )
    assert json.loads(repaired["tools"])[0]["function"]["name"] == "search_flights"
    # a new record: the input is untouched
    assert record["messages"][2]["content"] == FLIGHT_CALL and record["tools"] is None


def test_literal_json_mode_schema_is_rewritten():
    record = _record(("system", MOVIE_SYSTEM), ("user", "Interstellar"), ("assistant", MOVIE_ANSWER))
    assert _codes(record) == [("python_literal", 0)]
    repaired, applied = repair_record(record)
    assert applied == ["python_literal"] and _codes(repaired) == []
    assert repaired["messages"][0]["content"].endswith("'cast']}\n</schema>\n".replace("'", '"'))


def test_malformed_call_stays_malformed():
    record = _record(("system", EXTRACT_SYSTEM), ("user", "Extract."), ("assistant", EXTRACT_CALL))
    assert _codes(record) == [("tool_call_json", 2)]
    repaired, applied = repair_record(record)
    assert applied == [] and repaired == record and _codes(repaired) == [("tool_call_json", 2)]


def test_no_repairs_requested_and_unknown_repair():
    record = _record(("system", MOVIE_SYSTEM), ("user", "x"), ("assistant", MOVIE_ANSWER))
    assert repair_record(record, repairs=()) == (record, [])
    with pytest.raises(ValueError, match="python_literal"):
        repair_record(record, repairs=("everything",))
