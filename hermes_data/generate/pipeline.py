"""One call from a loaded recipe to a written output folder: seeds, clients, journal, run, write.

The seeds are read before the journal is opened, so a bad seed file leaves nothing behind; a run in which no
request ever reached an endpoint is an error, not an empty output folder.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from hermes_data.generate.client import EndpointError
from hermes_data.generate.items import Shard
from hermes_data.generate.journal import Journal
from hermes_data.generate.output import write_generation
from hermes_data.generate.recipe import GenerateRecipe
from hermes_data.generate.runner import GenerationResult, build_clients, run_generation, task_items
from hermes_data.generate.stats import ProgressView


async def generate_async(
    recipe: GenerateRecipe,
    *,
    limit: int | None = None,
    shard: Shard | None = None,
    max_cost: float | None = None,
    progress: ProgressView | None = None,
) -> dict:
    """Run the recipe against its endpoints, resuming from its journal; returns the output's manifest.

    With `shard`, the run takes its share of the items and writes `<output>-shard-II-of-NN` with its own journal, so
    machines sharing a disk never write the same file; the shards' folders are sources of one build.
    """
    if shard is not None:
        recipe = for_shard(recipe, shard)
    items = task_items(recipe, limit, shard)
    clients = build_clients(recipe)
    journal_existed = Path(recipe.journal).exists()
    try:
        with Journal(recipe.journal) as journal:
            result = await run_generation(
                recipe, journal, clients, limit=limit, max_cost=max_cost, progress=progress, items=items
            )
    finally:
        for client in clients.values():
            await client.close()
    try:
        _check_reached(recipe, result)
    except EndpointError:
        if not journal_existed:  # it holds no reply: a failed run leaves nothing behind
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(recipe.journal + suffix).unlink(missing_ok=True)
        raise
    return write_generation(recipe.output, result, recipe, limit=limit, shard=shard, max_cost=max_cost)


def for_shard(recipe: GenerateRecipe, shard: Shard) -> GenerateRecipe:
    """The recipe with this shard's output folder and journal."""
    tail = f"-shard-{shard.index:02d}-of-{shard.count:02d}"
    output = recipe.output.rstrip("/") + tail
    journal = Path(recipe.journal)
    if recipe.journal == recipe.output.rstrip("/") + ".journal.sqlite":
        journal_path = output + ".journal.sqlite"
    else:
        journal_path = str(journal.with_name(journal.stem + tail + journal.suffix))
    return recipe.model_copy(update={"output": output, "journal": journal_path})


def _check_reached(recipe: GenerateRecipe, result: GenerationResult) -> None:
    """No reply, sent or journaled, and every request failed to connect: the endpoints were never reached.

    An HTTP error or a timeout means a server answered or took the request; that run writes its output as usual.
    """
    stats = result.stats
    if stats.requests_sent or stats.requests_replayed or set(stats.unreached) != {"connection_error"}:
        return
    reasons = ", ".join(f"{n} {reason}" for reason, n in stats.unreached.most_common())
    endpoints = ", ".join(f"{name} ({spec.base_url})" for name, spec in recipe.endpoints.items())
    raise EndpointError(
        f"no request reached an endpoint ({reasons}); check that the server at {endpoints} is running and that "
        f"base_url is right, then rerun; no output was written to {recipe.output}"
    )


def generate(recipe: GenerateRecipe, **options) -> dict:
    """`generate_async` for synchronous callers."""
    return asyncio.run(generate_async(recipe, **options))
