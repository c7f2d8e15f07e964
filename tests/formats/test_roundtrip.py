"""Round trips keep every message, tool and call, and follow edits made to the record in between."""

from __future__ import annotations

import copy
import json

from hermes_data.formats import read_records, write_records
from hermes_data.markup.tool_calling import parse_tool_calls

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def _call(call_id, city):
    args = json.dumps({"city": city})
    return {"id": call_id, "type": "function", "function": {"name": "get_weather", "arguments": args}}


OPENAI_ROW = {
    "id": "chat-1",
    "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Paris and Rome?"},
        {
            "role": "assistant",
            "content": "Checking.",
            "tool_calls": [_call("call_p", "Paris"), _call("call_r", "Rome")],
        },
        {"role": "tool", "tool_call_id": "call_p", "name": "get_weather", "content": '{"temp": 21}'},
        {"role": "tool", "tool_call_id": "call_r", "name": "get_weather", "content": "sunny"},
        {"role": "assistant", "content": None, "tool_calls": [_call("call_x", "Oslo")]},
        {"role": "tool", "tool_call_id": "call_x", "name": "get_weather", "content": '{"temp": -3}'},
        {"role": "assistant", "content": "Paris 21, Rome sunny, Oslo -3."},
    ],
    "tools": [WEATHER],
}

# Hermes ShareGPT with the call keys in the order hermes-function-calling-v1 writes them (arguments first).
SHAREGPT_ROW = {
    "id": "sg-1",
    "conversations": [
        {"from": "system", "value": "You may call tools.\n<tools>\n" + json.dumps([WEATHER]) + "\n</tools>"},
        {"from": "human", "value": "Paris and Rome?"},
        {
            "from": "gpt",
            "value": '<tool_call>\n{"arguments": {"city": "Paris"}, "name": "get_weather"}\n</tool_call>\n'
            '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Rome"}}\n</tool_call>',
        },
        {
            "from": "tool",
            "value": '<tool_response>\n{"name": "get_weather", "content": {"temp": 21}}\n</tool_response>\n'
            '<tool_response>\n{"content": "sunny", "name": "get_weather"}\n</tool_response>',
        },
        {"from": "gpt", "value": "Paris 21, Rome sunny."},
    ],
    "category": "Weather",
}


def _through(tmp_path, rows, to, name="out.jsonl", edit=None):
    src = tmp_path / f"in-{name}"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    records = list(read_records(str(src)))
    if edit:
        records = [edit(copy.deepcopy(r)) for r in records]
    out = tmp_path / name
    assert write_records(records, str(out), to) == len(rows)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()], records


def test_openai_round_trip_is_exact(tmp_path):
    (row,), _ = _through(tmp_path, [OPENAI_ROW], "openai")
    assert row["messages"] == OPENAI_ROW["messages"]
    assert row["tools"] == OPENAI_ROW["tools"] and row["id"] == "chat-1"
    assert "tool_call_ids" not in row.get("meta", {})


def test_openai_without_system_prompt_drops_the_tools_only_prompt(tmp_path):
    no_system = {**OPENAI_ROW, "messages": OPENAI_ROW["messages"][1:]}
    (row,), (record,) = _through(tmp_path, [no_system], "openai")
    assert record["messages"][0]["role"] == "system"  # the folded tools prompt
    assert row["messages"] == no_system["messages"] and row["tools"] == [WEATHER]


def test_openai_round_trip_follows_an_edited_record(tmp_path):
    def edit(record):
        record["messages"][2]["content"] = record["messages"][2]["content"].replace('"Rome"', '"Milan"')
        record["messages"][-1]["content"] = "Edited answer."
        return record

    (row,), _ = _through(tmp_path, [OPENAI_ROW], "openai", edit=edit)
    calls = row["messages"][2]["tool_calls"]
    assert [c["id"] for c in calls] == ["call_p", "call_r"]
    assert json.loads(calls[1]["function"]["arguments"]) == {"city": "Milan"}
    assert row["messages"][-1]["content"] == "Edited answer."


def test_removing_a_call_regenerates_ids_that_still_pair_up(tmp_path):
    def edit(record):
        assistant = record["messages"][2]["content"]
        record["messages"][2]["content"] = assistant[
            : assistant.index("\n<tool_call>", assistant.index("</tool_call>"))
        ]
        record["messages"][3]["content"] = record["messages"][3]["content"].split("\n<tool_response>")[0]
        return record

    (row,), _ = _through(tmp_path, [OPENAI_ROW], "openai", edit=edit)
    msgs = row["messages"]
    assert len(msgs[2]["tool_calls"]) == 1 and msgs[3]["role"] == "tool" and msgs[4]["role"] == "assistant"
    assert msgs[3]["tool_call_id"] == msgs[2]["tool_calls"][0]["id"]
    assert len({c["id"] for m in msgs for c in m.get("tool_calls", [])}) == 2  # still unique in the conversation


def test_sharegpt_round_trip_keeps_every_turn_id_and_meta(tmp_path):
    (row,), _ = _through(tmp_path, [SHAREGPT_ROW], "sharegpt")
    assert row["conversations"] == SHAREGPT_ROW["conversations"]
    assert row["id"] == "sg-1" and row["meta"] == {"source_category": "Weather"}
    # Reading our own export again gives the same record: a fixed point.
    (again,), (record,) = _through(tmp_path, [row], "sharegpt", name="again.jsonl")
    assert again == row and record["id"] == "sg-1"


def test_sharegpt_round_trip_follows_an_edited_record(tmp_path):
    def edit(record):
        record["messages"][-1]["content"] = "Rome is sunny."
        return record

    (row,), _ = _through(tmp_path, [SHAREGPT_ROW], "sharegpt", edit=edit)
    assert row["conversations"][-1] == {"from": "gpt", "value": "Rome is sunny."}
    assert row["conversations"][:-1] == SHAREGPT_ROW["conversations"][:-1]


def test_sharegpt_to_openai_structures_calls_in_either_key_order(tmp_path):
    (row,), _ = _through(tmp_path, [SHAREGPT_ROW], "openai")
    msgs = row["messages"]
    assert msgs[0] == {"role": "system", "content": "You may call tools."} and row["tools"] == [WEATHER]
    calls = msgs[2]["tool_calls"]
    assert [json.loads(c["function"]["arguments"]) for c in calls] == [{"city": "Paris"}, {"city": "Rome"}]
    assert msgs[2]["content"] is None
    assert [(m["tool_call_id"], m["content"]) for m in msgs[3:5]] == [
        (calls[0]["id"], '{"temp": 21}'),
        (calls[1]["id"], "sunny"),
    ]


def test_openai_to_sharegpt_and_back_to_openai_restores_ids(tmp_path):
    sharegpt, _ = _through(tmp_path, [OPENAI_ROW], "sharegpt")
    assert [t["from"] for t in sharegpt[0]["conversations"]] == ["system", "human", "gpt", "tool", "gpt", "tool", "gpt"]
    assert parse_tool_calls(sharegpt[0]["conversations"][2]["value"])[1].arguments == {"city": "Rome"}
    (row,), _ = _through(tmp_path, sharegpt, "openai", name="back.jsonl")
    assert row["messages"] == OPENAI_ROW["messages"] and row["tools"] == [WEATHER]


def test_glaive_row_exports_as_structured_openai(tmp_path):
    glaive = {
        "conversations": [
            {"from": "human", "value": "Weather in Paris?"},
            {"from": "function_call", "value": '{"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}'},
            {"from": "observation", "value": '{"temp": 21}'},
            {"from": "gpt", "value": "21 degrees."},
        ],
        "tools": json.dumps([WEATHER["function"]]),
    }
    (row,), _ = _through(tmp_path, [glaive], "openai")
    roles = [m["role"] for m in row["messages"]]
    assert roles == ["user", "assistant", "tool", "assistant"] and row["tools"] == [WEATHER]
    assert row["messages"][2]["tool_call_id"] == row["messages"][1]["tool_calls"][0]["id"]


def test_python_literal_calls_export_as_json_arguments(tmp_path):
    literal = {
        "conversations": [
            {"from": "system", "value": "Tools:\n<tools>\n[{'name': 'get_weather', 'parameters': {}}]\n</tools>"},
            {"from": "human", "value": "Oslo?"},
            {
                "from": "gpt",
                "value": "<tool_call>\n{'arguments': {'city': 'Oslo', 'metric': True}, "
                "'name': 'get_weather'}\n</tool_call>",
            },
        ]
    }
    (row,), _ = _through(tmp_path, [literal], "openai")
    (call,) = row["messages"][2]["tool_calls"]
    assert json.loads(call["function"]["arguments"]) == {"city": "Oslo", "metric": True}
    assert row["tools"] == [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}]
    assert row["messages"][0] == {"role": "system", "content": "Tools:"}


def test_a_call_shown_in_a_code_block_is_not_exported_as_a_call(tmp_path):
    example = 'Write calls like this:\n```\n<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>\n```'
    rows = [{"conversations": [{"from": "human", "value": "How do I call?"}, {"from": "gpt", "value": example}]}]
    (row,), _ = _through(tmp_path, rows, "openai")
    assert row["messages"][1] == {"role": "assistant", "content": example}
