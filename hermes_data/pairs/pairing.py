"""Pair judged candidates (records from `hermes-data generate`) into preference pairs.

Candidates are grouped by `meta.prompt_id` (set by the generator); without one, by the same prompt (DESIGN §7:
identical messages before the final assistant reply, hashed like the generator's prompt_id). A candidate's reply is
its final assistant turn; its prompt is everything before it, so a tool-using candidate's prompt may end with a
tool turn. Scores come from `meta.judge.score` (MT-Bench style, 1-10).

Which worse reply: the best-scored candidate (the first seen among equal best scores) is paired with the worse
ones **lowest score first**, each needing `best - score >= min_margin`, up to `max_pairs_per_prompt` pairs. The
default of 1 pairs the best against the lowest, the widest margin the prompt offers.

Every candidate that does not end up in a pair gets a reason:
- before pairing (`candidate_reasons`): `empty_reply`, `invalid_reply` (validator codes in `meta.validator`),
  `unscored` (no numeric `meta.judge.score`);
- in its group (`pair_candidates`): `prompt_mismatch` (same prompt_id, different prompt than the group's first),
  `single_candidate`, `tie` (same score as the best), `below_margin`, `max_pairs` (the prompt already has
  `max_pairs_per_prompt` pairs). The best itself, when no pair forms, gets `tie` if every other candidate tied
  with it and `below_margin` otherwise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hermes_data.pairs.annotate import validator_codes
from hermes_data.pairs.filters import has_content
from hermes_data.pairs.record import make_pair
from hermes_data.record import content_id, meta_of

# Judge scores are small decimals: a difference of 2.0 computed as 1.9999999 must still meet a min_margin of 2.
_EPSILON = 1e-9


def split_reply(messages: list[dict]) -> tuple[list[dict], list[dict]]:
    """(prompt, reply): the reply is the final assistant turn and anything after it."""
    last = max((i for i, m in enumerate(messages) if m["role"] == "assistant"), default=len(messages))
    return messages[:last], messages[last:]


def judge_score(record: dict[str, Any]) -> float | None:
    """`meta.judge.score` (or a bare number in `meta.judge`) as a float; None when missing or not a number."""
    judge = meta_of(record).get("judge")
    score = judge.get("score") if isinstance(judge, dict) else judge
    if isinstance(score, bool) or not isinstance(score, int | float) or score != score:  # NaN
        return None
    return float(score)


def candidate_reasons(records: list[dict[str, Any]], *, drop_invalid: bool = True) -> list[str | None]:
    """Reason to drop each candidate before grouping (None = keep); invalid ones get `meta.validator`."""
    reasons: list[str | None] = []
    for record in records:
        prompt, reply = split_reply(record["messages"])
        if not has_content(reply):
            reasons.append("empty_reply")
            continue
        codes = validator_codes(prompt, reply) if drop_invalid else []
        if codes:
            meta = meta_of(record)
            meta["validator"] = codes
            record["meta"] = json.dumps(meta, ensure_ascii=False, sort_keys=True)
            reasons.append("invalid_reply")
        elif judge_score(record) is None:
            reasons.append("unscored")
        else:
            reasons.append(None)
    return reasons


@dataclass
class Pairing:
    pairs: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[str | None] = field(default_factory=list)  # per candidate; None = in a pair


def group_key(record: dict[str, Any]) -> str:
    prompt_id = meta_of(record).get("prompt_id")
    return str(prompt_id) if prompt_id not in (None, "") else content_id(split_reply(record["messages"])[0])


def pair_candidates(records: list[dict[str, Any]], *, min_margin: float, max_pairs_per_prompt: int = 1) -> Pairing:
    """Pairs from scored, valid candidates, and a reason for each candidate left out (see the module doc)."""
    result = Pairing(reasons=[None] * len(records))
    groups: dict[str, list[int]] = {}
    for i, record in enumerate(records):
        groups.setdefault(group_key(record), []).append(i)
    for members in groups.values():
        _pair_group(records, members, min_margin, max_pairs_per_prompt, result)
    return result


def _pair_group(records: list[dict], members: list[int], min_margin: float, max_pairs: int, out: Pairing) -> None:
    prompt_of = {i: split_reply(records[i]["messages"])[0] for i in members}
    reference = content_id(prompt_of[members[0]])
    same = [i for i in members if content_id(prompt_of[i]) == reference]
    for i in members:
        if i not in same:
            out.reasons[i] = "prompt_mismatch"
    if len(same) < 2:
        for i in same:
            out.reasons[i] = "single_candidate"
        return
    scores = {i: judge_score(records[i]) for i in same}
    best = min(same, key=lambda i: (-scores[i], same.index(i)))  # highest score, first seen among equals
    worse = sorted((i for i in same if i != best), key=lambda i: (scores[i], same.index(i)))
    paired = 0
    for i in worse:
        margin = scores[best] - scores[i]
        if margin <= _EPSILON:
            out.reasons[i] = "tie"
        elif margin + _EPSILON < min_margin:
            out.reasons[i] = "below_margin"
        elif paired >= max_pairs:
            out.reasons[i] = "max_pairs"
        else:
            out.pairs.append(_make(records[best], records[i], prompt_of[best], scores[best], scores[i]))
            paired += 1
    if not paired:
        out.reasons[best] = "tie" if all(out.reasons[i] == "tie" for i in worse) else "below_margin"


def _make(chosen: dict, rejected: dict, prompt: list[dict], chosen_score: float, rejected_score: float) -> dict:
    judge = meta_of(chosen).get("judge")
    judge = judge if isinstance(judge, dict) else {}
    meta = {
        "prompt_id": group_key(chosen),
        "margin": round(chosen_score - rejected_score, 6),
        "chosen_score": chosen_score,
        "rejected_score": rejected_score,
        "chosen_model": chosen.get("model"),
        "rejected_model": rejected.get("model"),
        "chosen_id": chosen["id"],
        "rejected_id": rejected["id"],
        "judge_model": judge.get("judge_model"),
    }
    return make_pair(
        prompt,
        split_reply(chosen["messages"])[1],
        split_reply(rejected["messages"])[1],
        category=chosen.get("category") or rejected.get("category"),
        source=chosen.get("source") or "",
        meta=meta,
    )
