"""Checkpoint selection by min-max normalized benchmark groups (paper Table 2: the epoch picked for Hermes 3).

Scores file: `{"checkpoints": {name: {metric: value}}, "groups": {group: [metric, …]}}`; without `groups` every
metric is its own group. A group's value is the mean of its metrics; across checkpoints each group is rescaled to
0–100 (worst 0, best 100) so benchmarks on different scales weigh the same; the total is the mean of the rescaled
groups and the highest total wins (ties: the checkpoint listed first). A group with the same value everywhere cannot
be rescaled and says nothing about which checkpoint is better, so it is left out with a warning.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hermes_data.errors import DataError

KEYS = ("checkpoints", "groups", "meta")  # meta: provenance written by hermes-train eval; not read here


@dataclass
class Selection:
    """The winner, and per checkpoint `{"groups": {group: {"value", "normalized"}}, "total"}`."""

    selected: str
    table: dict[str, dict[str, Any]]
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"selected": self.selected, "table": self.table}


def load_scores(path: str | Path) -> dict:
    """A scores file as a mapping (its keys are checked by the reader); anything else is one DataError line."""
    hint = 'pass the scores JSON written by `hermes-train eval` ({"checkpoints": …, "groups": …})'
    try:
        scores = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: no such file; {hint}") from None
    except IsADirectoryError:
        raise DataError(f"{path}: a folder, not a scores file; {hint}") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text; {hint}") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); {hint}") from None
    if not isinstance(scores, dict):
        raise DataError(f"{path}: a JSON {type(scores).__name__}, not an object; {hint}")
    return scores


def select_checkpoint(scores: dict, *, source: str = "scores") -> Selection:
    """Rank checkpoints as the module docstring says; `source` names the file in error messages."""
    checkpoints, groups = _parse(scores, source)
    values = {
        name: {g: _group_value(metrics, name, g, ms, source) for g, ms in groups.items()}
        for name, metrics in checkpoints.items()
    }
    warnings, normalized = [], {}
    for group in groups:
        column = [values[name][group] for name in checkpoints]
        low, high = min(column), max(column)
        if high == low:
            warnings.append(f"group {group!r} is {low:g} for every checkpoint; left out of the total")
            continue
        normalized[group] = {name: 100.0 * (values[name][group] - low) / (high - low) for name in checkpoints}
    table = {}
    for name in checkpoints:
        row = {
            g: {"value": values[name][g], "normalized": normalized[g][name] if g in normalized else None}
            for g in groups
        }
        total = sum(normalized[g][name] for g in normalized) / len(normalized) if normalized else None
        table[name] = {"groups": row, "total": total}
    if not normalized:
        warnings.append("no group differs between checkpoints; selected the first one listed")
    selected = max(checkpoints, key=lambda name: table[name]["total"] or 0.0)  # max keeps the first of equals
    return Selection(selected, table, warnings)


def _parse(scores: object, source: str) -> tuple[dict[str, dict], dict[str, list[str]]]:
    if not isinstance(scores, dict):
        raise DataError(f'{source}: expected a JSON object {{"checkpoints": …, "groups": …}}')
    unknown = sorted(set(scores) - set(KEYS))
    if unknown:
        raise DataError(f"{source}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(KEYS)}")
    checkpoints = scores.get("checkpoints")
    if not isinstance(checkpoints, dict) or not checkpoints:
        raise DataError(f'{source}: "checkpoints" must be a non-empty object {{name: {{metric: value}}}}')
    for name, metrics in checkpoints.items():
        if not isinstance(metrics, dict):
            raise DataError(f"{source}: checkpoint {name!r} must map metric names to numbers")
    groups = scores.get("groups")
    if groups is None:
        metrics = dict.fromkeys(m for ms in checkpoints.values() for m in ms)  # first-seen order
        groups = {m: [m] for m in metrics}
    elif not isinstance(groups, dict) or not groups:
        raise DataError(f'{source}: "groups" must be a non-empty object {{group: [metric, …]}} or left out')
    for group, metrics in groups.items():
        if not isinstance(metrics, list) or not metrics or not all(isinstance(m, str) for m in metrics):
            raise DataError(f"{source}: group {group!r} must be a non-empty list of metric names")
    if not groups:
        raise DataError(f"{source}: the checkpoints have no metrics")
    return checkpoints, groups


def _group_value(metrics: dict, name: str, group: str, members: list[str], source: str) -> float:
    values = []
    for metric in members:
        if metric not in metrics:
            raise DataError(
                f"{source}: checkpoint {name!r} has no metric {metric!r} (group {group!r}); add its score or remove "
                "the metric from every checkpoint and group"
            )
        value = metrics[metric]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise DataError(f"{source}: checkpoint {name!r} metric {metric!r} is {value!r}, not a finite number")
        values.append(float(value))
    return sum(values) / len(values)
