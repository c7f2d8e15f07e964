"""ShareGPT rows: Hermes roles, plain roles, the glaive convention, tools and documents folding, meta."""

from __future__ import annotations

import json

from hermes_data.formats import Unreadable, read_records
from hermes_data.markup.tool_calling import parse_tool_calls, parse_tool_responses, parse_tools
from hermes_data.record import meta_of

WEATHER = {
    "name": "get_weather",
    "description": "Weather for a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}

# The shape of NousResearch/hermes-function-calling-v1 rows: Python-literal tools and calls, and the row's own
# category/subcategory/task columns.
HERMES_ROW = {
    "id": "753d8365",
    "conversations": [
        {
            "from": "system",
            "value": "You are a function calling AI model. You are provided with function signatures within "
            "<tools> </tools> XML tags.\n<tools>\n[{'type': 'function', 'function': {'name': 'get_weather', "
            "'description': 'Weather for a city.', 'parameters': {'type': 'object', 'properties': {'city': "
            "{'type': 'string'}}, 'required': ['city']}}}]\n</tools>\nFor each function call return a json object",
        },
        {"from": "human", "value": "Weather in Paris?"},
        {
            "from": "gpt",
            "value": "<tool_call>\n{'arguments': {'city': 'Paris'}, 'name': 'get_weather'}\n</tool_call>\n",
        },
        {
            "from": "tool",
            "value": '<tool_response>\n{"name": "get_weather", "content": {"temp": 21}}\n</tool_response>',
        },
        {"from": "gpt", "value": "It is 21 degrees in Paris."},
    ],
    "category": "Weather",
    "subcategory": "Forecast",
    "task": "Weather lookup",
}


def _read(tmp_path, rows):
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return list(read_records(str(path)))


def test_hermes_row_keeps_text_id_and_files_its_category_under_meta(tmp_path):
    (record,) = _read(tmp_path, [HERMES_ROW])
    assert record["id"] == "753d8365" and record["category"] is None
    assert [m["role"] for m in record["messages"]] == ["system", "user", "assistant", "tool", "assistant"]
    assert [m["content"] for m in record["messages"]] == [t["value"] for t in HERMES_ROW["conversations"]]
    assert meta_of(record) == {"source_category": "Weather", "subcategory": "Forecast", "task": "Weather lookup"}
    assert json.loads(record["tools"])[0]["function"]["name"] == "get_weather"


def test_plain_roles_and_role_content_keys(tmp_path):
    rows = [{"conversations": [{"role": "user", "content": "Hi"}, {"from": "assistant", "value": "Hello"}]}]
    (record,) = _read(tmp_path, rows)
    assert record["messages"] == [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    assert record["source"].startswith("file:") and record["tools"] is None and record["documents"] is None


def test_glaive_calls_and_observations_become_hermes_markup(tmp_path):
    row = {
        "conversations": [
            {"from": "human", "value": "Weather in Paris and Rome?"},
            {"from": "gpt", "value": "Let me check."},
            {"from": "function_call", "value": json.dumps({"name": "get_weather", "arguments": '{"city": "Paris"}'})},
            {"from": "function_call", "value": {"name": "get_weather", "arguments": {"city": "Rome"}}},
            {"from": "observation", "value": '{"temp": 21}'},
            {"from": "observation", "value": "sunny, 25"},
            {"from": "gpt", "value": "Paris 21, Rome 25."},
        ],
        "tools": json.dumps([WEATHER]),
    }
    (record,) = _read(tmp_path, [row])
    roles = [m["role"] for m in record["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "assistant"]
    assistant = record["messages"][2]["content"]
    assert assistant.startswith("Let me check.\n<tool_call>")
    calls = parse_tool_calls(assistant)
    assert [(c.name, c.arguments) for c in calls] == [
        ("get_weather", {"city": "Paris"}),
        ("get_weather", {"city": "Rome"}),
    ]
    responses = parse_tool_responses(record["messages"][3]["content"])
    assert [(r.name, r.content) for r in responses] == [("get_weather", {"temp": 21}), ("get_weather", "sunny, 25")]
    assert parse_tools(record["messages"][0]["content"]).tools[0]["function"]["name"] == "get_weather"
    assert json.loads(record["tools"]) == [{"type": "function", "function": WEATHER}]


def test_observation_takes_the_name_of_its_own_call(tmp_path):
    search = {"name": "search", "arguments": {"q": "x"}}
    book = {"name": "book", "arguments": {"id": 1}}
    row = {
        "conversations": [
            {"from": "human", "value": "go"},
            {"from": "function_call", "value": json.dumps([search, book])},
            {"from": "observation", "value": "found"},
            {"from": "observation", "value": "booked"},
        ]
    }
    (record,) = _read(tmp_path, [row])
    names = [r.name for r in parse_tool_responses(record["messages"][2]["content"])]
    assert names == ["search", "book"]


def test_tools_column_is_appended_to_an_existing_system_prompt_once(tmp_path):
    row = {
        "conversations": [{"from": "system", "value": "Be brief."}, {"from": "human", "value": "hi"}],
        "tools": [WEATHER],
    }
    (record,) = _read(tmp_path, [row])
    system = record["messages"][0]["content"]
    assert system.startswith("Be brief.\n\n") and system.count("get_weather") == 1
    # A system prompt that already holds a tools block is not given a second one.
    again = {
        "conversations": [{"from": "system", "value": system}, {"from": "human", "value": "hi"}],
        "tools": [WEATHER],
    }
    (record2,) = _read(tmp_path, [again])
    assert record2["messages"][0]["content"] == system


def test_documents_field_is_folded_into_the_first_user_turn(tmp_path):
    row = {
        "conversations": [{"from": "human", "value": "Who founded it?"}, {"from": "gpt", "value": "<co:a1>Ann</co>"}],
        "documents": [{"id": "a1", "title": "History", "text": "Ann founded it."}],
    }
    (record,) = _read(tmp_path, [row])
    assert record["messages"][0]["content"].startswith("Who founded it?\n\nCONTEXT:\nDocument:a1\nTitle: History")
    assert record["documents"] == [{"id": "a1", "title": "History", "text": "Ann founded it."}]


def test_bad_rows_are_unreadable_with_line_and_reason(tmp_path):
    rows = [
        {"conversations": [{"from": "narrator", "value": "x"}]},
        {"conversation": []},
        {"conversations": [{"from": "function_call", "value": "not json"}]},
        HERMES_ROW,
    ]
    items = _read(tmp_path, rows)
    assert [type(i) is Unreadable for i in items] == [True, True, True, False]
    assert items[0].line == 1 and "narrator" in items[0].message
    assert items[1].line == 2 and "conversations" in items[1].message
    assert items[2].line == 3 and "function_call" in items[2].message


def test_invalid_utf8_row_is_kept_and_flagged(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b'{"conversations": [{"from": "human", "value": "caf\xe9"}, {"from": "gpt", "value": "ok"}]}\n')
    (record,) = list(read_records(str(path)))
    assert record["messages"][0]["content"] == "caf\ufffd" and meta_of(record) == {"utf8_replaced": True}


def test_single_object_file_and_json_list_file(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"conversations": [{"from": "human", "value": "a"}]}, indent=2), encoding="utf-8")
    many = tmp_path / "many.json"
    many.write_text(json.dumps([{**HERMES_ROW, "id": f"identity_{i}"} for i in range(3)], indent=2), encoding="utf-8")
    assert len(list(read_records(str(one)))) == 1
    assert [r["id"] for r in read_records(str(many))] == ["identity_0", "identity_1", "identity_2"]


def test_caller_source_wins_and_missing_file_is_one_data_error(tmp_path):
    import pytest

    from hermes_data.errors import DataError

    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(HERMES_ROW) + "\n", encoding="utf-8")
    (record,) = list(read_records(str(path), "sharegpt", source="hub:org/name@abc"))
    assert record["source"] == "hub:org/name@abc"
    with pytest.raises(DataError, match="no such file"):
        read_records(str(tmp_path / "missing.jsonl"), "sharegpt")


def test_folder_of_json_files_with_an_explicit_format(tmp_path):
    for name in ("b.jsonl", "a.json"):
        row = {**HERMES_ROW, "id": name}
        (tmp_path / name).write_text(json.dumps(row) + "\n", encoding="utf-8")
    records = list(read_records(str(tmp_path), "sharegpt"))
    assert [r["id"] for r in records] == ["a.json", "b.jsonl"]
    assert records[0]["source"] == f"file:{tmp_path / 'a.json'}"


def test_a_tool_without_a_name_makes_the_row_unreadable_rather_than_vanish(tmp_path):
    row = {"conversations": [{"from": "human", "value": "hi"}], "tools": json.dumps([WEATHER, {"description": "x"}])}
    (item,) = _read(tmp_path, [row])
    assert isinstance(item, Unreadable) and "tools" in item.message
