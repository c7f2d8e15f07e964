"""Run a filter with each source's own setting (a recipe's `sources[].filters` over its `filters`).

The build keeps one stage list; a stage whose setting differs between sources runs once per distinct setting on
that setting's rows and the verdicts are put back in row order. A source that turns the stage off keeps its rows.
When every source shares one setting the filter sees the whole table, exactly as without overrides.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from hermes_data.stages.verdict import Verdict


def by_source(table: pa.Table, settings: Sequence[Any], run: Callable[[pa.Table, Any], Verdict]) -> Verdict:
    """`run(rows, setting)` for the rows of each distinct setting; `settings[i]` is source i's (`_source` == i)."""
    groups = _group(settings)
    if len(groups) == 1 and not _off(groups[0][0]):
        return run(table, groups[0][0])
    num = table.num_rows
    keep = np.ones(num, dtype=bool)
    reasons: list[str | None] = [None] * num
    details: list[str | None] = [None] * num
    counted: dict[str, np.ndarray] = {}
    source = table.column("_source").to_numpy()
    for setting, indices in groups:
        rows = np.flatnonzero(np.isin(source, indices))
        if _off(setting) or not len(rows):
            continue
        verdict = run(table.take(pa.array(rows)), setting)
        keep[rows] = verdict.keep
        for row, reason, detail in zip(
            rows.tolist(), verdict.reasons, verdict.details or [None] * len(rows), strict=True
        ):
            reasons[row], details[row] = reason, detail
        for reason, mask in verdict.counted.items():
            counted.setdefault(reason, np.zeros(num, dtype=bool))[rows] = mask
    return Verdict(keep=keep, reasons=reasons, details=details, counted=counted)


def any_on(settings: Sequence[Any]) -> bool:
    """Whether some source runs the stage (it belongs in the stage list)."""
    return not all(_off(s) for s in settings)


def _off(setting: Any) -> bool:
    """None or False turns the stage off for a source (identity: a length setting of 0 is a setting)."""
    return setting is None or setting is False


def _group(settings: Sequence[Any]) -> list[tuple[Any, list[int]]]:
    """(setting, source indices) per distinct setting, in first-seen order; pydantic settings compare as JSON."""
    groups: dict[str, tuple[Any, list[int]]] = {}
    for index, setting in enumerate(settings):
        key = json.dumps(_jsonable(setting), sort_keys=True)
        groups.setdefault(key, (setting, []))[1].append(index)
    return list(groups.values())


def _jsonable(setting: Any) -> Any:
    if hasattr(setting, "model_dump"):
        return setting.model_dump(mode="json")
    if isinstance(setting, tuple):
        return [_jsonable(s) for s in setting]
    return setting


def describe_overrides(overrides: dict) -> str:
    """`refusals=false, max_tokens=16384`: a source's own filter settings, as the dry run and the card show them."""
    return ", ".join(f"{key}={json.dumps(value)}" for key, value in overrides.items())
