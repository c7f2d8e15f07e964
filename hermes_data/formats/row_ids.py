"""Unique row ids within a source: a repeated id is reported and made unique, never silently collided.

A row's id is its own when it has one, else the hash of its content (`record.content_id`). Within one source (a
file for `validate`/`convert`/`stats`, a recipe source for `build`) an id seen before gets the row's position as a
suffix (`-L<line>` in a JSON file, `-R<index>` in Parquet or a dataset), so two rows never share an id, the ids stay
deterministic (same input, same ids), and the id says where the repeat sits. Repeats are counted, with the first
example, for the command's output and the build manifest's source report.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from hermes_data.formats.items import ReadItem, Unreadable


@dataclass
class UniqueIds:
    """The ids of one source so far; `num_duplicates` rows got a suffix, `example` describes the first one."""

    seen: set[str] = field(default_factory=set)
    num_duplicates: int = 0
    example: str | None = None

    def unique(self, record: dict, where: str, suffix: str) -> dict:
        """The record, with a suffixed id when its id was seen before in this source (the record is updated)."""
        row_id = record["id"]
        if row_id in self.seen:
            new_id, n = f"{row_id}-{suffix}", 2
            while new_id in self.seen:  # a row whose own id already looks like a suffixed one
                new_id, n = f"{row_id}-{suffix}-{n}", n + 1
            self.num_duplicates += 1
            if self.example is None:
                self.example = f"{where}: id {row_id!r} repeats an earlier row's; renamed {new_id!r}"
            record["id"] = row_id = new_id
        self.seen.add(row_id)
        return record

    def unique_rows(self, items: Iterator[ReadItem], path: str) -> Iterator[ReadItem]:
        """Items of a Parquet file or dataset (no line numbers): records made unique by row index."""
        for index, item in enumerate(items):
            yield item if isinstance(item, Unreadable) else self.unique(item, f"{path} row {index}", f"R{index}")

    def summary(self) -> str | None:
        """One line for the command's output, or None when no id repeated."""
        if not self.num_duplicates:
            return None
        return f"{self.num_duplicates} rows repeated an id and got a unique one (first: {self.example})"
