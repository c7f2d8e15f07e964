"""Where a recipe's source lives and what reading it gave: the shared part of build and pairs sources.

`resolve_paths` turns a source's `path` (a `sample:` name, a Hub id, a folder or file, a glob) into concrete
inputs, checked readable before anything is written; `fingerprint` identifies their content for the curation cache;
`SourceReport` is what one source contributed, for the manifest and the card.
"""

from __future__ import annotations

import glob
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from hermes_data.errors import DataError
from hermes_data.formats import UniqueIds
from hermes_data.io.user_files import check_data_input
from hermes_data.recipe import SAMPLE_PREFIX, resolve_sample


class SourceLocation(Protocol):
    """What `resolve_paths` reads of a source spec (build's `SourceSpec` and pairs' `PairSourceSpec` have both)."""

    path: str
    revision: str | None


@dataclass
class SourceReport:
    """What one source contributed: resolved location and counts, for the manifest and the card."""

    path: str
    format: str | None
    resolved: str
    rows_read: int = 0
    rows_unreadable: int = 0
    unreadable_examples: list[str] = field(default_factory=list)
    unmapped_values: dict[str, int] = field(default_factory=dict)
    reasoning_mode: str = "keep"
    reasoning_turns: int = 0  # assistant turns whose reasoning was kept in meta, rendered or dropped
    ids: UniqueIds = field(default_factory=UniqueIds)  # ids are unique within the source (formats/row_ids.py)

    def as_dict(self) -> dict:
        extra = {"reasoning": {self.reasoning_mode: self.reasoning_turns}} if self.reasoning_turns else {}
        if self.ids.num_duplicates:  # only when it happened, so the reports of clean sources keep their shape
            extra["duplicate_ids"] = {"rows": self.ids.num_duplicates, "example": self.ids.example}
        return {
            "path": self.path,
            "format": self.format,
            "resolved": self.resolved,
            "rows_read": self.rows_read,
            "rows_unreadable": self.rows_unreadable,
            "unreadable_examples": self.unreadable_examples[:5],
            "unmapped_values": self.unmapped_values,
            **extra,
        }


def resolve_paths(spec: SourceLocation) -> list[str]:
    """The concrete inputs of a source (of a build or a pairs recipe): a sample name, a Hub id, a folder or file, or
    the files a glob matches."""
    path = spec.path
    if path.startswith(SAMPLE_PREFIX):
        return [str(resolve_sample(path))]
    if path.startswith(("hub:", "hf://")):
        from hermes_data.formats.hub import resolve_revision

        return [resolve_revision(path, spec.revision)]
    if any(ch in path for ch in "*?["):
        matches = sorted(glob.glob(path, recursive=True))
        if not matches:
            raise DataError(f"source {path!r} matches no files; check the glob in the recipe's sources")
        for match in matches:
            check_data_input(match)
        return matches
    if not Path(path).exists():
        raise DataError(f"source {path!r} does not exist; fix sources[].path in the recipe")
    check_data_input(path)
    return [path]


def fingerprint(paths: list[str]) -> str:
    """Content identity of local inputs (sha256 of the bytes); Hub ids are identified by their revision."""
    digest = hashlib.sha256()
    for p in paths:
        digest.update(p.encode())
        target = Path(p)
        files = sorted(f for f in target.rglob("*") if f.is_file()) if target.is_dir() else [target]
        for f in files:
            if f.exists():
                with f.open("rb") as fh:
                    for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                        digest.update(chunk)
    return digest.hexdigest()
