"""The judge is its own step: ratings are applied to copies of the judged task's records, never in place."""

from __future__ import annotations

import json

from hermes_data.generate.judge import apply_judgments, parse_rating
from hermes_data.record import make_record, meta_of


def _record(rid: str) -> dict:
    return make_record(
        [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], id=rid, meta={"task": "code"}
    )


def test_apply_judgments_sets_meta_judge_on_copies_only():
    judged, other = _record("code-00000"), _record("code-00001")
    before = json.dumps([judged, other], sort_keys=True)
    verdict = {"score": 7.0, "judge_model": "m", "explanation": "ok"}
    out = apply_judgments([judged, other], [{"judge": verdict, "judged_id": "code-00000"}])
    assert meta_of(out[0])["judge"] == verdict and meta_of(out[0])["task"] == "code"
    assert "judge" not in meta_of(out[1]) and out[1] is other
    assert json.dumps([judged, other], sort_keys=True) == before  # the judged task's own records are untouched


def test_parse_rating_takes_the_last_rating_in_range():
    assert parse_rating("first [[3]] then [[8]]") == 8.0
    assert parse_rating("[[11]]") is None and parse_rating("no rating") is None
