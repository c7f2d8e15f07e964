"""Deduplication (DESIGN §7): exact on the normalized conversation, then near-duplicates by MinHash LSH candidates
verified with rapidfuzz. Pure functions over lists of keys and texts; the build stage maps them onto tables.

    keep = exact_duplicates([exact_key(m) for m in messages], model_rank=ranks)
    near = near_duplicates([dedup_text(m) for m in kept_messages], model_rank=kept_ranks,
                           distinct=[row_identity(m, tools, docs) for m, tools, docs in kept_rows])
"""

from hermes_data.dedup.exact import exact_duplicates, exact_key, exact_keys, keep_order, normalize_text
from hermes_data.dedup.near import (
    NearDupResult,
    dedup_text,
    near_duplicates,
    prompt_numbers,
    recurring_lines,
    row_identity,
)

__all__ = [
    "NearDupResult",
    "dedup_text",
    "exact_duplicates",
    "exact_key",
    "exact_keys",
    "keep_order",
    "near_duplicates",
    "normalize_text",
    "prompt_numbers",
    "recurring_lines",
    "row_identity",
]
