r"""Records to training rows: ChatML `input_ids` and `labels` from the project's one token-accounting function.

Labels come straight from `hermes_data.tokenizer.encode_chatml`'s loss mask (DESIGN §6), never from a second
implementation, so a build's output-token count equals the number of labels that are not -100:

    tokens:  BOS   <|im_start|>user\n   {user}<|im_end|>\n   <|im_start|>assistant\n   {answer}<|im_end|>   \n
    labels:  -100  -100                 -100                 -100                      learned              -100

System and tool turns are masked like user turns; tool calls and reasoning tags inside an answer are learned.

Labels are aligned with `input_ids` (not shifted): `transformers`' causal-LM loss shifts them itself. Every sample
starts with BOS, whose label is -100, so in a packed row the last token of one sample never learns to predict the
first token of the next.

Rows longer than `max_length` are dropped (the default; a build's `max_tokens` filter already keeps them out) or
truncated; a row left with no learned token (no assistant turn, or truncated before it) is dropped too. Each outcome
is a snake_case reason, counted by `tokenize_dataset`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from hermes_data.errors import DataError, RecipeError
from hermes_data.tokenizer import encode_chatml
from hermes_data.tokenizer.chatml import IM_END, IM_START

if TYPE_CHECKING:
    from datasets import Dataset

IGNORE_INDEX = -100  # the label `torch.nn.CrossEntropyLoss` (and transformers' loss) skips
Overflow = Literal["drop", "truncate"]
OVERFLOWS = ("drop", "truncate")
# Outcome of one record; "kept" and "truncated" rows are trained on, the others are left out and counted.
OUTCOMES = ("kept", "truncated", "too_long", "no_output")
TOKENIZED_COLUMNS = ("id", "input_ids", "labels", "num_tokens", "outcome")


def tokenize_record(
    record: Mapping[str, Any], tokenizer, max_length: int, *, overflow: Overflow = "drop"
) -> dict[str, Any]:
    """`{"id", "input_ids", "labels", "num_tokens", "outcome"}` for one record (a dict with `messages`).

    `num_tokens` is the length before truncation; `outcome` is one of `OUTCOMES`. Rows left out ("too_long",
    "no_output") come back with empty `input_ids` and `labels` so a batch keeps its row count until it is filtered.
    """
    _check_options(max_length, overflow)
    row_id = record.get("id")
    try:
        ids, mask = encode_chatml(record["messages"], tokenizer)
    except (DataError, KeyError, TypeError) as exc:
        raise DataError(f"row {row_id!r}: cannot tokenize ({exc}); records need messages [{{role, content}}]") from exc
    labels = [token if learned else IGNORE_INDEX for token, learned in zip(ids, mask, strict=True)]
    outcome = "kept"
    if len(ids) > max_length:
        if overflow == "drop":
            return _left_out(row_id, len(ids), "too_long")
        ids, labels, outcome = ids[:max_length], labels[:max_length], "truncated"
    if all(label == IGNORE_INDEX for label in labels):
        return _left_out(row_id, len(mask), "no_output")
    return {"id": row_id, "input_ids": ids, "labels": labels, "num_tokens": len(mask), "outcome": outcome}


def _left_out(row_id: object, num_tokens: int, outcome: str) -> dict[str, Any]:
    return {"id": row_id, "input_ids": [], "labels": [], "num_tokens": num_tokens, "outcome": outcome}


def _check_options(max_length: int, overflow: str) -> None:
    if overflow not in OVERFLOWS:
        raise RecipeError(f"overflow: {overflow!r} is not one of {', '.join(OVERFLOWS)}")
    if not isinstance(max_length, int) or max_length < 2:
        raise RecipeError(f"max_length: must be an integer >= 2, got {max_length!r}")


def tokenize_batch(
    batch: Mapping[str, list], tokenizer, max_length: int, *, overflow: Overflow = "drop"
) -> dict[str, list]:
    """Columnar `tokenize_record` for `datasets.Dataset.map(batched=True)`: every row in, one row out, with `outcome`.

    Rows are kept (not filtered here) so `map` can run without `remove_columns` tricks and the outcomes can be
    counted afterwards; `tokenize_dataset` does both.
    """
    messages = batch["messages"]
    ids = batch.get("id") or [None] * len(messages)
    out: dict[str, list] = {column: [] for column in TOKENIZED_COLUMNS}
    for row_id, conversation in zip(ids, messages, strict=True):
        row = tokenize_record({"id": row_id, "messages": conversation}, tokenizer, max_length, overflow=overflow)
        for column in TOKENIZED_COLUMNS:
            out[column].append(row[column])
    return out


def tokenize_dataset(
    dataset: Dataset, tokenizer, max_length: int, *, overflow: Overflow = "drop", num_proc: int | None = None
) -> tuple[Dataset, dict[str, int]]:
    """Tokenize a record dataset; returns the trainable rows and `{"rows", <outcome>: count, …}`.

    The returned dataset has columns `id`, `input_ids`, `labels`, `num_tokens`, `outcome` and only "kept" and
    "truncated" rows.
    """
    _check_options(max_length, overflow)
    tokenized = dataset.map(
        tokenize_batch,
        batched=True,
        fn_kwargs={"tokenizer": tokenizer, "max_length": max_length, "overflow": overflow},
        remove_columns=dataset.column_names,
        num_proc=num_proc,
        desc="tokenize",
    )
    outcomes = Counter(tokenized["outcome"])
    counts = {"rows": len(dataset), **{outcome: outcomes.get(outcome, 0) for outcome in OUTCOMES}}
    trainable = tokenized.filter(lambda batch: [o in ("kept", "truncated") for o in batch["outcome"]], batched=True)
    return trainable, counts


def check_model_tokenizer(model_or_config, tokenizer) -> None:
    """Stop with a `RecipeError` when the model's embeddings cannot serve the tokenizer's ids.

    Checks that every token id (`len(tokenizer)`, ChatML, BOS, pad) has an embedding row, and that the model's BOS is
    the tokenizer's: a model trained with another tokenizer family would learn from mismatched ids without any error.
    A larger embedding than the vocabulary is fine (many checkpoints pad it to a multiple of 64).
    """
    config = getattr(model_or_config, "config", model_or_config)
    embeddings = getattr(model_or_config, "get_input_embeddings", None)
    num_rows = embeddings().weight.shape[0] if embeddings is not None else config.vocab_size
    chatml = {t: tokenizer.convert_tokens_to_ids(t) for t in (IM_START, IM_END)}
    missing = [t for t, i in chatml.items() if i is None or i == tokenizer.unk_token_id]
    if missing:
        raise RecipeError(f"tokenizer: lacks {', '.join(missing)}; set `add_chatml_tokens: true` or use 'llama3'")
    special = {**chatml, "bos": tokenizer.bos_token_id, "pad": tokenizer.pad_token_id}
    too_big = {name: i for name, i in special.items() if i is not None and i >= num_rows}
    if len(tokenizer) > num_rows or too_big:
        raise RecipeError(
            f"model: its embedding has {num_rows} rows but the tokenizer has {len(tokenizer)} tokens"
            + (f" (ids beyond the embedding: {too_big})" if too_big else "")
            + "; resize the embeddings to the tokenizer (`model.resize_token_embeddings(len(tokenizer))`) or use the "
            "tokenizer the model was built for"
        )
    model_bos = getattr(config, "bos_token_id", None)
    if model_bos is not None and tokenizer.bos_token_id is not None and model_bos != tokenizer.bos_token_id:
        raise RecipeError(
            f"tokenizer: BOS id {tokenizer.bos_token_id} differs from the model's bos_token_id {model_bos}; "
            "the model was trained with another tokenizer: set `tokenizer:` to the model's own"
        )
