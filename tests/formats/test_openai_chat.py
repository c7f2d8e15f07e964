"""OpenAI chat rows: structured tool calls become Hermes markup, ids go to meta, tools fold into the system."""

from __future__ import annotations

import json

from hermes_data.formats import Unreadable, read_records
from hermes_data.markup.tool_calling import parse_tool_calls, parse_tool_responses, parse_tools
from hermes_data.record import meta_of

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def _call(call_id, name, args):
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}


TWO_CALLS = {
    "messages": [
        {"role": "user", "content": "Paris and Rome?"},
        {
            "role": "assistant",
            "content": "Checking both.",
            "tool_calls": [
                _call("call_p", "get_weather", {"city": "Paris"}),
                _call("call_r", "get_weather", {"city": "Rome"}),
            ],
        },
        {"role": "tool", "tool_call_id": "call_p", "content": '{"temp": 21}'},
        {"role": "tool", "tool_call_id": "call_r", "content": "sunny"},
        {"role": "assistant", "content": "Paris 21, Rome sunny."},
    ],
    "tools": [WEATHER],
}


def _read(tmp_path, rows):
    path = tmp_path / "chat.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return list(read_records(str(path)))


def test_tool_calls_follow_the_content_as_hermes_markup(tmp_path):
    (record,) = _read(tmp_path, [TWO_CALLS])
    assert [m["role"] for m in record["messages"]] == ["system", "user", "assistant", "tool", "assistant"]
    assistant = record["messages"][2]["content"]
    assert assistant.startswith("Checking both.\n<tool_call>\n")
    assert [(c.name, c.arguments) for c in parse_tool_calls(assistant)] == [
        ("get_weather", {"city": "Paris"}),
        ("get_weather", {"city": "Rome"}),
    ]


def test_consecutive_tool_messages_share_one_tool_turn_named_by_call_id(tmp_path):
    (record,) = _read(tmp_path, [TWO_CALLS])
    responses = parse_tool_responses(record["messages"][3]["content"])
    assert [(r.name, r.content) for r in responses] == [("get_weather", {"temp": 21}), ("get_weather", "sunny")]


def test_call_ids_are_kept_in_meta_per_turn(tmp_path):
    (record,) = _read(tmp_path, [TWO_CALLS])
    # Turn indexes count the system prompt the tools were folded into.
    assert meta_of(record)["tool_call_ids"] == {"2": ["call_p", "call_r"], "3": ["call_p", "call_r"]}


def test_tools_fold_into_the_system_prompt_and_fill_the_column(tmp_path):
    (record,) = _read(tmp_path, [TWO_CALLS])
    assert parse_tools(record["messages"][0]["content"]).tools == [WEATHER]
    assert json.loads(record["tools"]) == [WEATHER]
    with_system = {**TWO_CALLS, "messages": [{"role": "system", "content": "Be brief."}, *TWO_CALLS["messages"]]}
    (record2,) = _read(tmp_path, [with_system])
    assert record2["messages"][0]["content"].startswith("Be brief.\n\n")
    assert len(record2["messages"]) == 5


def test_content_parts_are_joined_and_developer_is_system(tmp_path):
    row = {
        "messages": [
            {"role": "developer", "content": "Be brief."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Hello "},
                    {"type": "image_url"},
                    {"type": "text", "text": "there"},
                ],
            },
            {"role": "assistant", "content": "Hi."},
        ]
    }
    (record,) = _read(tmp_path, [row])
    assert record["messages"][0] == {"role": "system", "content": "Be brief."}
    assert record["messages"][1]["content"] == "Hello there"


def test_tool_message_without_name_or_id_takes_the_next_call_name(tmp_path):
    row = {
        "messages": [
            {"role": "user", "content": "go"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [_call("", "search", {}), _call("", "book", {"id": 1})],
            },
            {"role": "tool", "content": "found"},
            {"role": "tool", "content": "booked"},
        ]
    }
    (record,) = _read(tmp_path, [row])
    assert [r.name for r in parse_tool_responses(record["messages"][2]["content"])] == ["search", "book"]
    assert record["messages"][1]["content"].startswith("<tool_call>")
    assert "tool_call_ids" not in meta_of(record)


def test_arguments_that_are_not_json_make_the_row_unreadable(tmp_path):
    bad = {"messages": [{"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": "{oops"}}]}]}
    items = _read(tmp_path, [bad, TWO_CALLS])
    assert isinstance(items[0], Unreadable) and items[0].line == 1 and "arguments" in items[0].message
    assert not isinstance(items[1], Unreadable)


def test_record_shaped_json_rows_keep_their_own_category_and_source(tmp_path):
    row = {
        "id": "r1",
        "category": "math",
        "source": "gen:evol",
        "model": "m",
        "messages": [{"role": "user", "content": "1+1"}, {"role": "assistant", "content": "2"}],
        "tools": None,
        "documents": None,
        "meta": '{"k": 1}',
    }
    (record,) = _read(tmp_path, [row])
    assert (record["id"], record["category"], record["source"], record["model"]) == ("r1", "math", "gen:evol", "m")
    assert meta_of(record) == {"k": 1}
