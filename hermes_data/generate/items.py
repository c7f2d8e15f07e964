"""A task's items: seed prompts (JSONL, inline, or a Hub column) or a count, crossed with endpoints and samples.

Item keys are positional and stable (`00042`, or `00042.teacher.1` with several endpoints or samples), so a rerun
of the same recipe produces the same request keys and finds its journaled responses.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from hermes_data.errors import DataError, where
from hermes_data.generate.context import Item
from hermes_data.generate.recipe import GenerateRecipe, HubSeeds, TaskSpec
from hermes_data.io.compressed import open_data

SEED_FIELDS = ("prompt", "instruction", "question", "text")  # the first present in a seed row is the prompt


def load_seeds(task: TaskSpec) -> list[str] | None:
    if task.seeds is None:
        return None
    if isinstance(task.seeds, list):
        return [str(s) for s in task.seeds]
    if isinstance(task.seeds, HubSeeds):
        return _hub_seeds(task.seeds)
    return _file_seeds(Path(task.seeds))


def _file_seeds(path: Path) -> list[str]:
    if not path.is_file():
        raise DataError(f'{path}: no such seed file (a JSONL file with one {{"prompt": ...}} object per line)')
    seeds = []
    with io.TextIOWrapper(open_data(path), encoding="utf-8") as fh:  # .jsonl.gz/.zst seeds too
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{where(path, line_no)}: not valid JSON ({exc.msg}); fix or remove the line") from None
            value = next((row[f] for f in SEED_FIELDS if isinstance(row, dict) and row.get(f)), None)
            if not isinstance(value, str):
                raise DataError(
                    f"{where(path, line_no)}: a seed row needs a text field, one of {', '.join(SEED_FIELDS)}"
                )
            seeds.append(value)
    if not seeds:
        raise DataError(f"{path}: the seed file has no rows")
    return seeds


def _hub_seeds(spec: HubSeeds) -> list[str]:
    import datasets  # heavy: only when a recipe reads seeds from the Hub

    data = datasets.load_dataset(spec.hub, spec.config, split=spec.split, revision=spec.revision)
    if spec.column not in data.column_names:
        raise DataError(f"hub:{spec.hub}: no column {spec.column!r}; columns: {', '.join(data.column_names)}")
    return [str(v) for v in data[spec.column]]


def build_items(recipe: GenerateRecipe, task: TaskSpec, limit: int | None = None) -> list[Item]:
    seeds = load_seeds(task)
    endpoints = recipe.task_endpoints(task)
    several = len(endpoints) > 1 or task.samples > 1
    count = task.count or len(seeds or [])
    items: list[Item] = []
    for index in range(count):
        if seeds:
            value, from_seed = seeds[index % len(seeds)], True
        else:
            value, from_seed = (task.topics[index % len(task.topics)] if task.topics else None), False
        for endpoint in endpoints:
            for sample in range(task.samples):
                key = f"{index:05d}.{endpoint}.{sample}" if several else f"{index:05d}"
                items.append(Item(task, index, key, value, endpoint, sample, from_seed=from_seed))
                if limit is not None and len(items) >= limit:
                    return items
    return items


def judge_items(recipe: GenerateRecipe, task: TaskSpec, records: list[dict], limit: int | None = None) -> list[Item]:
    """One item per record of the input task; the key is the judged item's own key."""
    endpoint = recipe.task_endpoints(task)[0]
    prefix = f"{task.input}-"
    items = [
        Item(task, index, record["id"].removeprefix(prefix), None, endpoint, judged=record)
        for index, record in enumerate(records)
    ]
    return items[:limit] if limit is not None else items
