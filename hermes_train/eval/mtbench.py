"""MT-Bench-style scoring: the checkpoint answers multi-turn questions in ChatML, the judge rates every turn.

Answers are generated turn by turn, each turn for all questions in one left-padded batch (the second turn's prompt
holds the checkpoint's own first answer), greedy unless the suite sets a temperature. The prompt is the Hermes 3
ChatML template (hermes_data's CHAT_TEMPLATE, what SFT trained on) whatever template the checkpoint ships, and
generation stops at `<|im_end|>`. Scores: the mean rating per turn and overall (MT-Bench's score is the mean over
all rated turns); judgments that failed are listed, left out of the means, and warned about.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hermes_data.errors import DataError
from hermes_data.tokenizer.chatml import CHAT_TEMPLATE, IM_END
from hermes_train.eval.judging import judge_all, judge_messages
from hermes_train.eval.suite import MTBENCH_METRIC, MTBenchSpec

BATCH_SIZE = 16  # questions generated together per turn


def load_questions(source: str, *, limit: int | None = None) -> list[dict]:
    """`[{"question_id", "turns": [str, …]}]` from FastChat's question.jsonl or a `hub:ORG/NAME` dataset."""
    if source.startswith("hub:"):
        from datasets import load_dataset

        rows = load_dataset(source.removeprefix("hub:"), split="train")
        # H4's mt_bench_prompts names them prompt/prompt_id; lighteval's mt-bench keeps FastChat's turns/question_id.
        questions = [
            {
                "question_id": str(r.get("question_id", r.get("prompt_id", i))),
                "turns": list(r.get("turns") or r["prompt"]),
            }
            for i, r in enumerate(rows)
        ]
    else:
        questions = []
        for number, line in enumerate(Path(source).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                turns = row["turns"]
                qid = str(row.get("question_id", number))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise DataError(f'{source}:{number}: expected {{"question_id", "turns": [...]}} ({exc!r})') from None
            if not isinstance(turns, list) or not turns or not all(isinstance(t, str) and t for t in turns):
                raise DataError(f"{source}:{number}: turns must be a non-empty list of non-empty strings")
            questions.append({"question_id": qid, "turns": turns})
    if not questions:
        raise DataError(f"{source}: no MT-Bench questions")
    return questions[:limit] if limit else questions


def generate_answers(generate, questions: list[dict]) -> list[list[str]]:
    """Each question's answers, one per turn; `generate(list_of_message_lists) -> list[str]`."""
    answers: list[list[str]] = [[] for _ in questions]
    for turn in range(max(len(q["turns"]) for q in questions)):
        active = [i for i, q in enumerate(questions) if turn < len(q["turns"])]
        conversations = []
        for i in active:
            messages = []
            for past, reply in zip(questions[i]["turns"][:turn], answers[i], strict=True):
                messages += [{"role": "user", "content": past}, {"role": "assistant", "content": reply}]
            conversations.append([*messages, {"role": "user", "content": questions[i]["turns"][turn]}])
        for i, reply in zip(active, generate(conversations), strict=True):
            answers[i].append(reply)
    return answers


def hf_generator(model, tokenizer, spec: MTBenchSpec, *, seed: int):
    """A `generate` for generate_answers over a transformers model (batched, left padding, stop at <|im_end|>)."""
    import torch

    stop = [i for i in {tokenizer.convert_tokens_to_ids(IM_END), tokenizer.eos_token_id} if isinstance(i, int)]
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else stop[0]
    sampling = {"do_sample": True, "temperature": spec.temperature, "top_p": spec.top_p} if spec.temperature else {}

    def generate(conversations: list[list[dict]]) -> list[str]:
        texts = [tokenizer.apply_chat_template(c, chat_template=CHAT_TEMPLATE, add_generation_prompt=True,
                                               tokenize=False) for c in conversations]  # fmt: skip
        replies = []
        torch.manual_seed(seed)
        side, tokenizer.padding_side = tokenizer.padding_side, "left"
        try:
            for start in range(0, len(texts), BATCH_SIZE):
                # The template writes BOS itself: no second one from the tokenizer.
                batch = tokenizer(texts[start : start + BATCH_SIZE], return_tensors="pt", padding=True,
                                  add_special_tokens=False).to(model.device)  # fmt: skip
                with torch.no_grad():
                    out = model.generate(**batch, max_new_tokens=spec.max_new_tokens, eos_token_id=stop,
                                         pad_token_id=pad, do_sample=bool(sampling), **sampling)  # fmt: skip
                new = out[:, batch["input_ids"].shape[1] :]
                replies += [t.strip() for t in tokenizer.batch_decode(new, skip_special_tokens=True)]
        finally:
            tokenizer.padding_side = side
        return replies

    return generate


def vllm_generator(lm, tokenizer, spec: MTBenchSpec, *, seed: int):
    """A `generate` over lm_eval's vLLM wrapper (its engine and LoRA request)."""
    from vllm import SamplingParams

    params = SamplingParams(max_tokens=spec.max_new_tokens, temperature=spec.temperature, top_p=spec.top_p,
                            seed=seed, stop=[IM_END])  # fmt: skip

    def generate(conversations: list[list[dict]]) -> list[str]:
        texts = [tokenizer.apply_chat_template(c, chat_template=CHAT_TEMPLATE, add_generation_prompt=True,
                                               tokenize=False) for c in conversations]  # fmt: skip
        outputs = lm.model.generate(texts, params, lora_request=getattr(lm, "lora_request", None))
        return [o.outputs[0].text.strip() for o in outputs]

    return generate


def run_mtbench(generate, spec: MTBenchSpec, *, seed: int) -> tuple[dict[str, float], dict[str, Any], list[str]]:
    """(metrics, provenance, warnings): answers from `generate`, ratings from the judge."""
    questions = load_questions(spec.questions, limit=spec.limit)
    answers = generate_answers(generate, questions)
    items = [
        (q["question_id"], turn + 1, judge_messages(q["turns"], a, turn + 1))
        for q, a in zip(questions, answers, strict=True)
        for turn in range(len(q["turns"]))
    ]
    judgments = judge_all(items, spec.judge, seed=seed)
    rated = [j for j in judgments if j.score is not None]
    failures = [{"question_id": j.question_id, "turn": j.turn, "attempts": j.attempts, **j.failure}
                for j in judgments if j.score is None]  # fmt: skip
    if not rated:
        first = failures[0]
        raise DataError(
            f"MT-Bench: all {len(judgments)} judgments failed (first: {first['reason']}: {first['detail'][:200]}); "
            f"check the judge at {spec.judge.base_url}"
        )
    metrics = {MTBENCH_METRIC: sum(j.score for j in rated) / len(rated)}
    for turn in sorted({j.turn for j in rated}):
        scores = [j.score for j in rated if j.turn == turn]
        metrics[f"mtbench/turn_{turn}"] = sum(scores) / len(scores)
    warnings = [f"MT-Bench: {len(failures)} of {len(judgments)} judgments failed and are left out of the scores"
                ] if failures else []  # fmt: skip
    meta = {
        "questions": spec.questions,
        "num_questions": len(questions),
        "num_judgments": len(judgments),
        "num_failed": len(failures),
        "failures": failures,
        "judge": {"base_url": spec.judge.base_url, "model": spec.judge.model},
        "generation": {
            "max_new_tokens": spec.max_new_tokens,
            "temperature": spec.temperature,
            "top_p": spec.top_p,
            "seed": seed,
        },  # fmt: skip
        "ratings": [{"question_id": j.question_id, "turn": j.turn, "score": j.score} for j in judgments],
    }
    return metrics, meta, warnings
