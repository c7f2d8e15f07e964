"""Read a pairs recipe's sources: candidate records (to be paired) and pair files, with what each contributed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hermes_data.categories import SLUGS
from hermes_data.formats import Unreadable, read_records
from hermes_data.io.sources import SourceReport, resolve_paths
from hermes_data.pairs.readers import input_kind, read_pairs
from hermes_data.pairs.recipe import SAMPLE_PREFIX, PairSourceSpec
from hermes_data.recipe import resolve_sample
from hermes_data.record import meta_of


@dataclass
class ReadInputs:
    candidates: list[dict[str, Any]] = field(default_factory=list)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    reports: list[SourceReport] = field(default_factory=list)


def source_paths(spec: PairSourceSpec) -> list[str]:
    if spec.path.startswith(SAMPLE_PREFIX):
        return [str(resolve_sample(spec.path, default=""))]
    return resolve_paths(spec)


def source_kind(spec: PairSourceSpec, path: str) -> str:
    if spec.kind:
        return spec.kind
    fmt = spec.format if spec.format in ("json", "parquet", "hub") else None
    return input_kind(path, fmt, config=spec.config, split=spec.split)


def read_sources(specs: list[PairSourceSpec]) -> ReadInputs:
    """Candidates and pairs of every source, in recipe order; unreadable rows are counted in each report."""
    out = ReadInputs()
    for spec in specs:
        paths = source_paths(spec)
        report = SourceReport(path=spec.path, format=spec.format, resolved=_resolved(spec, paths))
        for path in paths:
            kind = source_kind(spec, path)
            report.format = kind if not spec.format else f"{kind} ({spec.format})"
            items = _items(spec, path, kind)
            target = out.candidates if kind == "candidates" else out.pairs
            for item in items:
                if isinstance(item, Unreadable):
                    report.rows_unreadable += 1
                    if len(report.unreadable_examples) < 5:
                        report.unreadable_examples.append(str(item))
                    continue
                report.rows_read += 1
                _set_category(item, spec)
                target.append(item)
                if spec.limit and report.rows_read >= spec.limit:
                    break
        out.reports.append(report)
    return out


def _items(spec: PairSourceSpec, path: str, kind: str):
    source = spec.path if spec.path.startswith(SAMPLE_PREFIX) else None  # the same wherever the sample lives
    kwargs = {"config": spec.config, "revision": None if path.startswith("hub:") else spec.revision}
    if kind == "candidates":
        return read_records(path, spec.format, source=source, split=spec.split, **kwargs)
    fmt = spec.format if spec.format in ("json", "parquet", "hub") else None
    return read_pairs(path, fmt, source=source, split=spec.split, **kwargs)


def _set_category(item: dict[str, Any], spec: PairSourceSpec) -> None:
    if spec.category:
        item["category"] = spec.category
    elif item.get("category") not in SLUGS:
        own = meta_of(item).get("source_category")
        item["category"] = own if own in SLUGS else None


def _resolved(spec: PairSourceSpec, paths: list[str]) -> str:
    if spec.path.startswith(SAMPLE_PREFIX):
        return spec.path
    return ",".join(p if p.startswith("hub:") else f"file:{p}" for p in paths)
