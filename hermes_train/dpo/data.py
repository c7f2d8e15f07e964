"""Preference pairs to training rows: prompt + chosen and prompt + rejected, tokenized and masked exactly like SFT.

Each reply is rendered after its prompt with `tokenize_record` (the project's one token-accounting function), so the
prompt's system, user and tool turns and the template scaffolding are -100 as in SFT. On top of that every token of
the prompt is masked, including assistant turns of a multi-turn prompt (SFT learns those; DPO compares only the two
final replies). The reply's assistant tokens and their `<|im_end|>` are what the log-probabilities sum over; tool
turns inside a reply stay masked (the model does not write them).

    tokens:  BOS <|im_start|>user\n {prompt} <|im_end|>\n <|im_start|>assistant\n {reply} <|im_end|> \n
    labels:  -100 ........................................................... learned  learned     -100

A pair is trained on only if both replies are; the others are counted by reason (`chosen_too_long`,
`rejected_no_output`, `identical_replies`, …) for run.json, never trained on silently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from hermes_data.errors import DataError
from hermes_data.tokenizer import encode_chatml
from hermes_train.tokenize import IGNORE_INDEX, tokenize_record

PAIR_COLUMNS = ("id", "prompt", "chosen", "rejected")
TOKENIZED_PAIR_COLUMNS = ("id", "chosen_input_ids", "chosen_labels", "rejected_input_ids", "rejected_labels", "outcome")


def load_pairs(ref: str):
    """`(datasets.Dataset, ResolvedRef)` of a preference-pair dataset; a dataset of another kind is a DataError."""
    from hermes_data.load import load_mix

    dataset, resolved = load_mix(ref)
    missing = [column for column in PAIR_COLUMNS if column not in dataset.column_names]
    if missing:
        raise DataError(
            f"dataset {ref}: not a preference-pair dataset (no {', '.join(missing)} column; it has "
            f"{', '.join(dataset.column_names)}); build pairs with `hermes-data pairs RECIPE`"
        )
    return dataset, resolved


def tokenize_pair(pair: Mapping[str, Any], tokenizer, max_length: int, *, overflow: str = "drop") -> dict[str, Any]:
    """Both sides of one pair as `{chosen,rejected}_{input_ids,labels}` and an `outcome` ("kept" or a drop reason)."""
    row_id, prompt = pair.get("id"), list(pair["prompt"] or [])
    try:
        prompt_ids, _ = encode_chatml(prompt, tokenizer)
    except (DataError, KeyError, TypeError) as exc:
        raise DataError(f"pair {row_id!r}: cannot tokenize the prompt ({exc})") from exc
    out: dict[str, Any] = {"id": row_id, "outcome": "kept"}
    for side in ("chosen", "rejected"):
        reply = list(pair[side] or [])
        if not reply:
            return _dropped(row_id, f"{side}_empty")
        row = tokenize_record({"id": row_id, "messages": prompt + reply}, tokenizer, max_length, overflow=overflow)
        if row["outcome"] not in ("kept", "truncated"):
            return _dropped(row_id, f"{side}_{row['outcome']}")
        ids, labels = row["input_ids"], row["labels"]
        num_prompt = min(len(prompt_ids), len(ids))
        if ids[:num_prompt] != prompt_ids[:num_prompt]:
            raise DataError(f"pair {row_id!r}: the prompt's tokens change when the {side} reply follows them")
        labels = [IGNORE_INDEX] * num_prompt + labels[num_prompt:]  # earlier assistant turns are prompt here
        if all(label == IGNORE_INDEX for label in labels):
            return _dropped(row_id, f"{side}_no_output")
        out[f"{side}_input_ids"], out[f"{side}_labels"] = ids, labels
    if out["chosen_input_ids"] == out["rejected_input_ids"]:
        return _dropped(row_id, "identical_replies")
    return out


def _dropped(row_id: object, reason: str) -> dict[str, Any]:
    return {"id": row_id, "outcome": reason, **{c: [] for c in TOKENIZED_PAIR_COLUMNS[1:-1]}}


def tokenize_pairs(dataset, tokenizer, max_length: int, *, overflow: str = "drop") -> tuple[list[dict], dict]:
    """The trainable pairs of a pair dataset and `{"pairs": n, "kept": k, <reason>: count, …}`."""

    def batch_fn(batch: Mapping[str, list]) -> dict[str, list]:
        out: dict[str, list] = {column: [] for column in TOKENIZED_PAIR_COLUMNS}
        for i in range(len(batch["prompt"])):
            row = tokenize_pair({k: batch[k][i] for k in PAIR_COLUMNS}, tokenizer, max_length, overflow=overflow)
            for column in TOKENIZED_PAIR_COLUMNS:
                out[column].append(row[column])
        return out

    tokenized = dataset.map(batch_fn, batched=True, remove_columns=dataset.column_names, desc="tokenize pairs")
    counts = {"pairs": len(dataset), **Counter(tokenized["outcome"])}
    counts.setdefault("kept", 0)
    kept = [row for row in tokenized if row["outcome"] == "kept"]
    return kept, counts


def split_eval(num_pairs: int, fraction: float, *, seed: int) -> tuple[list[int], list[int]]:
    """(train, eval) pair indices: a seeded permutation, the first `fraction` held out (at least one pair)."""
    order = np.random.default_rng([seed, 7]).permutation(num_pairs).tolist()
    num_eval = 0 if fraction == 0 else max(1, round(fraction * num_pairs))
    if num_eval >= num_pairs:
        raise DataError(f"eval_fraction {fraction} leaves no training pairs out of {num_pairs}; lower it")
    return sorted(order[num_eval:]), sorted(order[:num_eval])


@dataclass(frozen=True)
class PairCollator:
    """P pairs to one right-padded batch of 2P rows: the P chosen rows, then the P rejected rows.

    Right padding needs no attention mask: under the causal mask a real token never sees the padding after it, so
    each row's log-probs are those of the unpadded sequence. `lengths` are each row's own token counts (NEFTune).
    """

    pad_token_id: int

    def __call__(self, pairs: Sequence[Mapping[str, list[int]]]) -> dict[str, torch.Tensor]:
        rows = [(p["chosen_input_ids"], p["chosen_labels"]) for p in pairs]
        rows += [(p["rejected_input_ids"], p["rejected_labels"]) for p in pairs]
        width = max(len(ids) for ids, _ in rows)
        input_ids = torch.full((len(rows), width), self.pad_token_id, dtype=torch.long)
        labels = torch.full((len(rows), width), IGNORE_INDEX, dtype=torch.long)
        for i, (ids, labs) in enumerate(rows):
            input_ids[i, : len(ids)] = torch.tensor(ids)
            labels[i, : len(labs)] = torch.tensor(labs)
        lengths = torch.tensor([len(ids) for ids, _ in rows], dtype=torch.long)
        return {"input_ids": input_ids, "labels": labels, "lengths": lengths}
