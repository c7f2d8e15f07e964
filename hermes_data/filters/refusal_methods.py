"""The refusals stage under a model method: which rows go to the classifier or the judge, and the combined mask."""

from __future__ import annotations

import numpy as np


def model_refusals(table, settings, rules_drop):
    """The refusals stage's mask under a model method (`settings`: RefusalsSettings).

    `rules_drop` is the rules' mask; with `rules+classifier` / `rules+judge` those rows stay dropped and only the
    rest go to the model, with `classifier` / `judge` the model decides every row's final assistant reply.
    """
    keep_rules = settings.method.startswith("rules+")
    todo, texts, prompts = [], [], []
    for i, messages in enumerate(table.column("messages").to_pylist()):
        if keep_rules and rules_drop[i]:
            continue
        reply, prompt = _final_reply(messages)
        if reply:
            todo.append(i)
            texts.append(reply)
            prompts.append(prompt)
    drop = rules_drop.copy() if keep_rules else np.zeros(table.num_rows, dtype=bool)
    if todo:
        if settings.method.endswith("classifier"):
            from hermes_data.filters.refusal_classifier import RefusalClassifier

            predicted = RefusalClassifier(settings.classifier.spec()).predict(texts, prompts)
        else:
            from hermes_data.filters.refusal_judge import judge_refusals

            predicted = judge_refusals(texts, prompts, settings.judge.endpoint(), settings.judge.journal_path())
        drop[np.asarray(todo)[np.asarray(predicted, dtype=bool)]] = True
    return drop


def _final_reply(messages: list[dict]) -> tuple[str | None, str | None]:
    reply = prompt = None
    for m in messages:
        if m.get("role") == "assistant":
            reply = m.get("content")
        elif m.get("role") == "user":
            prompt = m.get("content")
            reply = None
    return reply, prompt
