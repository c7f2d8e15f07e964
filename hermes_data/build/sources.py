"""Read a recipe's sources into records: resolve paths, assign categories and models, remember what was read.

Category rules, in order: the source's `category`; else `category_column` (looked up in the row's `meta`, where
readers keep the input's own fields) mapped through `category_map` (values that already are slugs map to
themselves); else the record's own category. A row left without a slug is rejected with reason
`unmapped_category` and the value it had, so a recipe author sees what to add to `category_map`.
"""

from __future__ import annotations

import glob
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hermes_data.build.reasoning import apply_reasoning
from hermes_data.build.recipe import SourceSpec
from hermes_data.categories import SLUGS
from hermes_data.errors import DataError
from hermes_data.formats import Unreadable, read_records
from hermes_data.formats.message_notes import NON_TEXT_KEPT, NON_TEXT_PARTS
from hermes_data.record import meta_of
from hermes_data.sample import sample_path

SAMPLE_PREFIX = "sample:"


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

    def as_dict(self) -> dict:
        reasoning = {"reasoning": {self.reasoning_mode: self.reasoning_turns}} if self.reasoning_turns else {}
        return {
            "path": self.path,
            "format": self.format,
            "resolved": self.resolved,
            "rows_read": self.rows_read,
            "rows_unreadable": self.rows_unreadable,
            "unreadable_examples": self.unreadable_examples[:5],
            "unmapped_values": self.unmapped_values,
            **reasoning,
        }


def resolve_paths(spec: SourceSpec) -> list[str]:
    """The concrete inputs of a source: a sample name, a Hub id, a folder or file, or the files a glob matches."""
    path = spec.path
    if path.startswith(SAMPLE_PREFIX):
        return [str(sample_path(path[len(SAMPLE_PREFIX) :] or "conversations.jsonl"))]
    if path.startswith(("hub:", "hf://")):
        from hermes_data.formats.hub import resolve_revision

        return [resolve_revision(path, spec.revision)]
    if any(ch in path for ch in "*?["):
        matches = sorted(glob.glob(path, recursive=True))
        if not matches:
            raise DataError(f"source {path!r} matches no files; check the glob in the recipe's sources")
        return matches
    if not Path(path).exists():
        raise DataError(f"source {path!r} does not exist; fix sources[].path in the recipe")
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


def iter_source(spec: SourceSpec, report: SourceReport, paths: list[str]) -> Iterator[dict]:
    """Records of one source with category and model assigned; unreadable rows are counted, not raised."""
    num = 0
    for path in paths:
        kwargs = {"config": spec.config, "revision": spec.revision, "split": spec.split}
        if spec.path.startswith(SAMPLE_PREFIX):  # the same sample gives the same records wherever it is installed
            kwargs["source"] = spec.path
        if path.startswith("hub:"):  # resolve_paths pinned the commit into the path
            kwargs["revision"] = None
        for item in read_records(path, spec.format, **kwargs):
            if isinstance(item, Unreadable):
                report.rows_unreadable += 1
                if len(report.unreadable_examples) < 5:
                    report.unreadable_examples.append(f"{item.path}:{item.line}: {item.message}")
                continue
            report.rows_read += 1
            report.reasoning_mode = spec.reasoning.mode
            report.reasoning_turns += apply_reasoning(item, spec.reasoning)
            if spec.non_text == "keep" and NON_TEXT_PARTS in item["meta"]:
                item["meta"] = _with_meta(item, NON_TEXT_KEPT, NON_TEXT_KEPT_NOTE)
            item["category"] = assign_category(item, spec, report)
            if spec.model and not item.get("model"):
                item["model"] = spec.model
            yield item
            num += 1
            if spec.limit and num >= spec.limit:
                return


# What the text of a multimodal row holds when a recipe keeps it (`non_text: keep`), stored in its meta.
NON_TEXT_KEPT_NOTE = "text parts only; the parts listed in non_text_parts are not in the text (placeholders stay)"


def _with_meta(record: dict, key: str, value: object) -> str:
    meta = {**meta_of(record), key: value}
    return json.dumps(meta, ensure_ascii=False, sort_keys=True)


def assign_category(record: dict, spec: SourceSpec, report: SourceReport) -> str | None:
    if spec.category:
        return spec.category
    if spec.category_column:
        meta = meta_of(record)
        value = meta.get(spec.category_column)
        if value is None and spec.category_column == "category":
            value = meta.get("source_category", record.get("category"))
        slug = (spec.category_map or {}).get(str(value)) if value is not None else None
        if slug is None and value in SLUGS:
            slug = value
        if slug is None:
            key = str(value)
            report.unmapped_values[key] = report.unmapped_values.get(key, 0) + 1
        return slug
    own = record.get("category") or meta_of(record).get("source_category")
    return own if own in SLUGS else None
