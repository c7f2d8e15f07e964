"""The pair stages: each a function from the working pair table to a `Verdict` (hermes_data.stages routes the rejects).

The working table (`annotate.annotate_pairs`) holds the pair columns plus `_problem` (a reader's finding),
`_unit`, and token counts per side. Pairs are few next to SFT rows (one per prompt) and each check needs the
messages as Python objects (the validator, the dedup normalizers), so these loop over rows.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from hermes_data.stages.verdict import Verdict, detail_json, verdict_from_mask


def _column(table: pa.Table, name: str) -> list:
    return table.column(name).to_pylist()


def reader_problem_filter(table: pa.Table) -> Verdict:
    """Drop the pairs a reader flagged (`prompt_mismatch`: chosen and rejected answer different prompts)."""
    problems = _column(table, "_problem")
    return Verdict(keep=np.array([p is None for p in problems], dtype=bool), reasons=problems)


def has_content(reply: list[dict] | None) -> bool:
    """A reply says something: at least one assistant turn with non-whitespace content."""
    return any(m["role"] == "assistant" and (m["content"] or "").strip() for m in reply or [])


def empty_reply_filter(table: pa.Table) -> Verdict:
    """Drop pairs whose chosen or rejected reply is empty (`empty_reply`): nothing to prefer or avoid."""
    chosen, rejected = _column(table, "chosen"), _column(table, "rejected")
    drop = np.array([not (has_content(c) and has_content(r)) for c, r in zip(chosen, rejected, strict=True)])
    return verdict_from_mask(drop.astype(bool), "empty_reply")


def identical_replies_filter(table: pa.Table) -> Verdict:
    """Drop pairs whose replies are the same text after normalization (`identical_replies`): DPO's loss has no
    gradient on them, and they usually mean a generation or judging bug. Normalization is the exact-dedup one
    (NFKC, case, whitespace), so a reply that differs only in its trailing newline counts as the same."""
    from hermes_data.dedup import exact_key

    chosen, rejected = _column(table, "chosen"), _column(table, "rejected")
    drop = np.array([exact_key(c) == exact_key(r) for c, r in zip(chosen, rejected, strict=True)], dtype=bool)
    return verdict_from_mask(drop, "identical_replies")


def invalid_filter(table: pa.Table) -> Verdict:
    """Drop pairs where the validator found an issue in prompt+chosen or prompt+rejected (`invalid_reply`); the
    codes are in the pair's `meta.validator` (annotate.py)."""
    drop = np.array([bool(v) for v in _column(table, "_invalid")], dtype=bool)
    return verdict_from_mask(drop, "invalid_reply")


def length_filter(table: pa.Table, *, min_tokens: int, max_tokens: int) -> Verdict:
    """Both conversations (prompt+chosen, prompt+rejected) must fit `max_tokens` (the trainer's max_length) and
    reach `min_tokens`; token counts are the trainer's own (hermes_data.tokenizer.count_tokens)."""
    chosen = table.column("_chosen_tokens").to_numpy(zero_copy_only=False)
    rejected = table.column("_rejected_tokens").to_numpy(zero_copy_only=False)
    longest, shortest = np.maximum(chosen, rejected), np.minimum(chosen, rejected)
    reasons = np.where(longest > max_tokens, "too_long", np.where(shortest < min_tokens, "too_short", ""))
    return Verdict(keep=reasons == "", reasons=[r or None for r in reasons.tolist()])


def _units(table: pa.Table) -> tuple[list[int], list[int]]:
    """(first row of each unit in order, unit number of each row). A unit is the pairs of one prompt group of one
    source (the best reply against several worse ones): they share prompt+chosen by design, so dedup compares
    units, not rows, and keeps or drops a unit whole."""
    firsts, number_of, rows = [], {}, []
    for row, unit in enumerate(_column(table, "_unit")):
        if unit not in number_of:
            number_of[unit] = len(firsts)
            firsts.append(row)
        rows.append(number_of[unit])
    return firsts, rows


def _prompt_chosen(table: pa.Table, rows: list[int]) -> list[list[dict]]:
    prompts, chosen = _column(table, "prompt"), _column(table, "chosen")
    return [prompts[i] + chosen[i] for i in rows]


def exact_dedup_filter(table: pa.Table) -> Verdict:
    """Drop units whose prompt+chosen equals an earlier unit's after normalization (`exact_duplicate`)."""
    from hermes_data.dedup import exact_duplicates, exact_key

    firsts, unit_of = _units(table)
    keys = [exact_key(m) for m in _prompt_chosen(table, firsts)]
    keep_unit = exact_duplicates(keys)
    drop = ~np.asarray(keep_unit, dtype=bool)[np.asarray(unit_of, dtype=np.int64)] if unit_of else np.zeros(0, bool)
    kept_first = {keys[u]: firsts[u] for u in np.flatnonzero(keep_unit).tolist()}
    return verdict_from_mask(
        drop, "exact_duplicate", _kept_details(table, drop, [kept_first[keys[u]] for u in unit_of])
    )


def _kept_details(table: pa.Table, drop: np.ndarray, kept_row: list[int | None]) -> list[str | None]:
    """`detail` of each dropped pair: the id of the pair kept in its place (the first pair of the kept unit)."""
    ids = _column(table, "id")
    return [detail_json(kept_id=ids[kept_row[i]]) if d else None for i, d in enumerate(drop.tolist())]


def near_dedup_filter(table: pa.Table, *, threshold: float, num_perm: int, ngram: int, seed: int) -> Verdict:
    """Drop units whose prompt+chosen nearly equals an earlier unit's (`near_duplicate`): MinHash LSH candidates
    verified with rapidfuzz, as for SFT rows; prompts with different numbers are never merged."""
    from hermes_data.dedup import dedup_text, near_duplicates, prompt_numbers

    firsts, unit_of = _units(table)
    conversations = _prompt_chosen(table, firsts)
    prompts = _column(table, "prompt")
    result = near_duplicates(
        [dedup_text(m) for m in conversations],
        threshold=threshold,
        num_perm=num_perm,
        ngram=ngram,
        seed=seed,
        distinct=[prompt_numbers(prompts[i]) for i in firsts],
    )
    drop = ~np.asarray(result.keep, dtype=bool)[np.asarray(unit_of, dtype=np.int64)] if unit_of else np.zeros(0, bool)
    kept_unit = [result.duplicate_of[u] for u in unit_of]
    kept_row = [None if k is None else firsts[k] for k in kept_unit]
    return verdict_from_mask(drop, "near_duplicate", _kept_details(table, drop, kept_row))
