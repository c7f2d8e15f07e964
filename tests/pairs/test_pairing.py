"""Pairing judged candidates: which replies pair, and a reason (trigger and near miss) for every one left out."""

from __future__ import annotations

import json

import pytest

from hermes_data.pairs import candidate_reasons, pair_candidates
from hermes_data.record import make_record, meta_of

PROMPT = [{"role": "user", "content": "Name a prime number above 10."}]


def _cand(reply: str, score, *, prompt=PROMPT, prompt_id: str | None = "p1", model="m", cid=None) -> dict:
    meta = {} if prompt_id is None else {"prompt_id": prompt_id}
    if score is not None:
        meta["judge"] = {"score": score, "judge_model": "j", "explanation": ""}
    return make_record([*prompt, {"role": "assistant", "content": reply}], id=cid, model=model, meta=meta)


def _pair(cands, min_margin=2.0, max_pairs=1):
    return pair_candidates(cands, min_margin=min_margin, max_pairs_per_prompt=max_pairs)


def test_best_is_paired_with_the_lowest_and_meta_records_scores():
    cands = [_cand("13", 7, model="mid"), _cand("11 is prime.", 9, model="big"), _cand("10", 2, model="small")]
    result = _pair(cands)
    assert len(result.pairs) == 1
    pair = result.pairs[0]
    assert pair["prompt"] == PROMPT and pair["chosen"][0]["content"] == "11 is prime."
    assert pair["rejected"][0]["content"] == "10"
    meta = meta_of(pair)
    assert meta["margin"] == 7 and meta["chosen_model"] == "big" and meta["rejected_model"] == "small"
    assert meta["prompt_id"] == "p1" and meta["judge_model"] == "j"
    assert result.reasons == ["max_pairs", None, None]


def test_max_pairs_per_prompt_pairs_lowest_first():
    cands = [_cand("best", 9), _cand("a", 2), _cand("b", 5), _cand("c", 7.5), _cand("d", 6)]
    result = _pair(cands, max_pairs=2)
    assert [p["rejected"][0]["content"] for p in result.pairs] == ["a", "b"]
    assert result.reasons == [None, None, None, "below_margin", "max_pairs"]


def test_tie_and_its_near_miss():
    assert _pair([_cand("x", 8), _cand("y", 8)]).reasons == ["tie", "tie"]
    assert _pair([_cand("x", 8), _cand("y", 6)]).reasons == [None, None]


def test_below_margin_and_exact_margin_is_enough():
    assert _pair([_cand("x", 8), _cand("y", 6.5)]).reasons == ["below_margin", "below_margin"]
    exact = _pair([_cand("x", 0.3 + 7.9), _cand("y", 6.2)])  # 8.2 - 6.2 computed as 1.9999999999999991
    assert exact.reasons == [None, None] and len(exact.pairs) == 1


def test_single_candidate_and_groups_are_by_prompt_id():
    result = _pair([_cand("x", 8, prompt_id="a"), _cand("y", 2, prompt_id="b")])
    assert result.reasons == ["single_candidate", "single_candidate"] and not result.pairs


def test_without_prompt_id_candidates_group_by_identical_prompt():
    other = [{"role": "user", "content": "Name an even number."}]
    cands = [_cand("x", 9, prompt_id=None), _cand("4", 9, prompt=other, prompt_id=None), _cand("y", 3, prompt_id=None)]
    result = _pair(cands)
    assert result.reasons == [None, "single_candidate", None]
    assert result.pairs[0]["chosen"][0]["content"] == "x"


def test_prompt_mismatch_inside_one_prompt_id():
    other = [{"role": "system", "content": "Answer in French."}, *PROMPT]
    cands = [_cand("x", 9), _cand("y", 2), _cand("z", 1, prompt=other)]
    result = _pair(cands)
    assert result.reasons == [None, None, "prompt_mismatch"]
    assert result.pairs[0]["rejected"][0]["content"] == "y"


def test_candidate_reasons_empty_invalid_unscored_and_near_misses():
    tools_prompt = [
        {
            "role": "system",
            "content": '<tools> [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}] '
            "</tools>",
        },
        *PROMPT,
    ]
    cands = [
        _cand("  \n", 9),  # empty_reply
        _cand('<tool_call>\n{"name": "f", "arguments": {\n</tool_call>', 5, prompt=tools_prompt),  # broken JSON
        _cand("13", None),  # unscored
        _cand("13", "nine"),  # a score that is not a number is unscored too
        _cand("13.", 9),  # near miss: scored, valid, non-empty
        _cand('<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>', 5, prompt=tools_prompt),  # valid call
    ]
    reasons = candidate_reasons(cands)
    assert reasons == ["empty_reply", "invalid_reply", "unscored", "unscored", None, None]
    assert meta_of(cands[1])["validator"] == ["tool_call_json"]
    assert candidate_reasons([cands[1]], drop_invalid=False) == [None]


@pytest.mark.parametrize("judge", [{"score": 7}, 7])
def test_score_from_judge_dict_or_bare_number(judge):
    record = _cand("x", None)
    record["meta"] = json.dumps({"prompt_id": "p1", "judge": judge})
    assert candidate_reasons([record]) == [None]
