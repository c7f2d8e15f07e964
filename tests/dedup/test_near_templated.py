"""Near-dedup on templated and tool data: verified against the kept row (no chains), recurring text judged as
identity rather than compared, tools and documents part of a row's identity."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa

from hermes_data.dedup import dedup_text, near_duplicates, recurring_lines, row_identity
from hermes_data.dedup.near import near_details

RNG_WORDS = [f"w{i}x" for i in range(3000)]


def _words(rng: np.random.Generator, count: int) -> list[str]:
    return [RNG_WORDS[i] for i in rng.integers(len(RNG_WORDS), size=count)]


def test_a_chain_alone_drops_nothing() -> None:
    rng = np.random.default_rng(1)
    a = _words(rng, 60)
    b = list(a)
    b[0:9] = _words(rng, 9)  # a vs b: 51 of 60 words in common, similarity 0.85
    c = list(b)
    c[30:39] = _words(rng, 9)  # b vs c: 0.85; a vs c: 42 of 60, 0.70
    result = near_duplicates([" ".join(a), " ".join(b), " ".join(c)], model_rank=[0, 1, 2])
    assert result.cluster_id[0] == result.cluster_id[2] >= 0  # the union-find links all three
    assert result.keep.tolist() == [True, False, True]
    assert result.duplicate_of == [None, 0, None]
    assert 0.8 <= result.similarity[1] < 0.9
    assert np.isnan(result.similarity[0]) and np.isnan(result.similarity[2])
    assert result.num_chain_kept == 1
    table = pa.table({"id": ["a", "b", "c"]})
    detail = near_details(table, result)
    assert detail[0] is None and detail[2] is None
    assert json.loads(detail[1]) == {"kept_id": "a", "similarity": round(float(result.similarity[1]), 4)}


def _tool_description(rng: np.random.Generator, name: str) -> str:
    lines = [" ".join(_words(rng, 16)) for _ in range(8)]
    return f"toolformer: enabled\ntoolformer access: {name}\n" + "\n".join(lines) + f"\n{name}(query)"


def _templated_rows() -> tuple[list[str], list[str]]:
    """60 rows: one of two long tool descriptions in the user turn, then a short question of their own and an
    answer; two rows near copies of earlier ones (one word changed)."""
    rng = np.random.default_rng(7)
    tools = [_tool_description(rng, "search"), _tool_description(rng, "wolfram")]
    questions = [" ".join(_words(rng, 14)) for _ in range(58)]
    texts = [f"{tools[i % 2]}\n{q}\n\nThe answer is {tools[i % 2].split()[4]}('{q}')." for i, q in enumerate(questions)]
    copies = []
    for source in (4, 11):
        words = questions[source].split()
        words[-1] = "changed"
        copies.append(texts[source].replace(questions[source], " ".join(words)))
    return texts + copies, questions


def test_rows_sharing_a_long_tool_description_with_different_questions_are_kept() -> None:
    texts, _ = _templated_rows()
    originals = texts[:58]
    assert len(recurring_lines(originals, 0.01)) == 16  # eight long lines of each description
    result = near_duplicates(originals)
    assert result.keep.all()
    assert result.num_boilerplate_rows == 58
    # The same rows compared on their whole text: the description dominates and distinct tasks merge.
    assert near_duplicates(originals, boilerplate_share=None).num_dropped >= 5


def test_near_copies_inside_the_template_are_still_caught() -> None:
    texts, _ = _templated_rows()
    result = near_duplicates(texts)
    assert result.num_dropped == 2
    assert [result.duplicate_of[58], result.duplicate_of[59]] == [4, 11] or [
        result.duplicate_of[4],
        result.duplicate_of[11],
    ] == [58, 59]
    dropped = np.flatnonzero(~result.keep)
    assert (result.similarity[dropped] >= 0.8).all()


def test_same_question_under_another_recurring_tool_description_is_kept() -> None:
    texts, questions = _templated_rows()
    texts = texts[:58]
    # Row 3 has the wolfram description; ask its question again under the search description.
    texts.append(texts[0].replace(questions[0], questions[3]).replace(texts[0].split()[4], texts[3].split()[4], 1))
    assert near_duplicates(texts).keep.all()
    texts.append(texts[3].replace("The answer", "the answer"))  # the same question and tool again: a copy
    assert near_duplicates(texts).num_dropped == 1


def _tool_row(tools: list[str]) -> list[dict]:
    block = json.dumps([{"type": "function", "function": {"name": t, "parameters": {}}} for t in tools])
    return [
        {"role": "system", "content": f"You are a function calling AI model. <tools>{block}</tools>"},
        {"role": "user", "content": "What is the weather like in Paris this afternoon, and should I take an umbrella?"},
        {
            "role": "assistant",
            "content": '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>',
        },
    ]


def test_same_question_with_other_tools_is_kept() -> None:
    rows = [_tool_row(["get_weather"]), _tool_row(["get_weather", "get_news", "book_taxi"]), _tool_row(["get_weather"])]
    texts = [dedup_text(m) for m in rows]
    assert texts[0] == texts[1]  # the system prompt is not compared
    result = near_duplicates(texts, distinct=[row_identity(m) for m in rows])
    assert result.keep.tolist() == [True, True, False]
    assert result.duplicate_of[2] == 0
    # The record's `tools` column, when set, is the tool set.
    column = ['[{"name": "a"}]', '[{"name": "b"}]', '[{"name": "a"}]']
    result = near_duplicates(texts, distinct=[row_identity(m, t) for m, t in zip(rows, column, strict=True)])
    assert result.keep.tolist() == [True, True, False]


def test_same_question_with_other_documents_is_kept() -> None:
    messages = [
        {"role": "user", "content": "Summarise what the documents say about the harvest in the northern valleys."},
        {"role": "assistant", "content": "The documents say the harvest in the northern valleys was late but large."},
    ]
    docs_a = [{"id": "1", "title": "Harvest", "text": "Late rains delayed the harvest."}]
    docs_b = [{"id": "1", "title": "Harvest", "text": "The harvest was the largest in years."}]
    texts = [dedup_text(messages)] * 3
    identities = [row_identity(messages, None, d) for d in (docs_a, docs_b, docs_a)]
    result = near_duplicates(texts, distinct=identities)
    assert result.keep.tolist() == [True, True, False]


def test_a_near_copy_that_edits_a_word_of_the_template_is_still_caught() -> None:
    texts, _ = _templated_rows()
    texts = texts[:58]
    lines = texts[6].split("\n")
    words = lines[3].split(" ")
    words[5] = "edited"
    lines[3] = " ".join(words)
    texts.append("\n".join(lines))
    result = near_duplicates(texts)
    assert result.num_dropped == 1
    assert result.duplicate_of[58] == 6 or result.duplicate_of[6] == 58
