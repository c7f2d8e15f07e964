"""Content parts, reasoning and per-message extras: joined or kept in meta by every reader, given back by writers."""

from __future__ import annotations

import json
from pathlib import Path

from hermes_data.formats import Unreadable, read_records, write_records
from hermes_data.formats.openai_chat import openai_row_to_record
from hermes_data.formats.openai_writer import record_to_openai
from hermes_data.formats.sharegpt import record_to_sharegpt
from hermes_data.record import content_id, meta_of
from hermes_data.validate import validate_record

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REASON_91 = "91 = 7 * 13, so it has divisors other than 1 and itself."


def _read(name: str) -> list[dict]:
    items = list(read_records(str(FIXTURES / name)))
    assert not [i for i in items if isinstance(i, Unreadable)]
    return items


def test_text_parts_with_value_are_joined_and_ids_follow_the_content():
    records = _read("content_parts_value.jsonl")
    assert [len(r["messages"]) for r in records] == [3, 4]
    assert records[0]["messages"][1]["content"] == "What is the boiling point of water at sea level?"
    assert records[1]["messages"][1]["content"].startswith("Jupiter")  # `text` and `value` parts in one file
    assert [r["id"] for r in records] == [content_id(r["messages"]) for r in records]
    assert len({r["id"] for r in records}) == 2
    assert all(validate_record(r) == [] for r in records)


def test_reasoning_and_extras_are_kept_in_meta_under_their_turn():
    one, two = _read("reasoning_content.jsonl")
    assert [m["content"] for m in one["messages"]] == ["Is 91 prime?", "No: 91 = 7 x 13."]  # the answer is untouched
    assert meta_of(one)["reasoning_content"] == {"1": REASON_91}
    meta = meta_of(two)
    assert meta["reasoning_content"] == {"1": "17 + 25 = 42.", "3": "42 * 2 = 84."}
    assert meta["reasoning_field"] == {"1": "reasoning", "3": "thinking"}
    assert meta["message_extras"] == {"0": {"name": "alice"}, "3": {"loss_weight": 0.5}}


def test_turn_indices_follow_a_system_prompt_the_reader_adds():
    row = {
        "messages": [
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": "Sunny.", "reasoning_content": "Looked outside."},
        ],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
    }
    record = openai_row_to_record(row, source="file:x.jsonl")
    assert record["messages"][0]["role"] == "system"
    assert meta_of(record)["reasoning_content"] == {"2": "Looked outside."}
    assert record_to_openai(record)["messages"][1]["reasoning_content"] == "Looked outside."


def test_sharegpt_parts_reasoning_and_extras():
    records = _read("sharegpt_parts_reasoning.jsonl")
    assert [r["id"] for r in records] == ["s-1", "s-2", "s-3"]
    assert [len(r["messages"]) for r in records] == [2, 3, 2]
    assert records[0]["messages"][0]["content"] == "Translate 'thank you' into French."
    assert meta_of(records[0])["message_extras"] == {"1": {"loss_weight": 1.0}}
    assert meta_of(records[1])["reasoning_content"] == {"2": "Both are one kilogram."}
    part = {"type": "image", "image": "pics/dog.jpg"}
    assert meta_of(records[2])["non_text_parts"] == [{"turn": 0, "type": "image", "part": part}]


def test_non_text_parts_are_listed_and_reported_never_turned_into_text():
    records = {r["id"]: r for r in _read("multimodal_parts.jsonl")}
    assert records["mm-url"]["messages"][0]["content"] == "What is in this picture?"
    assert records["mm-audio"]["messages"][0]["content"] == ""
    assert meta_of(records["mm-placeholder"])["non_text_parts"] == [{"column": "images", "count": 1}]
    url = {"type": "image_url", "image_url": {"url": "https://example.org/cat.png"}}
    assert meta_of(records["mm-url"])["non_text_parts"] == [{"turn": 0, "type": "image_url", "part": url}]
    codes = {rid: [i.code for i in validate_record(r)] for rid, r in records.items()}
    assert codes["mm-text-only"] == []
    for rid in ("mm-url", "mm-placeholder", "mm-audio"):
        assert codes[rid][0] == "non_text_content", rid
    kept = {**records["mm-url"], "meta": json.dumps({**meta_of(records["mm-url"]), "non_text_kept": "text only"})}
    assert validate_record(kept) == []


def _messages_with_notes(name: str) -> list[tuple]:
    return [(r["id"], r["messages"], r["meta"]) for r in _read(name)]


def test_round_trips_keep_every_field(tmp_path):
    for name in ("reasoning_content.jsonl", "sharegpt_parts_reasoning.jsonl", "multimodal_parts.jsonl"):
        original = _messages_with_notes(name)
        records = _read(name)
        for to in ("parquet", "openai", "sharegpt"):
            out = tmp_path / f"{name}.{to}"
            assert write_records(records, str(out), to) == len(records)
            again = list(read_records(str(out), "parquet" if to == "parquet" else None))
            assert [(r["id"], r["messages"], r["meta"]) for r in again] == original, (name, to)


def test_writers_put_reasoning_back_under_its_own_key():
    one, two = _read("reasoning_content.jsonl")
    row = record_to_openai(one)
    assert row["messages"][1] == {"role": "assistant", "content": "No: 91 = 7 x 13.", "reasoning_content": REASON_91}
    assert "meta" not in row
    row = record_to_openai(two)
    assert row["messages"][1]["reasoning"] == "17 + 25 = 42." and row["messages"][3]["thinking"] == "42 * 2 = 84."
    assert row["messages"][0]["name"] == "alice" and row["messages"][3]["loss_weight"] == 0.5
    turn = record_to_sharegpt(two)["conversations"][3]
    assert turn == {"from": "gpt", "value": "84.", "thinking": "42 * 2 = 84.", "loss_weight": 0.5}


def test_rows_that_differ_only_in_their_picture_get_different_ids():
    def row(url: str) -> dict:
        parts = [{"type": "text", "value": "What is this?"}, {"type": "image_url", "image_url": {"url": url}}]
        return {"messages": [{"role": "user", "content": parts}, {"role": "assistant", "content": "A bird."}]}

    first, second = (openai_row_to_record(row(u), source="file:x") for u in ("a.png", "b.png"))
    assert first["messages"] == second["messages"] and first["id"] != second["id"]
    assert openai_row_to_record(row("a.png"), source="file:x")["id"] == first["id"]  # deterministic
    placeholder = {"messages": [{"role": "user", "content": "<image>Who?"}, {"role": "assistant", "content": "Me."}]}
    one, two = (openai_row_to_record({**placeholder, "images": [p]}, source="file:x") for p in ("1.jpg", "2.jpg"))
    assert one["id"] != two["id"]
