"""RAG citation codes (through markup-B's checker) and json_mode_schema."""

from __future__ import annotations

from hermes_data.markup.json_mode import render_json_mode_system_prompt
from hermes_data.markup.rag import RAG_SYSTEM_PROMPT, render_context
from hermes_data.record import make_record
from hermes_data.validate import validate_record

DOCS = [{"id": "0", "title": "Hours", "text": "Opens at 8."}, {"id": "1", "title": "Prices", "text": "5.50"}]
USER = render_context(DOCS, question="When and how much?")


def _codes(answer: str, *, documents=None, user: str = USER) -> list[tuple[str, int | None]]:
    messages = [("system", RAG_SYSTEM_PROMPT), ("user", user), ("assistant", answer)]
    record = make_record([{"role": r, "content": t} for r, t in messages], documents=documents)
    return [(i.code, i.turn) for i in validate_record(record)]


def test_cited_answer_is_valid_and_the_instruction_is_not_a_citation():
    assert _codes("It <co:0>opens at 8</co> and <co: 1>costs 5.50</co>.\nCited Documents: 0, 1") == []


def test_citation_unknown_from_inline_documents_or_the_column():
    assert _codes("It <co:3>opens at 8</co>.\nCited Documents: 3") == [("citation_unknown", 2)]
    # the column wins over the inline blocks
    column = [{"id": "a", "title": "", "text": "x"}]
    assert _codes("It <co:0>opens at 8</co>.", documents=column) == [("citation_unknown", 2)]
    assert _codes("It <co:a>opens at 8</co>.", documents=column) == []


def test_citation_unbalanced_and_mismatch():
    assert _codes("It <co:0>opens at 8.\nCited Documents: 0") == [("citation_unbalanced", 2)]
    assert _codes("It <co:0>opens</co> and <co:1>costs</co>.\nCited Documents: 0") == [("citation_mismatch", 2)]


def _json_mode(answer: str, schema: dict | None = None) -> list[tuple[str, int | None]]:
    schema = schema or {
        "type": "object",
        "properties": {"date": {"type": "string"}, "items": {"type": "array", "items": {"type": "string"}}},
        "required": ["date", "items"],
    }
    turns = [("system", render_json_mode_system_prompt(schema)), ("user", "notes"), ("assistant", answer)]
    record = make_record([{"role": r, "content": t} for r, t in turns])
    return [(i.code, i.turn) for i in validate_record(record)]


def test_json_mode_answer_valid_even_in_whitespace():
    assert _json_mode('\n{"date": "2 May", "items": ["a"]}\n  ') == []


def test_json_mode_schema_violations_and_non_json():
    assert _json_mode('{"date": "2 May"}') == [("json_mode_schema", 2)]
    assert _json_mode('{"date": "2 May", "items": [1]}') == [("json_mode_schema", 2)]
    assert _json_mode("Sure! Here it is: {}") == [("json_mode_schema", 2)]
    assert _json_mode("{'date': '2 May', 'items': []}") == [("json_mode_schema", 2)]


def test_invalid_json_mode_schema_is_tools_invalid_and_answers_still_must_be_json():
    assert _json_mode('{"a": 1}', schema={"type": "obj"}) == [("tools_invalid", 0)]
    assert _json_mode("not json", schema={"type": "obj"}) == [("tools_invalid", 0), ("json_mode_schema", 2)]
