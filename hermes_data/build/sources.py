"""Read a recipe's sources into records: resolve paths, assign categories and models, remember what was read.

Category rules, in order: the source's `category`; else `category_column` (looked up in the row's `meta`, where
readers keep the input's own fields) mapped through `category_map` (values that already are slugs map to
themselves); else the record's own category. A row left without a slug is rejected with reason
`unmapped_category` and the value it had, so a recipe author sees what to add to `category_map`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from hermes_data.build.reasoning import apply_reasoning
from hermes_data.build.recipe import SourceSpec
from hermes_data.categories import SLUGS
from hermes_data.formats import ReadItem, Unreadable, read_records
from hermes_data.formats.column_map import column_map
from hermes_data.formats.message_notes import NON_TEXT_KEPT, NON_TEXT_PARTS
from hermes_data.io.sources import SourceReport
from hermes_data.recipe import SAMPLE_PREFIX
from hermes_data.record import meta_of


def iter_source(spec: SourceSpec, report: SourceReport, paths: list[str]) -> Iterator[dict]:
    """Records of one source with category and model assigned; unreadable rows are counted, not raised."""
    num = 0
    for path in paths:
        kwargs = {"config": spec.config, "revision": spec.revision, "split": spec.split}
        kwargs["columns"] = column_map(spec.columns, spec.roles)
        kwargs["ids"] = report.ids
        if spec.path.startswith(SAMPLE_PREFIX):  # the same sample gives the same records wherever it is installed
            kwargs["source"] = spec.path
        if path.startswith("hub:"):  # resolve_paths pinned the commit into the path
            kwargs["revision"] = None
        for item in prepared(read_records(path, spec.format, **kwargs), spec, report):
            yield item
            num += 1
            if spec.limit and num >= spec.limit:
                return


def prepared(items: Iterable[ReadItem], spec: SourceSpec, report: SourceReport) -> Iterator[dict]:
    """What a source makes of the items a reader yields: unreadable ones counted (with the first examples),
    records given their reasoning handling, category and model."""
    for item in items:
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
