"""Single-answer generators: an instruction (the seed, or one the teacher writes on a topic), then the answer.

domain_expert, math, coding and content_generation differ only in their templates and in how the answer is checked;
steering first has the teacher write an unusual system prompt and a user message that tests it (paper §2: "steering
and alignment" data teaches the model to follow its system prompt exactly).
"""

from __future__ import annotations

import re

from hermes_data.generate.context import Check, Generated, ItemContext, all_checks, validator_check
from hermes_data.generate.scaffold import check_figure9
from hermes_data.markup.reasoning import find_reasoning_tags

_FINAL_ANSWER = re.compile(r"^\W*final answer\W*:", re.IGNORECASE | re.MULTILINE)


def _math_check(text: str) -> tuple[str, str] | None:
    if not _FINAL_ANSWER.search(text):
        return "no_final_answer", "the worked solution does not end with a 'Final answer:' line"
    return None


def _coding_check(text: str) -> tuple[str, str] | None:
    if not find_reasoning_tags(text):
        return "no_reasoning_tags", "the answer uses none of the reasoning tags the system prompt asks for"
    return None


# generator -> (has a system prompt template, extra answer check)
SIMPLE: dict[str, tuple[bool, Check | None]] = {
    "domain_expert": (True, None),
    "math": (True, _math_check),
    "coding": (True, _coding_check),
    "content_generation": (False, None),
}


async def instruction_of(ctx: ItemContext, generator: str) -> str:
    """The item's seed prompt, or a new instruction written by the teacher on the item's topic."""
    if ctx.item.from_seed:
        return ctx.item.input or ""
    prompt = ctx.render(f"{generator}/prompt", topic=ctx.item.input or "", index=ctx.item.index)
    return await ctx.ask(f"{generator}/prompt", [{"role": "user", "content": prompt}])


async def generate_simple(ctx: ItemContext) -> Generated:
    task = ctx.item.task
    generator = task.generator
    has_system, extra = SIMPLE[generator]
    system_template = f"{generator}/system"
    if task.scaffold == "figure9":  # the paper's agentic coding answers: the whole scaffold, in order
        system_template, extra = "coding/scaffold", check_figure9
    instruction = await instruction_of(ctx, generator)
    messages: list[dict] = []
    if task.system_prompt:
        messages.append({"role": "system", "content": task.system_prompt})
    elif has_system:
        messages.append({"role": "system", "content": ctx.render(system_template, topic=ctx.item.input or "")})
    messages.append({"role": "user", "content": instruction})
    check = all_checks(validator_check(messages), extra)
    answer = await ctx.ask(f"{generator}/answer", messages, check=check, final=True)
    return Generated([*messages, {"role": "assistant", "content": answer}])


async def generate_steering(ctx: ItemContext) -> Generated:
    topic = ctx.item.input if not ctx.item.from_seed else ""
    system = ctx.item.task.system_prompt
    if not system:
        prompt = ctx.render("steering/system", topic=topic or "", index=ctx.item.index)
        system = await ctx.ask("steering/system", [{"role": "user", "content": prompt}])
    if ctx.item.from_seed:
        query = ctx.item.input or ""
    else:
        prompt = ctx.render("steering/prompt", system_prompt=system)
        query = await ctx.ask("steering/prompt", [{"role": "user", "content": prompt}])
    messages = [{"role": "system", "content": system}, {"role": "user", "content": query}]
    answer = await ctx.ask("steering/answer", messages, check=validator_check(messages), final=True)
    return Generated([*messages, {"role": "assistant", "content": answer}])
