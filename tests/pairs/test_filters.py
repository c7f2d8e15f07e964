"""Pair stages on annotated tables (real Llama 3.1 tokenizer): each drop reason with a trigger and a near miss."""

from __future__ import annotations

import pytest

from hermes_data.pairs.annotate import annotate_pairs
from hermes_data.pairs.convert import PROBLEM
from hermes_data.pairs.filters import (
    empty_reply_filter,
    exact_dedup_filter,
    identical_replies_filter,
    invalid_filter,
    length_filter,
    near_dedup_filter,
    reader_problem_filter,
)
from hermes_data.pairs.record import make_pair
from hermes_data.record import meta_of
from hermes_data.tokenizer import load_tokenizer

PROMPT = [{"role": "user", "content": "Explain what a hash map is in one paragraph."}]
GOOD = (
    "A hash map stores key-value pairs in an array of buckets; a hash function turns each key into a bucket index, "
    "so lookups, inserts and deletes take constant time on average."
)


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer("llama3")


def _a(text: str) -> list[dict]:
    return [{"role": "assistant", "content": text}]


def _p(chosen="good", rejected="bad", prompt=PROMPT, **kw):
    return make_pair(prompt, _a(chosen) if isinstance(chosen, str) else chosen, _a(rejected), **kw)


def _keep(verdict):
    return verdict.keep.tolist(), verdict.reasons


def test_reader_problem(tokenizer):
    flagged = _p()
    flagged[PROBLEM] = "prompt_mismatch"
    assert _keep(reader_problem_filter(annotate_pairs([flagged, _p()], tokenizer))) == (
        [False, True],
        ["prompt_mismatch", None],
    )


def test_empty_reply(tokenizer):
    pairs = [_p(chosen=" \n "), _p(rejected=""), _p(chosen=[]), _p(chosen=".", rejected="no")]
    assert _keep(empty_reply_filter(annotate_pairs(pairs, tokenizer)))[0] == [False, False, False, True]


def test_identical_replies_after_normalization_and_one_word_near_miss(tokenizer):
    pairs = [_p(GOOD, GOOD), _p(GOOD, "  " + GOOD.upper() + "\n"), _p(GOOD, GOOD.replace("constant", "linear"))]
    keep, reasons = _keep(identical_replies_filter(annotate_pairs(pairs, tokenizer)))
    assert keep == [False, False, True] and reasons[0] == "identical_replies"


def test_invalid_reply_records_the_validator_codes(tokenizer):
    broken = _p(rejected="<SCRATCHPAD>thinking, never closed")
    table = annotate_pairs([broken, _p(rejected="<SCRATCHPAD>closed</SCRATCHPAD> done")], tokenizer)
    assert _keep(invalid_filter(table)) == ([False, True], ["invalid_reply", None])
    assert meta_of({"meta": table.column("meta")[0].as_py()})["validator"] == {"rejected": ["tag_unbalanced"]}


def test_length_checks_each_side_at_the_boundaries(tokenizer):
    pairs = [_p(GOOD, "Short."), _p(GOOD, GOOD)]
    table = annotate_pairs(pairs, tokenizer)
    chosen = table.column("_chosen_tokens").to_pylist()
    rejected = table.column("_rejected_tokens").to_pylist()
    assert chosen[0] > rejected[0]
    keep, reasons = _keep(length_filter(table, min_tokens=rejected[0], max_tokens=chosen[0]))
    assert keep == [True, True]  # both bounds are inclusive
    keep, reasons = _keep(length_filter(table, min_tokens=rejected[0] + 1, max_tokens=chosen[0] + 100))
    assert reasons == ["too_short", None]  # the rejected side is under min_tokens
    keep, reasons = _keep(length_filter(table, min_tokens=1, max_tokens=chosen[0] - 1))
    assert reasons == ["too_long", "too_long"]


def test_exact_dedup_on_prompt_and_chosen_keeps_prompt_groups_whole(tokenizer):
    group = {"source": "gen:x", "meta": {"prompt_id": "p1"}}
    pairs = [
        _p(GOOD, "bad one", **group),
        _p(GOOD, "bad two", **group),  # same prompt group: the best against a second worse reply, kept
        _p(GOOD, "bad three", source="file:other"),  # the same prompt+chosen from another source: a duplicate
        _p(GOOD + " Collisions share a bucket.", "bad", source="file:other"),  # near miss: different chosen
    ]
    keep, reasons = _keep(exact_dedup_filter(annotate_pairs(pairs, tokenizer)))
    assert keep == [True, True, False, True] and reasons[2] == "exact_duplicate"


def test_near_dedup_and_questions_with_other_numbers(tokenizer):
    q = [{"role": "user", "content": "What is 17 times 23? Please show every step of the working clearly."}]
    q_near = [{"role": "user", "content": "What is 17 times 23? Please show each step of the working clearly."}]
    q_numbers = [{"role": "user", "content": "What is 17 times 24? Please show every step of the working clearly."}]
    chosen = "17 times 23: 17 x 20 = 340 and 17 x 3 = 51, and 340 + 51 = 391, so the product is 391 in total."
    pairs = [_p(chosen, "x", prompt=q), _p(chosen, "y", prompt=q_near), _p(chosen, "z", prompt=q_numbers)]
    table = annotate_pairs(pairs, tokenizer)
    keep, reasons = _keep(near_dedup_filter(table, threshold=0.8, num_perm=128, ngram=5, seed=0))
    assert keep == [True, False, True] and reasons[1] == "near_duplicate"
