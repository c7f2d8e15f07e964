"""The build's filters: each drops the row it should, with its reason, and keeps the near-miss."""

from __future__ import annotations

import json

from hermes_data.filters.empty_turns import empty_turns_filter
from hermes_data.filters.invalid import invalid_filter
from hermes_data.filters.length import length_filter
from hermes_data.filters.model_priority import model_priority_filter


def chat(user: str, assistant: str, system: str | None = None) -> list[dict]:
    turns = [{"role": "system", "content": system}] if system else []
    return turns + [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]


LONG = "Photosynthesis turns light, water and carbon dioxide into sugar and oxygen inside the chloroplasts. " * 3


def test_length_thresholds(work_table):
    table = work_table([chat("Hi", "Hey"), chat("Explain photosynthesis.", LONG), chat("Explain it again.", LONG * 40)])
    tokens = [
        a + b for a, b in zip(table["_input_tokens"].to_pylist(), table["_output_tokens"].to_pylist(), strict=True)
    ]
    verdict = length_filter(table, min_tokens=tokens[1], max_tokens=tokens[1] + 1)  # row 1 sits on the edge
    assert verdict.keep.tolist() == [False, True, False]
    assert verdict.reasons == ["too_short", None, "too_long"]


def test_empty_turns_missing_reply_and_tool_only_turn(work_table):
    tools = json.dumps(
        [
            {
                "type": "function",
                "function": {"name": "now", "description": "time", "parameters": {"type": "object", "properties": {}}},
            }
        ]
    )
    tool_only = [
        {"role": "system", "content": f"You are a function calling AI model. <tools> {tools} </tools>"},
        {"role": "user", "content": "What time is it?"},
        {"role": "assistant", "content": '<tool_call>\n{"name": "now", "arguments": {}}\n</tool_call>'},
        {"role": "tool", "content": '<tool_response>\n{"name": "now", "content": "12:00"}\n</tool_response>'},
        {"role": "assistant", "content": "It is noon."},
    ]
    table = work_table(
        [
            chat("Say something", ""),
            chat("Q1", "A1") + [{"role": "user", "content": "And then?"}],
            [{"role": "user", "content": "Anyone?"}],
            tool_only,
        ]
    )
    verdict = empty_turns_filter(table)
    assert verdict.reasons == ["empty_turn", "missing_reply", "no_assistant", None]


def test_invalid_reason_is_the_validator_code(work_table):
    tools = json.dumps(
        [
            {
                "type": "function",
                "function": {
                    "name": "weather",
                    "description": "w",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
                },
            }
        ]
    )
    system = f"You are a function calling AI model. <tools> {tools} </tools>"

    def call(args):
        return [
            {"role": "system", "content": system},
            {"role": "user", "content": "Weather in Oslo?"},
            {
                "role": "assistant",
                "content": "<tool_call>\n" + json.dumps({"name": "weather", "arguments": args}) + "\n</tool_call>",
            },
        ]

    table = work_table([call({"city": "Oslo"}), call({"town": "Oslo"})])
    verdict = invalid_filter(table)
    assert verdict.reasons == [None, "tool_call_args"]


def test_model_priority_keeps_the_strongest_per_prompt(work_table):
    convs = [
        chat("Name a prime.", "7", system="Be brief."),  # weak model
        chat("Name a prime.", "Seven.", system="Be brief."),  # strong model, same prompt
        chat("Name a prime.", "11", system="Be verbose."),  # different system prompt: a different prompt
        chat("Name an even prime.", "2"),  # unlisted model, alone: kept
        chat("Name an even prime.", "Two."),  # same unlisted rank: first seen wins
    ]
    table = work_table(convs, models=["weak", "strong", "weak", "other", "other"], model_priority=["strong", "weak"])
    verdict = model_priority_filter(table)
    assert verdict.keep.tolist() == [False, True, True, True, False]
    assert verdict.reasons == ["weaker_model", None, None, None, "same_prompt"]


def test_empty_turns_on_a_sliced_table(work_table):
    # A sliced list column keeps its parent's offsets; the filter must read the slice's own rows.
    table = work_table([chat("Q0", "A0"), chat("Q1", ""), chat("Q2", "A2") + [{"role": "user", "content": "?"}]])
    assert empty_turns_filter(table.slice(1)).reasons == ["empty_turn", "missing_reply"]
