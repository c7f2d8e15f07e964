"""What a reader yields: a record dict, or an `Unreadable` naming the row it could not turn into one."""

from __future__ import annotations

from typing import Any, NamedTuple

from hermes_data.errors import where


class Unreadable(NamedTuple):
    """A row the reader skipped: malformed JSON or a row that is not a conversation. Readers keep going after it."""

    path: str
    line: int | None  # 1-based line in a JSON/JSONL file; None for Parquet and datasets rows
    index: int  # 0-based row position in the file (or dataset split)
    message: str

    def __str__(self) -> str:
        return f"{where(self.path, self.line)}: row {self.index}: {self.message}"


ReadItem = dict[str, Any] | Unreadable
