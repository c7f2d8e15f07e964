"""MT-Bench-style judging (Zheng et al. 2023; the report's judge prompts follow it): rate another task's responses.

The judge sees the conversation up to the final reply and the reply, explains, and rates `[[1-10]]`. A reply without
a parseable rating is asked again with another seed and finally recorded as a failure carrying the raw text. The
rating lands in the judged record's `meta.judge` = {"score", "judge_model", "explanation"} through
`apply_judgments`, the run's explicit last step once every task has finished.
"""

from __future__ import annotations

import json
import re

from hermes_data.generate.context import Generated, ItemContext
from hermes_data.record import meta_of

_RATING = re.compile(r"\[\[\s*(\d+(?:\.\d+)?)\s*\]\]")
RAW_CHARS = 500  # of an unparseable judgment kept in the failure's detail


def parse_rating(text: str) -> float | None:
    """The last `[[n]]` rating in 1..10, or None."""
    found = _RATING.findall(text)
    if not found:
        return None
    score = float(found[-1])
    return score if 1 <= score <= 10 else None


def _rating_problem(text: str) -> tuple[str, str] | None:
    if parse_rating(text) is None:
        return "rating_unparseable", f"no [[1-10]] rating in: {text[:RAW_CHARS]!r}"
    return None


def _question_and_answer(messages: list[dict]) -> tuple[str, str]:
    last = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
    before = [m for m in messages[:last] if m["role"] != "system"]
    if len(before) == 1:
        question = before[0]["content"]
    else:
        question = "\n\n".join(f"{m['role'].upper()}: {m['content']}" for m in before)
    return question, messages[last]["content"]


async def generate_judgment(ctx: ItemContext) -> Generated:
    record = ctx.item.judged or {}
    question, answer = _question_and_answer(record["messages"])
    prompt = ctx.render("judge/judge", question=question, answer=answer)
    text = await ctx.ask("judge/judge", [{"role": "user", "content": prompt}], check=_rating_problem, final=True)
    explanation = _RATING.sub("", text).strip().removesuffix("Rating:").strip()
    judge = {"score": parse_rating(text), "judge_model": ctx.final_model, "explanation": explanation}
    return Generated([], {"judge": judge, "judged_id": record["id"]})


def apply_judgments(records: list[dict], judgments: list[dict]) -> list[dict]:
    """`records` with each judged one's `meta.judge` set: new dicts, the judged task's results are left as they are.

    The explicit last step of a run with judge tasks; `judgments` are the judge items' `Generated.meta`
    ({"judge", "judged_id"}).
    """
    by_id = {j["judged_id"]: j["judge"] for j in judgments}
    out = []
    for record in records:
        if record["id"] in by_id:
            meta = meta_of(record)
            meta["judge"] = by_id[record["id"]]
            record = {**record, "meta": json.dumps(meta, ensure_ascii=False, sort_keys=True)}
        out.append(record)
    return out
