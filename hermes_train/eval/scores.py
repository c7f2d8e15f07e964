"""The scores file: select's format plus provenance, appended to checkpoint by checkpoint, replaced atomically.

    {"checkpoints": {name: {"task/metric": value, …}},    what `hermes-train select` ranks
     "groups": {group: ["task/metric", …]},              the paper's benchmark groups (gpt4all, agieval, …)
     "meta": {name: {model, run, dataset, tasks (version, shots, docs), seeds, lm_eval_version, mtbench, …}}}

Writing merges into an existing file: a checkpoint already there is replaced (said on stderr by the CLI), a group
gains the metrics it lacked. The file is written to a temporary sibling and renamed, so a crash mid-write leaves
the previous scores intact.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hermes_data.errors import DataError
from hermes_train.select import load_scores

EMPTY: dict[str, Any] = {"checkpoints": {}, "groups": {}, "meta": {}}


def read_scores(path: str | Path) -> dict[str, Any]:
    """The scores in `path`, or an empty file's worth when it does not exist yet."""
    path = Path(path)
    if not path.exists():
        return json.loads(json.dumps(EMPTY))
    scores = load_scores(path)
    if not isinstance(scores, dict) or not isinstance(scores.get("checkpoints", {}), dict):
        raise DataError(f'{path}: not a scores file ({{"checkpoints": …, "groups": …}}); pass another --out')
    return {"checkpoints": {}, "groups": {}, "meta": {}, **scores}


def merge_checkpoint(
    scores: dict[str, Any], name: str, metrics: dict[str, float], groups: dict[str, list[str]], meta: dict[str, Any]
) -> bool:
    """Put one checkpoint's metrics and provenance into `scores` (in place); True when it replaced an earlier entry."""
    replaced = name in scores["checkpoints"]
    scores["checkpoints"][name] = metrics
    scores.setdefault("meta", {})[name] = meta
    for group, members in groups.items():
        known = scores["groups"].setdefault(group, [])
        known += [m for m in members if m not in known]
    return replaced


def write_scores(path: str | Path, scores: dict[str, Any]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def selectable(scores: dict[str, Any]) -> dict[str, Any]:
    """The part `select_checkpoint` reads."""
    return {key: scores[key] for key in ("checkpoints", "groups") if key in scores}
