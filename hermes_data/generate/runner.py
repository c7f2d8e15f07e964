"""Run a generate recipe: every task's items through its generator, concurrently, against the journal.

Tasks run side by side (each endpoint's own concurrency limit is what bounds the load); a judge task starts when the
task it rates has finished. Within a task at most `2 x concurrency` items are in flight, so a million seeds do not
become a million pending coroutines. Each item ends as completed (a record), failed (a reason code and detail) or
unfinished (the run stopped at --max-cost before the item could finish); results keep the items' order, so the
output is the same whatever order the responses arrived in.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from hermes_data.generate.categories import SIMPLE, generate_simple, generate_steering
from hermes_data.generate.client import EndpointClient
from hermes_data.generate.context import Generated, Item, ItemContext, ItemFailed, Stopped
from hermes_data.generate.evol import generate_evol
from hermes_data.generate.items import Shard, build_items, judge_items
from hermes_data.generate.journal import Journal
from hermes_data.generate.json_mode import generate_json_mode
from hermes_data.generate.judge import apply_judgments, generate_judgment
from hermes_data.generate.rag import generate_rag
from hermes_data.generate.recipe import GenerateRecipe, TaskSpec
from hermes_data.generate.roleplay import generate_roleplay
from hermes_data.generate.run_state import Run, build_clients
from hermes_data.generate.stats import ProgressView, Stats
from hermes_data.generate.tool_episode import generate_tool_episode
from hermes_data.generate.tool_use import generate_tool_use
from hermes_data.markup.columns import columns_from_messages
from hermes_data.record import content_id, make_record
from hermes_data.validate import validate_record

__all__ = ["GENERATORS", "GenerationResult", "ItemResult", "Run", "build_clients", "dry_run", "run_generation"]

GENERATORS = {
    "evol": generate_evol,
    "roleplay": generate_roleplay,
    "tool_use": generate_tool_use,
    "rag": generate_rag,
    "steering": generate_steering,
    "judge": generate_judgment,
    "json_mode": generate_json_mode,
    "tool_episode": generate_tool_episode,
    **dict.fromkeys(SIMPLE, generate_simple),
}


@dataclass
class ItemResult:
    item: Item
    status: str  # completed | failed | unfinished
    record: dict | None = None
    reason: str | None = None
    detail: str | None = None
    judgment: dict | None = None  # judge items: {"judge", "judged_id"}, applied by judge.apply_judgments


@dataclass
class GenerationResult:
    results: dict[str, list[ItemResult]]
    stats: Stats
    stopped: str | None = None
    records: list[dict] = field(default_factory=list)


async def run_generation(
    recipe: GenerateRecipe,
    journal: Journal,
    clients: dict[str, EndpointClient],
    *,
    limit: int | None = None,
    max_cost: float | None = None,
    progress: ProgressView | None = None,
    items: dict[str, list[Item]] | None = None,
) -> GenerationResult:
    """Run every task; `items` are the non-judge tasks' items when the caller built them already (seeds read)."""
    run = Run(recipe, journal, clients, max_cost=max_cost, progress=progress)
    results: dict[str, list[ItemResult]] = {}
    finished = {task.name: asyncio.Event() for task in recipe.tasks}
    prepared = items if items is not None else task_items(recipe, limit)

    async def one_task(task: TaskSpec) -> None:
        try:
            if task.generator == "judge":
                await finished[task.input].wait()
                done = [r.record for r in results[task.input] if r.status == "completed"]
                items = judge_items(recipe, task, done, limit)
            else:
                items = prepared[task.name]
            results[task.name] = await _run_items(run, task, items)
        finally:
            finished[task.name].set()

    with run.progress:
        await asyncio.gather(*(one_task(task) for task in recipe.tasks))
    records = [
        r.record
        for task in recipe.tasks
        if task.generator != "judge"
        for r in results[task.name]
        if r.status == "completed"
    ]
    judgments = [
        r.judgment
        for task in recipe.tasks
        if task.generator == "judge"
        for r in results[task.name]
        if r.status == "completed"
    ]
    return GenerationResult(results, run.stats, run.stopped, apply_judgments(records, judgments))


def task_items(recipe: GenerateRecipe, limit: int | None = None, shard: Shard | None = None) -> dict[str, list[Item]]:
    """The items of every task that is not a judge (those rate another task's results, shard and all): reads the
    seeds."""
    return {task.name: build_items(recipe, task, limit, shard) for task in recipe.tasks if task.generator != "judge"}


async def _run_items(run: Run, task: TaskSpec, items: list[Item]) -> list[ItemResult]:
    endpoints = run.recipe.task_endpoints(task)
    in_flight = asyncio.Semaphore(2 * sum(run.recipe.endpoints[e].max_concurrency for e in endpoints))
    out: list[ItemResult | None] = [None] * len(items)
    run.progress.add_total(len(items))

    async def one(position: int, item: Item) -> None:
        try:
            out[position] = await _run_item(run, item)
            run.stats.count_item(task.name, out[position])
            run.progress.update(run.stats)
        finally:
            in_flight.release()

    pending = []
    for position, item in enumerate(items):
        await in_flight.acquire()
        if run.stopped:
            in_flight.release()
            out[position] = ItemResult(item, "unfinished", reason=run.stopped)
            run.stats.count_item(task.name, out[position])
            continue
        pending.append(asyncio.create_task(one(position, item)))
    try:
        await asyncio.gather(*pending)
    except BaseException:
        # A hopeless endpoint (EndpointError) or an interrupt: stop the siblings before the journal closes.
        for task_ in pending:
            task_.cancel()
        raise
    return [r for r in out if r is not None]


async def _run_item(run: Run, item: Item) -> ItemResult:
    ctx = ItemContext(run, item)
    try:
        generated = await GENERATORS[item.task.generator](ctx)
        if item.task.generator == "judge":
            return ItemResult(item, "completed", judgment=generated.meta)
        return ItemResult(item, "completed", record=_record(run, ctx, generated))
    except ItemFailed as exc:
        return ItemResult(item, "failed", reason=exc.reason, detail=exc.detail)
    except Stopped as exc:
        return ItemResult(item, "unfinished", reason=str(exc))


def _record(run: Run, ctx: ItemContext, generated: Generated) -> dict:
    item, messages = ctx.item, generated.messages
    assistants = [i for i, m in enumerate(messages) if m["role"] == "assistant"]
    last = assistants[-1] if assistants else len(messages)  # the prompt is what precedes the final reply
    meta = {
        "task": item.task.name,
        "generator": item.task.generator,
        "item": item.key,
        "prompt_id": content_id(messages[:last]),  # responses to the same prompt share it (preference candidates)
        "endpoint": item.endpoint,
        "sample": item.sample,
        "generation": ctx.steps,
        **generated.meta,
    }
    tools, documents = columns_from_messages(messages)
    record = make_record(
        messages,
        id=f"{item.task.name}-{item.key}",
        category=item.task.category,
        source=f"gen:{run.recipe.name}",
        model=ctx.final_model or (ctx.steps[-1]["model"] if ctx.steps else None),
        tools=tools,
        documents=documents,
        meta=meta,
    )
    issues = validate_record(record)
    if not item.task.respond:  # instructions only (evolved prompts to answer elsewhere): no assistant turn by design
        issues = [i for i in issues if i.code != "no_assistant"]
    if issues:
        raise ItemFailed(issues[0].code, f"turn {issues[0].turn}: {issues[0].message}")
    return record


# ---- dry run -------------------------------------------------------------------------------------------------------


class _Rendered(Exception):
    pass


class _DryRunContext(ItemContext):
    """Renders the first request of an item into `sink` and stops: no journal, no endpoint."""

    def __init__(self, run: Run, item: Item, sink: list[dict]) -> None:
        super().__init__(run, item)
        self.sink = sink

    async def ask(self, step: str, messages: list[dict], **_: object) -> str:
        self.sink.append({"task": self.item.task.name, "item": self.item.key, "step": step, "messages": messages})
        raise _Rendered


async def dry_run(recipe: GenerateRecipe, *, num_items: int = 1) -> list[dict]:
    """The first request of the first `num_items` items of each task, as {task, item, step, messages}."""
    run, rendered = Run(recipe, None, {}), []
    placeholder = {
        "id": "placeholder",
        "messages": [
            {"role": "user", "content": "<a prompt of the input task>"},
            {"role": "assistant", "content": "<a response of the input task>"},
        ],
    }
    for task in recipe.tasks:
        if task.generator == "judge":
            items = judge_items(recipe, task, [placeholder], num_items)
        else:
            items = build_items(recipe, task, num_items)
        for item in items:
            with contextlib.suppress(_Rendered):
                await GENERATORS[task.generator](_DryRunContext(run, item, rendered))
    return rendered
