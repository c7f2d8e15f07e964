"""Exact deduplication on the normalized conversation, and the keep order every dedup stage shares.

Normalization (DESIGN §7), applied to each message's content:

1. Unicode NFKC, so full-width letters, ligatures and non-breaking spaces compare equal to their plain forms;
2. lowercase;
3. every run of whitespace (spaces, tabs, newlines, Unicode spaces) becomes one space;
4. leading and trailing whitespace is stripped.

The key covers the whole conversation, system prompt included, with each message's role: the same answer under a
different system prompt or from a different speaker is a different row. Punctuation and digits are kept as they are,
so "2 + 2 = 4" and "2 + 2 = 5" are different rows (near-dedup decides about small edits, see `near.py`).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

# Unit and record separators cannot survive whitespace collapsing inside a content, so a role/content boundary can
# never be forged by the text itself.
_ROLE_SEP, _MESSAGE_SEP = b"\x1f", b"\x1e"

if TYPE_CHECKING:
    import pyarrow as pa

    from hermes_data.stages.verdict import Verdict


# The bytes str.split() treats as whitespace in ASCII text, mapped to a space for the fast path.
_ASCII_SPACES = bytes.maketrans(b"\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f", b" " * 9)


def _normalized_utf8(text: str) -> bytes:
    if not text.isascii():  # NFKC leaves ASCII unchanged; str.isascii() is O(1)
        return " ".join(unicodedata.normalize("NFKC", text).lower().split()).encode()
    # The same result for ASCII, several times faster: byte-level translate and replace build no list of words.
    data = text.lower().encode().translate(_ASCII_SPACES)
    while b"  " in data:
        data = data.replace(b"  ", b" ")
    return data.strip(b" ")


def normalize_text(text: str) -> str:
    """NFKC, lowercase, whitespace runs collapsed to one space, stripped."""
    return _normalized_utf8(text).decode()


def exact_key(messages: Sequence[dict]) -> str:
    """Hex key (128-bit BLAKE2b) of the normalized conversation: roles and contents of every message, in order."""
    canon = _MESSAGE_SEP.join(
        m["role"].encode() + _ROLE_SEP + _normalized_utf8(m.get("content") or "") for m in messages
    )
    return hashlib.blake2b(canon, digest_size=16).hexdigest()


def exact_keys(conversations: Iterable[Sequence[dict]]) -> list[str]:
    """`exact_key` of each conversation (a `messages` column as Python lists)."""
    return [exact_key(messages) for messages in conversations]


def keep_order(
    num_rows: int, model_rank: Sequence[int | None] | None = None, lengths: Sequence[int] | None = None
) -> np.ndarray:
    """Preference position of each row (0 = kept first) among duplicates: the strongest model (lowest `model_rank`;
    None ranks below every model), then the longest text, then the first seen."""
    if model_rank is not None and len(model_rank) != num_rows:
        raise ValueError(f"model_rank has {len(model_rank)} entries for {num_rows} rows")
    if lengths is not None and len(lengths) != num_rows:
        raise ValueError(f"lengths has {len(lengths)} entries for {num_rows} rows")
    ranks = np.zeros(num_rows, dtype=np.float64)
    if model_rank is not None:
        ranks = np.array([np.inf if r is None else r for r in model_rank], dtype=np.float64)
    negative_lengths = -np.asarray(lengths, dtype=np.int64) if lengths is not None else np.zeros(num_rows, np.int64)
    order = np.lexsort((np.arange(num_rows), negative_lengths, ranks))
    position = np.empty(num_rows, dtype=np.int64)
    position[order] = np.arange(num_rows)
    return position


def exact_duplicates(
    keys: Sequence[str], *, model_rank: Sequence[int | None] | None = None, lengths: Sequence[int] | None = None
) -> np.ndarray:
    """Keep-mask over `keys`: one row per distinct key, the first in `keep_order` (the first occurrence when
    neither `model_rank` nor `lengths` is given)."""
    position = keep_order(len(keys), model_rank, lengths)
    frame = pl.DataFrame({"key": pl.Series(list(keys), dtype=pl.String), "position": position})
    # Sorted by preference, the first row of each key is the one to keep.
    best = frame.with_row_index("row").sort("position").filter(pl.col("key").is_first_distinct())["row"]
    keep = np.zeros(len(keys), dtype=bool)
    keep[best.to_numpy()] = True
    return keep


# ---------------------------------------------------------------------------------------------------------------
# The build stage (hermes_data.build.stages lists it; hermes_data.stages runs it)


def exact_dedup_stage(table: pa.Table) -> Verdict:
    """Drop rows whose normalized conversation (`_exact_key`) equals a row kept in `keep_order`; `detail` names
    the kept row's id."""
    from hermes_data.stages.arrow import row_lengths
    from hermes_data.stages.verdict import detail_json, verdict_from_mask

    keys = table.column("_exact_key").to_pylist()
    keep = exact_duplicates(keys, model_rank=table.column("_model_rank").to_pylist(), lengths=row_lengths(table))
    ids = table.column("id").to_pylist()
    kept_id = {keys[i]: ids[i] for i in np.flatnonzero(keep).tolist()}
    details = [None if k else detail_json(kept_id=kept_id[key]) for k, key in zip(keep.tolist(), keys, strict=True)]
    return verdict_from_mask(~np.asarray(keep, dtype=bool), "exact_duplicate", details)
