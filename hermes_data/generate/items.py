"""A task's items: seed rows (see `seeds`) or a count, crossed with endpoints and samples, cut by --limit/--shard.

Item keys are positional and stable (`00042`, or `00042.teacher.1` with several endpoints or samples), so a rerun
of the same recipe produces the same request keys and finds its journaled responses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hermes_data.errors import DataError, RecipeError
from hermes_data.generate.context import Item
from hermes_data.generate.recipe import GenerateRecipe, TaskSpec
from hermes_data.generate.seeds import Seed, iter_seeds


@dataclass(frozen=True)
class Shard:
    """`--shard I/N`: this run takes the items whose position in the task's item sequence is I modulo N."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        try:
            index, count = (int(part) for part in text.split("/"))
        except ValueError:
            index, count = -1, 0
        if not 0 <= index < count:
            raise RecipeError(f"--shard {text}: give I/N with 0 <= I < N (e.g. 0/4 ... 3/4 for four machines)")
        return cls(index, count)

    def takes(self, position: int) -> bool:
        return position % self.count == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def build_items(
    recipe: GenerateRecipe, task: TaskSpec, limit: int | None = None, shard: Shard | None = None
) -> list[Item]:
    """The task's items in order: the first `limit` of the whole sequence, then this shard's share of them.

    Keys and RNG depend only on an item's position, so the shards of a run hold exactly the unsharded run's items,
    and their outputs together are its rows. Seeds are streamed: reading stops once the limit is reached.
    """
    endpoints = recipe.task_endpoints(task)
    several = len(endpoints) > 1 or task.samples > 1
    items: list[Item] = []
    position = 0
    for index, seed in _inputs(task):
        for endpoint in endpoints:
            for sample in range(task.samples):
                if shard is None or shard.takes(position):
                    key = f"{index:05d}.{endpoint}.{sample}" if several else f"{index:05d}"
                    items.append(_item(task, index, key, seed, endpoint, sample))
                position += 1
                if limit is not None and position >= limit:
                    return items  # before the next seed row is read
    return items


def _inputs(task: TaskSpec) -> Iterator[tuple[int, Seed | str | None]]:
    """(index, seed row or topic) for every item: one per seed row, or `count` of them cycling seeds or topics."""
    if task.seeds is None:
        for index in range(task.count or 0):
            yield index, (task.topics[index % len(task.topics)] if task.topics else None)
        return
    index = 0
    while task.count is None or index < task.count:
        start = index
        for seed in iter_seeds(task):  # read again from the top when `count` outruns the seeds
            if task.count is not None and index >= task.count:
                return
            yield index, seed
            index += 1
        if index == start:
            raise DataError(f"{_seeds_name(task)}: the seeds have no rows")
        if task.count is None:
            return


def _item(task: TaskSpec, index: int, key: str, seed: Seed | str | None, endpoint: str, sample: int) -> Item:
    if isinstance(seed, Seed):
        return Item(
            task, index, key, seed.prompt, endpoint, sample, from_seed=True, tools=seed.tools, schema=seed.schema
        )
    return Item(task, index, key, seed, endpoint, sample)


def _seeds_name(task: TaskSpec) -> str:
    seeds = task.seeds
    return getattr(seeds, "path", None) or (f"hub:{seeds.hub}" if hasattr(seeds, "hub") else str(seeds))


def judge_items(recipe: GenerateRecipe, task: TaskSpec, records: list[dict], limit: int | None = None) -> list[Item]:
    """One item per record of the input task; the key is the judged item's own key."""
    endpoint = recipe.task_endpoints(task)[0]
    prefix = f"{task.input}-"
    items = [
        Item(task, index, record["id"].removeprefix(prefix), None, endpoint, judged=record)
        for index, record in enumerate(records)
    ]
    return items[:limit] if limit is not None else items
