"""After an SFT run: score every `epoch-K/` export with the recipe's suite, select one, record it in run.json.

The launcher calls `evaluate_run` once training has exited (the ranks' memory is free again), on node 0 only. The
scores land in `OUT/scores.json` (appending, like `hermes-train eval`); run.json gains `selected_checkpoint` and an
`eval` record (suite, scores file, select's table and warnings), written to a temporary file and renamed.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from hermes_data.errors import DataError
from hermes_train.eval.run import evaluate, resolve_checkpoints
from hermes_train.eval.scores import selectable
from hermes_train.eval.suite import EvalSpec, load_suite
from hermes_train.select import select_checkpoint

EPOCH = re.compile(r"^epoch-(\d+)$")


def epoch_exports(out_dir: Path) -> list[Path]:
    """`epoch-K/` folders in epoch order (temporary `.tmp` exports are not matched)."""
    found = [p for p in out_dir.iterdir() if p.is_dir() and EPOCH.match(p.name)] if out_dir.is_dir() else []
    return sorted(found, key=lambda p: int(EPOCH.match(p.name).group(1)))


def evaluate_run(recipe, out_dir: str | Path, *, say=print) -> dict[str, Any]:
    """Evaluate `out_dir`'s epoch exports with `recipe.eval` and record the selection; returns the run.json eval
    record. `recipe` is an SFTRecipe (or anything with an `eval: EvalSpec`)."""
    spec: EvalSpec = recipe.eval
    out_dir = Path(out_dir)
    exports = epoch_exports(out_dir)
    if not exports:
        raise DataError(f"{out_dir}: no epoch-K/ exports to evaluate; did the run finish an epoch?")
    suite = load_suite(spec.suite, spec.suite_overrides())
    checkpoints = resolve_checkpoints(exports)
    scores_path = out_dir / spec.scores
    scores = evaluate(checkpoints, suite, scores_path, mtbench=spec.mtbench, say=say)
    names = [c.name for c in checkpoints]
    ours = selectable(scores)
    ours["checkpoints"] = {name: ours["checkpoints"][name] for name in names}  # this run's epochs only
    selection = select_checkpoint(ours, source=str(scores_path))
    for warning in selection.warnings:
        say(f"warning: select: {warning}")
    record = {
        "suite": suite.name,
        "suite_path": suite.path,
        "scores": str(scores_path),
        "selected_checkpoint": selection.selected,
        "selection": selection.table,
        "warnings": selection.warnings,
    }
    _update_run_json(out_dir / "run.json", {"selected_checkpoint": selection.selected, "eval": record})
    say(f"selected {selection.selected} ({out_dir / selection.selected}); recorded in {out_dir / 'run.json'}")
    return record


def _update_run_json(path: Path, fields: dict[str, Any]) -> None:
    run = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    run |= fields
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
