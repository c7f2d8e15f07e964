"""The retry/journal loop: one step of a generator turned into a durable, checked request.

This is where "never pay twice" and "never lose one" meet the validation loop. For attempt 0, 1, … of a step it
builds the request (a seed derived from the recipe seed, task, item, step and attempt), reuses the journaled reply
when there is one, otherwise sends it and journals the reply before looking at it. A reply that is empty, truncated,
or fails the step's check (usually the Hermes validator) moves on to the next attempt, whose new seed gives the
model a different draw; when the attempts run out the item fails with the last problem's code. Because every choice
is a function of the journal, a rerun replays the same attempts and reaches the same state without sending anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from hermes_data.generate.client import ChatRequest, EndpointClient, RequestFailed, completion_problem
from hermes_data.generate.journal import Reply, request_key
from hermes_data.generate.recipe import TaskSpec
from hermes_data.generate.run_state import Run

# A step's check: None when the completion is usable, else (code, message).
Check = Callable[[str], "tuple[str, str] | None"]


class ItemFailed(Exception):
    """The item cannot be completed; `reason` is a stable code counted in the manifest."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass
class Answered:
    """A usable completion of one step, and what the record keeps about how it was made (`meta.generation`)."""

    content: str
    model: str | None
    step: dict


def derive_seed(*parts: object) -> int:
    """A 31-bit seed from the parts (the API's `seed`, the item's RNG), the same in every run."""
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:4], "big") >> 1


async def answer_step(
    run: Run, task: TaskSpec, item_key: str, step: str, messages: list[dict], endpoint: str, check: Check | None
) -> Answered:
    """The first attempt of `step` whose completion passes `check` (see the module docstring)."""
    defaults = run.recipe.defaults
    client = run.clients[endpoint]
    temperature = task.temperature if task.temperature is not None else defaults.temperature
    max_tokens = task.max_tokens or defaults.max_tokens
    problem: tuple[str, str] | None = None
    for attempt in range(defaults.max_retries + 1):
        seed = derive_seed(run.recipe.seed, task.name, item_key, step, attempt)
        request = ChatRequest(request_key(task.name, item_key, step, attempt), messages, temperature, max_tokens, seed)
        reply = await journaled_reply(run, client, request)
        problem = completion_problem(reply) or (check(reply.content) if check else None)
        if problem is None:
            info = {
                "step": step,
                "endpoint": endpoint,
                "model": reply.model,
                "seed": seed,
                "attempt": attempt,
                "temperature": temperature,
                "max_tokens": max_tokens,
            }
            return Answered(reply.content.strip(), reply.model, info)
        run.stats.retries[problem[0]] += 1
    assert problem is not None
    raise ItemFailed(problem[0], f"{step}: {problem[1]} (after {defaults.max_retries + 1} attempts)")


async def journaled_reply(run: Run, client: EndpointClient, request: ChatRequest) -> Reply:
    """The journal's reply to `request`, or a new one sent, journaled, then returned."""
    body_sha = request.body_sha(client.spec.model)
    reply = run.journal.get(request.key, body_sha)
    if reply is not None:
        run.stats.add_reply(reply, new=False)
        return reply
    run.check_budget()
    try:
        reply = await client.complete(request)
    except RequestFailed as exc:
        run.stats.unreached[exc.reason] += 1
        raise ItemFailed(exc.reason, f"{request.key}: {exc.detail}") from None
    # Journaled before anything looks at it: from here on this completion is never paid for again.
    await run.journal.append(request.key, body_sha, reply)
    run.stats.add_reply(reply, new=True)
    return reply
