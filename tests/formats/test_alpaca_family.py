"""The Alpaca family: GPTeacher's `response`, Dolly's `context`/`response`/`category`, `answer`, `completion`."""

import json

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
