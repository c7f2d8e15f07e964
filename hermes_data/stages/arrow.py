"""Column helpers stage adapters share: read the parts of a `messages` column a stage needs without turning every
conversation into Python objects."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def last_replies(messages: pa.ListArray) -> list[str | None]:
    """Content of each row's last assistant message (None when it has none), from the Arrow columns directly."""
    return _last_content(messages, "assistant")


def last_requests(messages: pa.ListArray) -> list[str | None]:
    """Content of each row's last user message (None when it has none): the request a final reply answers."""
    return _last_content(messages, "user")


def _last_content(messages: pa.ListArray, role: str) -> list[str | None]:
    offsets = messages.offsets.to_numpy()
    values = messages.values  # the unsliced child: `offsets` index into it
    is_role = pc.fill_null(pc.equal(pc.struct_field(values, "role"), role), False).to_numpy(zero_copy_only=False)
    idx = np.flatnonzero(is_role)
    idx = idx[(idx >= offsets[0]) & (idx < offsets[-1])]
    row_of = np.searchsorted(offsets, idx, side="right") - 1
    last = np.r_[row_of[1:] != row_of[:-1], True] if len(idx) else np.zeros(0, dtype=bool)
    take = np.full(len(messages), -1, dtype=np.int64)
    take[row_of[last]] = idx[last]
    positions = pa.array(take, mask=take < 0)
    return pc.take(pc.struct_field(values, "content"), positions).to_pylist()


def row_lengths(table: pa.Table) -> list[int]:
    """Input + output tokens per row of an annotated table, as a list (dedup's keep order prefers the longest)."""
    return pc.add(table.column("_input_tokens"), table.column("_output_tokens")).to_pylist()
