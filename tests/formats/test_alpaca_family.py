"""The Alpaca family: GPTeacher's `response`, Dolly's `context`/`response`/`category`, `answer`, `completion`; the
prompt/completion files of OpenAI's legacy fine-tuning and TRL (plain and conversational), question/answer sets."""

import json

import pytest

from hermes_data.formats import read_records
from hermes_data.record import meta_of

DOLLY = [
    {
        "instruction": "Who wrote it?",
        "context": "Dune is a 1965 novel by Frank Herbert.",
        "response": "Frank Herbert.",
        "category": "closed_qa",
    },
    {"instruction": "Name a colour.", "context": "", "response": "Blue.", "category": "brainstorming"},
]


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_dolly_rows_keep_context_and_category(tmp_path):
    records = list(read_records(_jsonl(tmp_path / "dolly.jsonl", DOLLY)))
    assert [len(r["messages"]) for r in records] == [2, 2]
    assert records[0]["messages"][0]["content"] == "Who wrote it?\n\nDune is a 1965 novel by Frank Herbert."
    assert records[0]["messages"][1] == {"role": "assistant", "content": "Frank Herbert."}
    assert records[1]["messages"][0]["content"] == "Name a colour."
    assert [meta_of(r)["source_category"] for r in records] == ["closed_qa", "brainstorming"]
    assert "context" not in meta_of(records[0]) and "response" not in meta_of(records[0])
    assert len({r["id"] for r in records}) == 2


def test_gpteacher_response_and_other_answer_keys(tmp_path):
    rows = [
        {"instruction": "Add 2 and 2.", "input": "", "response": "4"},
        {"instruction": "Capital of France?", "answer": "Paris"},
        {"instruction": "Finish: once upon", "completion": "a time"},
    ]
    records = list(read_records(_jsonl(tmp_path / "gpteacher.jsonl", rows)))
    assert [r["messages"][-1]["content"] for r in records] == ["4", "Paris", "a time"]
    assert all(meta_of(r) == {} for r in records)


def test_prompt_completion_question_answer_and_trl_conversational_rows(tmp_path):
    rows = [
        {"prompt": "Wall St. bears claw back.\nWhat label best describes this article?\n", "completion": "Business"},
        {"question": "Natalia sold 48 clips in April and half as many in May. How many in all?",
         "answer": "48/2 = 24 in May.\n48 + 24 = 72.\n#### 72"},
        {"prompt": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
         "completion": [{"role": "assistant", "content": "Hello!"}]},
    ]  # fmt: skip
    records = list(read_records(_jsonl(tmp_path / "mixed.jsonl", rows)))
    assert [[m["role"] for m in r["messages"]] for r in records] == [
        ["user", "assistant"],
        ["user", "assistant"],
        ["system", "user", "assistant"],
    ]
    assert records[0]["messages"][1]["content"] == "Business"
    assert records[1]["messages"][0]["content"].startswith("Natalia") and records[1]["messages"][1]["content"].endswith(
        "#### 72"
    )
    assert records[2]["messages"][2] == {"role": "assistant", "content": "Hello!"}
    assert all(meta_of(r) == {} for r in records)  # nothing left over in meta: every key was read


def test_unpaired_preference_rows_are_not_read_as_sft_data(tmp_path):
    from hermes_data.formats.common import RowError
    from hermes_data.formats.rows import convert_row

    with pytest.raises(RowError, match="unpaired preference"):
        convert_row({"prompt": "Hi", "completion": "Go away.", "label": False}, "alpaca", source="kto.jsonl")
    with pytest.raises(RowError, match="got a dict `question` and a str `answer`"):
        convert_row({"question": {"text": "?"}, "answer": "x"}, "alpaca", source="qa.jsonl")
