"""The shared state of one generate run: recipe, journal, clients, templates, stats and the spending limit.

One object per run, created by the runner and read by every item's context and by the request loop; nothing else
holds run-wide state.
"""

from __future__ import annotations

import os

from hermes_data.generate.client import EndpointClient, EndpointError
from hermes_data.generate.journal import Journal
from hermes_data.generate.recipe import GenerateRecipe
from hermes_data.generate.stats import ProgressView, Stats
from hermes_data.generate.templates import TemplateSet


class Stopped(Exception):
    """The run stops starting requests (--max-cost reached): the item is left unfinished, not failed."""


class Run:
    """Shared state of one run: recipe, journal, clients, templates, stats and the spending limit."""

    def __init__(
        self,
        recipe: GenerateRecipe,
        journal: Journal | None,
        clients: dict[str, EndpointClient],
        *,
        max_cost: float | None = None,
        progress: ProgressView | None = None,
    ) -> None:
        self.recipe, self.journal, self.clients, self.max_cost = recipe, journal, clients, max_cost
        self.templates = {t.name: TemplateSet(t.templates) for t in recipe.tasks}
        self.stats = Stats(spent_before=journal.total_cost() if journal else 0.0)
        self.progress = progress or ProgressView(enabled=False)
        self.stopped: str | None = None

    def check_budget(self) -> None:
        """Called before every new request: past --max-cost nothing more is sent (in-flight requests still land)."""
        if self.stopped:
            raise Stopped(self.stopped)
        if self.max_cost is not None and self.stats.spent_total >= self.max_cost:
            self.stopped = "max_cost"
            raise Stopped(self.stopped)


def build_clients(recipe: GenerateRecipe, *, need_keys: bool = True) -> dict[str, EndpointClient]:
    clients = {}
    for name, spec in recipe.endpoints.items():
        key = os.environ.get(spec.api_key_env) if spec.api_key_env else None
        if need_keys and spec.api_key_env and not key:
            raise EndpointError(
                f"endpoint {name!r}: the environment variable {spec.api_key_env} is not set; set it to the API key, "
                "or set api_key_env: null for a local server without keys"
            )
        clients[name] = EndpointClient(name, spec, key)
    return clients
