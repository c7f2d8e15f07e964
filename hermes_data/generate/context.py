"""What a generator sees: its item, and `ask`, which turns one step of the generator into a durable request.

`ask` is where "never pay twice" and "never lose one" meet the validation loop. For attempt 0, 1, … of a step it
builds the request (a seed derived from the recipe seed, task, item, step and attempt), reuses the journaled reply
when there is one, otherwise sends it and journals the reply before looking at it. A reply that is empty, truncated,
or fails the step's check (usually the Hermes validator) moves on to the next attempt, whose new seed gives the
model a different draw; when the attempts run out the item fails with the last problem's code. Because every choice
is a function of the journal, a rerun replays the same attempts and reaches the same state without sending anything.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hermes_data.generate.client import ChatRequest, RequestFailed, completion_problem
from hermes_data.generate.journal import Reply, request_key
from hermes_data.generate.recipe import TaskSpec
from hermes_data.record import make_record
from hermes_data.validate import validate_record

if TYPE_CHECKING:
    from hermes_data.generate.runner import Run

# A step's check: None when the completion is usable, else (code, message).
Check = Callable[[str], "tuple[str, str] | None"]


class ItemFailed(Exception):
    """The item cannot be completed; `reason` is a stable code counted in the manifest."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


class Stopped(Exception):
    """The run stops starting requests (--max-cost reached): the item is left unfinished, not failed."""


@dataclass
class Item:
    task: TaskSpec
    index: int
    key: str  # unique within the task: the seed's position, plus endpoint and sample when there are several
    input: str | None  # the seed prompt, or the topic for generators that start from nothing
    endpoint: str
    sample: int = 0
    judged: dict | None = None  # judge items: the record being rated
    from_seed: bool = False  # input is a prompt to answer rather than a topic


@dataclass
class Generated:
    """A generator's result: the conversation and what it wants kept in `meta`."""

    messages: list[dict]
    meta: dict[str, Any] = field(default_factory=dict)


def derive_seed(*parts: object) -> int:
    """A 31-bit seed from the parts (the API's `seed`, the item's RNG), the same in every run."""
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:4], "big") >> 1


class ItemContext:
    def __init__(self, run: Run, item: Item) -> None:
        self.run, self.item = run, item
        self.rng = random.Random(derive_seed(run.recipe.seed, item.task.name, item.key))
        self.steps: list[dict] = []  # per answered step: endpoint, model, seed, attempts (kept in meta)
        self.final_model: str | None = None

    def render(self, name: str, **variables: object) -> str:
        return self.run.templates[self.item.task.name].render(name, **variables)

    def eliminated(self, reason: str) -> None:
        self.run.stats.eliminated[reason] += 1

    async def ask(
        self,
        step: str,
        messages: list[dict],
        *,
        check: Check | None = None,
        endpoint: str | None = None,
        final: bool = False,
    ) -> str:
        """The content of a usable completion for this step (see the module docstring)."""
        task, defaults = self.item.task, self.run.recipe.defaults
        endpoint = endpoint or self.item.endpoint
        client = self.run.clients[endpoint]
        temperature = task.temperature if task.temperature is not None else defaults.temperature
        max_tokens = task.max_tokens or defaults.max_tokens
        problem: tuple[str, str] | None = None
        for attempt in range(defaults.max_retries + 1):
            seed = derive_seed(self.run.recipe.seed, task.name, self.item.key, step, attempt)
            request = ChatRequest(
                request_key(task.name, self.item.key, step, attempt), messages, temperature, max_tokens, seed
            )
            reply = await self._reply(client, request)
            problem = completion_problem(reply) or (check(reply.content) if check else None)
            if problem is None:
                self.steps.append(
                    {
                        "step": step,
                        "endpoint": endpoint,
                        "model": reply.model,
                        "seed": seed,
                        "attempt": attempt,
                        "temperature": temperature,
                        "max_tokens": max_tokens,
                    }
                )
                if final:
                    self.final_model = reply.model
                return reply.content.strip()
            self.run.stats.retries[problem[0]] += 1
        assert problem is not None
        raise ItemFailed(problem[0], f"{step}: {problem[1]} (after {defaults.max_retries + 1} attempts)")

    async def _reply(self, client, request: ChatRequest) -> Reply:
        body_sha = request.body_sha(client.spec.model)
        reply = self.run.journal.get(request.key, body_sha)
        if reply is not None:
            self.run.stats.add_reply(reply, new=False)
            return reply
        self.run.check_budget()
        try:
            reply = await client.complete(request)
        except RequestFailed as exc:
            raise ItemFailed(exc.reason, f"{request.key}: {exc.detail}") from None
        # Journaled before anything looks at it: from here on this completion is never paid for again.
        await self.run.journal.append(request.key, body_sha, reply)
        self.run.stats.add_reply(reply, new=True)
        return reply


def validator_check(before: list[dict], *, tools: str | None = None) -> Check:
    """A check that validates `before` + the completion as an assistant turn with the Hermes validator."""

    def check(content: str) -> tuple[str, str] | None:
        record = make_record([*before, {"role": "assistant", "content": content}], tools=tools)
        issues = validate_record(record)
        return (issues[0].code, issues[0].message) if issues else None

    return check


def all_checks(*checks: Check | None) -> Check:
    def check(content: str) -> tuple[str, str] | None:
        for one in checks:
            problem = one(content) if one else None
            if problem:
                return problem
        return None

    return check
