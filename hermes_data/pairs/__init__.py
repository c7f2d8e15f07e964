"""Preference pairs (DESIGN §2, issue 7): read the common pair layouts, pair judged candidates, filter and dedup pairs,
write a pair folder that loads and publishes like a mix, and export TRL's conversational layout.

    from hermes_data.pairs import read_pairs, write_trl
    pairs = [p for p in read_pairs("orca_dpo_pairs.jsonl") if isinstance(p, dict)]
    write_trl(pairs, "pairs.parquet")
"""

from hermes_data.pairs.export import pair_to_trl, write_trl
from hermes_data.pairs.pairing import Pairing, candidate_reasons, judge_score, pair_candidates, split_reply
from hermes_data.pairs.readers import PAIR_FORMATS, input_kind, pair_format, read_pairs
from hermes_data.pairs.record import (
    PAIR_FIELDS,
    PAIR_SCHEMA,
    REJECTED_CANDIDATE_SCHEMA,
    REJECTED_PAIR_SCHEMA,
    make_pair,
    pairs_to_table,
)

__all__ = [
    "PAIR_FIELDS",
    "PAIR_FORMATS",
    "PAIR_SCHEMA",
    "REJECTED_CANDIDATE_SCHEMA",
    "REJECTED_PAIR_SCHEMA",
    "Pairing",
    "candidate_reasons",
    "input_kind",
    "judge_score",
    "make_pair",
    "pair_candidates",
    "pair_format",
    "pair_to_trl",
    "pairs_to_table",
    "read_pairs",
    "split_reply",
    "write_trl",
]
