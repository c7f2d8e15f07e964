"""What a generator sees: its item, its RNG, its templates, and `ask`, one step of the generator as a request.

The per-item state lives here (the item, the answered steps kept in `meta.generation`, the model of the final
reply); the run-wide state lives in `run_state.Run` and the retry/journal loop behind `ask` in `attempts`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from hermes_data.generate.attempts import Check, ItemFailed, answer_step, derive_seed
from hermes_data.generate.recipe import TaskSpec
from hermes_data.generate.run_state import Run, Stopped
from hermes_data.record import make_record
from hermes_data.validate import validate_record

__all__ = [
    "Check",
    "Generated",
    "Item",
    "ItemContext",
    "ItemFailed",
    "Stopped",
    "all_checks",
    "derive_seed",
    "validator_check",
]


@dataclass
class Item:
    task: TaskSpec
    index: int
    key: str  # unique within the task: the seed's position, plus endpoint and sample when there are several
    input: str | None  # the seed prompt, or the topic for generators that start from nothing
    endpoint: str
    sample: int = 0
    judged: dict | None = None  # judge items: the record being rated (read only; see judge.apply_judgments)
    from_seed: bool = False  # input is a prompt to answer rather than a topic
    tools: str | None = None  # tool_episode: the seed row's own tool list (JSON), from the task's tools_column
    schema: str | None = None  # json_mode: the seed row's own JSON Schema (JSON), from the task's schema_column


@dataclass
class Generated:
    """A generator's result: the conversation and what it wants kept in `meta`."""

    messages: list[dict]
    meta: dict[str, Any] = field(default_factory=dict)


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
        """The content of a usable completion for this step (see `attempts`)."""
        answered = await answer_step(
            self.run, self.item.task, self.item.key, step, messages, endpoint or self.item.endpoint, check
        )
        self.steps.append(answered.step)
        if final:
            self.final_model = answered.model
        return answered.content


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
