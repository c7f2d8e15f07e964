"""Working tables for the pair stages: the schema's columns plus what the stages look at.

Pairs get token counts per side (the trainer's accounting: `hermes_data.tokenizer.count_tokens` of prompt+chosen and
of prompt+rejected), the validator's codes, the dedup unit and the reader's finding. A pair's tokens in the funnel
are those of both conversations, what a DPO step processes. Candidates get their own token counts.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from hermes_data.pairs.convert import PROBLEM
from hermes_data.pairs.record import PAIR_FIELDS, PAIR_SCHEMA
from hermes_data.record import RECORD_SCHEMA, make_record, meta_of
from hermes_data.tokenizer import count_tokens

PAIR_WORK_SCHEMA = pa.schema(
    [
        *PAIR_SCHEMA,
        ("_problem", pa.string()),
        ("_unit", pa.string()),
        ("_invalid", pa.bool_()),
        ("_chosen_tokens", pa.int64()),
        ("_rejected_tokens", pa.int64()),
        ("_chosen_output_tokens", pa.int64()),
        ("_rejected_output_tokens", pa.int64()),
        ("_input_tokens", pa.int64()),  # both sides: hermes_data.stages' row_tokens sums these two for the funnel
        ("_output_tokens", pa.int64()),
    ]
)
CANDIDATE_WORK_SCHEMA = pa.schema([*RECORD_SCHEMA, ("_input_tokens", pa.int64()), ("_output_tokens", pa.int64())])


def validator_codes(prompt: list[dict], reply: list[dict]) -> list[str]:
    """The validator's codes for the conversation prompt+reply, taken as a record (DESIGN §5)."""
    from hermes_data.validate import validate_record

    record = make_record([*prompt, *reply])
    return sorted({issue.code for issue in validate_record(record)})


def annotate_pairs(pairs: list[dict[str, Any]], tokenizer) -> pa.Table:
    """The working table of `pairs` (dicts from the readers or the pairing), in order."""
    conversations = [p["prompt"] + p["chosen"] for p in pairs] + [p["prompt"] + p["rejected"] for p in pairs]
    counts = count_tokens(conversations, tokenizer)
    rows = []
    for i, pair in enumerate(pairs):
        (c_in, c_out), (r_in, r_out) = counts[i], counts[len(pairs) + i]
        meta = meta_of(pair)
        codes = {side: validator_codes(pair["prompt"], pair[side]) for side in ("chosen", "rejected")}
        invalid = any(codes.values())
        if invalid:
            meta["validator"] = {side: found for side, found in codes.items() if found}
        prompt_id = meta.get("prompt_id")
        rows.append(
            {
                **{k: pair.get(k) for k in PAIR_FIELDS},
                "meta": json.dumps(meta, ensure_ascii=False, sort_keys=True),
                "_problem": pair.get(PROBLEM),
                "_unit": f"{pair['source']}\x1f{prompt_id}" if prompt_id else f"\x1e{i}",
                "_invalid": invalid,
                "_chosen_tokens": c_in + c_out,
                "_rejected_tokens": r_in + r_out,
                "_chosen_output_tokens": c_out,
                "_rejected_output_tokens": r_out,
                "_input_tokens": c_in + r_in,
                "_output_tokens": c_out + r_out,
            }
        )
    return pa.Table.from_pylist(rows, schema=PAIR_WORK_SCHEMA)


def annotate_candidates(records: list[dict[str, Any]], tokenizer) -> pa.Table:
    """The working table of candidate records: the record columns and their token counts."""
    counts = count_tokens([r["messages"] for r in records], tokenizer)
    rows = [
        {**{k: r.get(k) for k in RECORD_SCHEMA.names}, "_input_tokens": i, "_output_tokens": o}
        for r, (i, o) in zip(records, counts, strict=True)
    ]
    return pa.Table.from_pylist(rows, schema=CANDIDATE_WORK_SCHEMA)
