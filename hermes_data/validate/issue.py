"""One validator finding: a code of `CODES`, the 0-based message index (None for the whole row) and a message."""

from __future__ import annotations

from typing import NamedTuple


class Issue(NamedTuple):
    code: str
    turn: int | None
    message: str
