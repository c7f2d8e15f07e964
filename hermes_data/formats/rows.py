"""Row shapes and their converters: the one place that knows which keys mean which format.

JSON files, Parquet files of other tools and `datasets` datasets all hold rows of the same few shapes, so every reader
detects the shape from the keys and sends the row through the same converter.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from hermes_data.formats.alpaca import ANSWER_KEYS, INSTRUCTION_KEYS, alpaca_row_to_record
from hermes_data.formats.common import PYTHON_LITERAL_READ, RowError, base_meta, literal_reads
from hermes_data.formats.openai_chat import openai_row_to_record
from hermes_data.formats.sharegpt import sharegpt_row_to_record
from hermes_data.formats.transcript import is_transcript, transcript_row_to_record
from hermes_data.markup.columns import columns_from_messages
from hermes_data.record import FIELDS, ROLES, make_record, meta_of

Converter = Callable[..., dict[str, Any]]


def record_row_to_record(row: dict[str, Any], *, source: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """A row already in the record schema: its own id, category and source are kept; columns are re-derived."""
    messages = row.get("messages")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise RowError("`messages` is not a list of {role, content}")
    for i, m in enumerate(messages):
        if m.get("role") not in ROLES:
            raise RowError(f"message {i} has role {m.get('role')!r}; a record allows {', '.join(ROLES)}")
    msgs = [{"role": m["role"], "content": m.get("content") or ""} for m in messages]
    tools, documents = columns_from_messages(msgs)
    return make_record(
        msgs,
        id=row.get("id"),
        category=row.get("category"),
        source=row.get("source") or source,
        model=row.get("model"),
        tools=tools,
        documents=documents,
        meta={**base_meta(row), **(meta or {})},
    )


CONVERTERS: dict[str, Converter] = {
    "record": record_row_to_record,
    "sharegpt": sharegpt_row_to_record,
    "openai": openai_row_to_record,
    "alpaca": alpaca_row_to_record,
    "transcript": transcript_row_to_record,
}


def shapes_of(keys: Iterable[str] | dict[str, Any]) -> list[str]:
    """Every row shape the keys fit; a full record schema wins over the `messages` of OpenAI rows. Given a row (not
    only its keys), string transcripts in `chosen`/`text`/`transcript` are recognised too."""
    row = keys if isinstance(keys, dict) else {}
    keys = set(keys)
    if set(FIELDS) <= keys:
        return ["record"]
    shapes = []
    if "conversations" in keys:
        shapes.append("sharegpt")
    if "messages" in keys:
        shapes.append("openai")
    if keys & set(INSTRUCTION_KEYS) and keys & set(ANSWER_KEYS):
        shapes.append("alpaca")
    if not shapes and any(is_transcript(row.get(k)) for k in ("chosen", "text", "transcript")):
        shapes.append("transcript")
    return shapes


def convert_row(row: Any, shape: str, *, source: str, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """Row to record with the converter of `shape`; a record-schema row is taken as a record whatever the shape."""
    if not isinstance(row, dict):
        raise RowError(f"row is a JSON {type(row).__name__}, not an object")
    if shapes_of(row) == ["record"]:
        shape = "record"
    with literal_reads() as fields:
        record = CONVERTERS[shape](row, source=source, meta=meta)
    if fields:
        record["meta"] = json.dumps(
            {**meta_of(record), PYTHON_LITERAL_READ: fields}, ensure_ascii=False, sort_keys=True
        )
    return record
