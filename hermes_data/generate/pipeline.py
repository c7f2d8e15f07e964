"""One call from a loaded recipe to a written output folder: clients, journal, run, write."""

from __future__ import annotations

import asyncio

from hermes_data.generate.journal import Journal
from hermes_data.generate.output import write_generation
from hermes_data.generate.recipe import GenerateRecipe
from hermes_data.generate.runner import build_clients, run_generation
from hermes_data.generate.stats import ProgressView


async def generate_async(
    recipe: GenerateRecipe,
    *,
    limit: int | None = None,
    max_cost: float | None = None,
    progress: ProgressView | None = None,
) -> dict:
    """Run the recipe against its endpoints, resuming from its journal; returns the output's manifest."""
    clients = build_clients(recipe)
    try:
        with Journal(recipe.journal) as journal:
            result = await run_generation(recipe, journal, clients, limit=limit, max_cost=max_cost, progress=progress)
    finally:
        for client in clients.values():
            await client.close()
    return write_generation(recipe.output, result, recipe, limit=limit, max_cost=max_cost)


def generate(recipe: GenerateRecipe, **options) -> dict:
    """`generate_async` for synchronous callers."""
    return asyncio.run(generate_async(recipe, **options))
