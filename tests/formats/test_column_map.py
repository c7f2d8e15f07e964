"""Column maps: other columns, turn keys and role names read as a known layout; bad maps are one-line errors."""

import json

import pytest

from hermes_data.errors import FormatError
from hermes_data.formats import Unreadable, read_records
from hermes_data.formats.column_map import column_map, parse_pairs
from hermes_data.record import meta_of

QA = [
    {"question": "What is 2+2?", "ctx": "Arithmetic.", "answer": "4", "sys": "Be brief.", "topic": "math"},
    {"question": "Capital of France?", "answer": "Paris", "topic": "geo"},
    {"question": "A row without its answer", "topic": "geo"},
]
TURNS = [
    {"turns": [{"speaker": "human", "text": "Hi"}, {"speaker": "bot", "text": "Hello! How can I help?"}], "n": 1},
    {"turns": [{"speaker": "human", "text": "Hi"}, {"speaker": "narrator", "text": "It was dark."}]},
    {"turns": [{"speaker": "human", "words": "Hi"}, {"speaker": "bot", "text": "Hey"}]},
]


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_alpaca_like_columns_map_onto_instruction_input_output_system(tmp_path):
    columns = column_map({"instruction": "question", "input": "ctx", "output": "answer", "system": "sys"}, None)
    items = list(read_records(_jsonl(tmp_path / "qa.jsonl", QA), columns=columns))
    first, second, missing = items
    assert first["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is 2+2?\n\nArithmetic."},
        {"role": "assistant", "content": "4"},
    ]
    assert meta_of(first) == {"topic": "math"}  # unmapped columns stay in meta, mapped ones are consumed
    assert [m["role"] for m in second["messages"]] == ["user", "assistant"]  # input and system may be absent
    assert isinstance(missing, Unreadable) and missing.line == 3
    assert "mapped column `answer` (columns: output) is missing" in missing.message


def test_chat_turns_with_their_own_keys_and_role_names(tmp_path):
    columns = column_map({"messages": "turns", "role": "speaker", "content": "text"}, {"bot": "assistant"})
    good, narrator, no_text = read_records(_jsonl(tmp_path / "turns.jsonl", TURNS), columns=columns)
    assert good["messages"] == [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello! How can I help?"},
    ]
    assert meta_of(good) == {"n": 1}
    assert isinstance(narrator, Unreadable) and narrator.line == 2
    assert "turn 1 has role 'narrator', which `roles` does not map" in narrator.message
    assert isinstance(no_text, Unreadable) and "turn 0 has no `text`" in no_text.message


def test_roles_alone_apply_to_a_known_turn_list(tmp_path):
    rows = [{"conversations": [{"from": "asker", "value": "Hi"}, {"from": "answerer", "value": "Hello"}]}]
    columns = column_map(None, {"asker": "user", "answerer": "assistant"})
    (record,) = read_records(_jsonl(tmp_path / "c.jsonl", rows), columns=columns)
    assert [m["role"] for m in record["messages"]] == ["user", "assistant"]


def test_without_a_map_the_detection_error_names_each_layout_and_columns(tmp_path):
    # question/answer is an Alpaca spelling the detection knows; `query` is not
    rows = [{("query" if key == "question" else key): value for key, value in row.items()} for row in QA]
    with pytest.raises(FormatError) as info:
        list(read_records(_jsonl(tmp_path / "qa.jsonl", rows)))
    message = str(info.value)
    assert "line 1 has keys answer, ctx, query, sys, topic" in message
    assert (
        "sharegpt: conversations; openai: messages; alpaca: one of instruction/prompt/question with one of" in message
    )
    assert "`columns:`" in message and "\n" not in message


@pytest.mark.parametrize(
    ("columns", "roles", "expected"),
    [
        ({"instr": "question"}, None, "unknown target `instr`; map onto one of instruction, input"),
        ({"output": ""}, None, "`output` needs the name of a column"),
        ({"instruction": "q", "output": "q"}, None, "column `q` is mapped twice"),
        (None, {"bot": "robot"}, "roles: `bot` maps to 'robot', which is no role; use one of system, user"),
    ],
)
def test_bad_maps_are_one_line_errors(columns, roles, expected):
    with pytest.raises(FormatError) as info:
        column_map(columns, roles)
    assert expected in str(info.value) and "\n" not in str(info.value)


def test_cli_pairs_parse_and_reject_entries_without_equals():
    assert parse_pairs("instruction=question, output=answer", "--columns") == {
        "instruction": "question",
        "output": "answer",
    }
    with pytest.raises(FormatError, match="--roles: 'bot' is not KEY=VALUE"):
        parse_pairs("bot", "--roles")


def test_columns_on_parquet_input_say_to_convert_first(tmp_path):
    from hermes_data.formats import write_records

    path = tmp_path / "x.parquet"
    write_records(
        read_records(
            _jsonl(tmp_path / "turns.jsonl", TURNS[:1]),
            columns=column_map({"messages": "turns", "role": "speaker", "content": "text"}, {"bot": "assistant"}),
        ),
        str(path),
        "parquet",
    )
    with pytest.raises(FormatError, match="apply to JSON/JSONL files"):
        list(read_records(str(path), columns=column_map({"output": "answer"}, None)))
