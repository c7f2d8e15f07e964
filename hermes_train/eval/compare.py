"""`compare`: a Table 4/5-style comparison (metrics x checkpoints, best value marked, deltas against a baseline).

Rows are the scores file's grouped metrics in group order, each group followed by its mean (the value `select`
normalizes) when it has more than one metric; columns are the checkpoints in file order. Every metric here is
"higher is better" (accuracies, IFEval strict, the judge's 1-10), so the best is the maximum. A checkpoint missing a
metric shows "-" and takes no part in that row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hermes_data.errors import DataError


@dataclass
class Comparison:
    checkpoints: list[str]
    baseline: str
    rows: list[tuple[str, list[float | None]]]  # (label, value per checkpoint)

    def best(self, values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return max(present) if len(present) > 1 else None  # one value is nothing to compare


def build_comparison(scores: dict[str, Any], *, baseline: str | None = None, source: str = "scores") -> Comparison:
    table, groups = scores.get("checkpoints") or {}, scores.get("groups") or {}
    if not isinstance(table, dict) or not all(isinstance(metrics, dict) for metrics in table.values()):
        raise DataError(f'{source}: "checkpoints" must map each checkpoint name to its {{metric: value}}')
    if not isinstance(groups, dict) or not all(isinstance(members, list) for members in groups.values()):
        raise DataError(f'{source}: "groups" must map each group name to a list of metric names')
    checkpoints = list(table)
    if not checkpoints:
        raise DataError(f"{source}: no checkpoints to compare")
    baseline = baseline or checkpoints[0]
    if baseline not in checkpoints:
        raise DataError(f"{source}: --baseline {baseline!r} is not a checkpoint here; known: {', '.join(checkpoints)}")
    groups = scores.get("groups") or {m: [m] for name in checkpoints for m in scores["checkpoints"][name]}
    rows = []
    for group, members in groups.items():
        for metric in members:
            rows.append((metric, [_number(scores["checkpoints"][name].get(metric)) for name in checkpoints]))
        if len(members) > 1:
            means = []
            for name in checkpoints:
                values = [_number(scores["checkpoints"][name].get(m)) for m in members]
                means.append(None if None in values else sum(values) / len(values))
            rows.append((f"{group} (mean)", means))
    return Comparison(checkpoints, baseline, rows)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _cells(comparison: Comparison, values: list[float | None], bold: tuple[str, str]) -> list[str]:
    base = values[comparison.checkpoints.index(comparison.baseline)]
    best = comparison.best(values)
    cells = []
    for name, value in zip(comparison.checkpoints, values, strict=True):
        if value is None:
            cells.append("-")
            continue
        text = f"{value:.4f}"
        if best is not None and value == best:
            text = f"{bold[0]}{text}{bold[1]}"
        if name != comparison.baseline and base is not None:
            text += f" ({value - base:+.4f})"
        cells.append(text)
    return cells


def to_markdown(comparison: Comparison) -> str:
    """A GitHub/Hub model-card table: best value in bold, (delta) against the baseline."""
    header = ["metric", *[f"{n} (baseline)" if n == comparison.baseline else n for n in comparison.checkpoints]]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * len(comparison.checkpoints)) + "|"]
    for label, values in comparison.rows:
        lines.append("| " + " | ".join([label, *_cells(comparison, values, ("**", "**"))]) + " |")
    return "\n".join(lines) + "\n"


def to_rich(comparison: Comparison):
    from rich.table import Table

    table = Table(title=f"baseline: {comparison.baseline}   (best in bold, delta vs baseline in parentheses)")
    table.add_column("metric")
    for name in comparison.checkpoints:
        table.add_column(name, justify="right")
    for label, values in comparison.rows:
        table.add_row(label, *_cells(comparison, values, ("[bold green]", "[/bold green]")))
    return table
