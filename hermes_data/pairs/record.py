"""The preference-pair record (DESIGN §2), as a pyarrow schema and plain-dict helpers.

A pair is a dict with exactly the schema's keys:
`{"id", "category", "source", "prompt": [{"role", "content"}], "chosen": [...], "rejected": [...], "meta"}`.
`prompt` holds the messages before the final assistant reply (it may end with a user or a tool turn); `chosen` and
`rejected` each hold one reply: an assistant turn, or several assistant/tool turns when the reply calls tools. The
contents are Hermes text exactly as in the conversation record. `meta` is a JSON object serialized as a string
(models, judge scores, margin, prompt_id).

`content_sha256` of a pair folder is defined as for a mix (DESIGN §7), over the pair columns: every pair as
canonical JSON (sorted keys, UTF-8) in output order, one newline after each.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from hermes_data.dataset.folder import REJECTED_COLUMNS
from hermes_data.record import MESSAGE_TYPE, RECORD_SCHEMA, content_id

PAIR_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("category", pa.string()),
        ("source", pa.string()),
        ("prompt", pa.list_(MESSAGE_TYPE)),
        ("chosen", pa.list_(MESSAGE_TYPE)),
        ("rejected", pa.list_(MESSAGE_TYPE)),
        ("meta", pa.string()),
    ]
)
PAIR_FIELDS = tuple(PAIR_SCHEMA.names)
# Dropped pairs, and dropped candidates (records, before pairing), each with the stage, reason and detail that
# dropped them.
REJECTED_PAIR_SCHEMA = pa.schema([*PAIR_SCHEMA, *REJECTED_COLUMNS])
REJECTED_CANDIDATE_SCHEMA = pa.schema([*RECORD_SCHEMA, *REJECTED_COLUMNS])


def _messages(messages: Iterable[dict]) -> list[dict[str, str]]:
    return [{"role": m["role"], "content": m.get("content") or ""} for m in messages]


def pair_id(prompt: list[dict], chosen: list[dict], rejected: list[dict]) -> str:
    """Stable id from the content: the hash of prompt, chosen and rejected (16 hex chars, like record ids)."""
    joined = content_id(prompt) + content_id(chosen) + content_id(rejected)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def make_pair(
    prompt: list[dict],
    chosen: list[dict],
    rejected: list[dict],
    *,
    id: str | None = None,  # noqa: A002 - the column is called id
    category: str | None = None,
    source: str = "",
    meta: dict[str, Any] | str | None = None,
) -> dict[str, Any]:
    """A pair dict with every field of `PAIR_SCHEMA`; `id` defaults to the content hash."""
    prompt, chosen, rejected = _messages(prompt), _messages(chosen), _messages(rejected)
    if isinstance(meta, dict):
        meta = json.dumps(meta, ensure_ascii=False, sort_keys=True)
    return {
        "id": str(id) if id not in (None, "") else pair_id(prompt, chosen, rejected),
        "category": category,
        "source": source,
        "prompt": prompt,
        "chosen": chosen,
        "rejected": rejected,
        "meta": meta or "{}",
    }


def pairs_to_table(pairs: Iterable[dict[str, Any]], schema: pa.Schema = PAIR_SCHEMA) -> pa.Table:
    """Pair dicts to an Arrow table with exactly `schema` (extra keys are left out)."""
    return pa.Table.from_pylist([{k: p.get(k) for k in schema.names} for p in pairs], schema=schema)
