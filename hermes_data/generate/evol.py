"""Evol-Instruct (WizardLM, Xu et al. 2023), the scheme the Hermes 3 report cites for its generated data.

Each round picks a method (in-depth: constraints, deepen, concretize, reasoning, complicate; or in-breadth) with the
item's own RNG and asks the teacher to rewrite the current instruction. WizardLM's elimination rules decide whether
an evolution survives:

1. it adds no information: nearly the same text as the instruction it evolved from;
2. it copies the evolving prompt: it repeats the rewriter's own wording ("#Rewritten Prompt#", "given prompt");
3. its answer is a refusal or too short (checked on the final answer, which is asked again with another seed).

The paper's rules 1 and 2 compare texts; we do it by rapidfuzz similarity (0-100) on case- and punctuation-folded
text, so a rewrite that only changes a comma or the case is still "no information". An eliminated evolution is
counted and the next round starts again from the surviving instruction, as WizardLM keeps the pool's previous entry.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from hermes_data.filters.refusals import is_refusal
from hermes_data.generate.context import Generated, ItemContext, ItemFailed
from hermes_data.generate.recipe import EvolSpec

MIN_SENTENCE_CHARS = 30  # evolved sentences shorter than this are too generic to call a copy
MARKER_SIMILARITY = 95  # the rewriter's short labels ("#Rewritten Prompt#:") must appear almost verbatim
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n")


def elimination_reason(previous: str, evolved: str, scaffold: str, spec: EvolSpec) -> str | None:
    """Why `evolved` must be discarded (`empty`, `no_information`, `copies_prompt`), or None to keep it.

    `scaffold` is the evolving prompt rendered without the instruction: its wording is what must not be copied.
    A copy is either one of its short labels echoed, or a sentence of the evolution that aligns with it closely
    (partial ratio: the sentence against its best-matching stretch of the scaffold).
    """
    evolved_norm = default_process(evolved)
    if not evolved_norm:
        return "empty"
    if fuzz.ratio(default_process(previous), evolved_norm) >= spec.max_similarity:
        return "no_information"
    scaffold_norm = default_process(scaffold)
    for label in (default_process(line) for line in scaffold.splitlines()):
        if 12 <= len(label) < MIN_SENTENCE_CHARS and fuzz.partial_ratio(label, evolved_norm) >= MARKER_SIMILARITY:
            return "copies_prompt"
    for sentence in (default_process(s) for s in _SENTENCE.split(evolved)):
        if len(sentence) >= MIN_SENTENCE_CHARS and fuzz.partial_ratio(sentence, scaffold_norm) >= spec.copy_similarity:
            return "copies_prompt"
    return None


def answer_problem(text: str, spec: EvolSpec) -> tuple[str, str] | None:
    if is_refusal(text):
        return "refusal", "the answer to the evolved instruction is a refusal"
    if len(text.strip()) < spec.min_response_chars:
        return "too_short", f"the answer is shorter than {spec.min_response_chars} characters"
    return None


async def evolve(ctx: ItemContext, instruction: str, spec: EvolSpec) -> tuple[str, list[str]]:
    """The instruction after `spec.rounds` rounds, and the methods whose evolutions survived."""
    kept: list[str] = []
    for round_no in range(1, spec.rounds + 1):
        method = ctx.rng.choice(spec.methods)
        name = f"evol/{method}"
        evolved = await ctx.ask(
            f"{name}.r{round_no}", [{"role": "user", "content": ctx.render(name, instruction=instruction)}]
        )
        evolved = _strip_label(evolved)
        reason = elimination_reason(instruction, evolved, ctx.render(name, instruction=""), spec)
        if reason:
            ctx.eliminated(reason)
            continue
        instruction = evolved
        kept.append(method)
    return instruction, kept


def _strip_label(text: str) -> str:
    """Models often echo an answer label on the first line; `Rewritten Prompt:` alone is not a copy of the prompt."""
    first, _, rest = text.partition("\n")
    if first.strip().lower().strip("#*: ") in ("rewritten prompt", "created prompt", "new prompt") and rest.strip():
        return rest.strip()
    return text.strip()


async def generate_evol(ctx: ItemContext) -> Generated:
    spec = ctx.item.task.evolve or EvolSpec()
    seed = ctx.item.input or ""
    instruction, kept = await evolve(ctx, seed, spec)
    if not kept:
        raise ItemFailed("eliminated_all", f"every one of the {spec.rounds} evolutions was eliminated")
    messages = [{"role": "user", "content": instruction}]
    meta = {"evol": {"seed_prompt": seed, "methods": kept, "rounds": spec.rounds}}
    if ctx.item.task.respond:

        def check(text: str) -> tuple[str, str] | None:
            problem = answer_problem(text, spec)
            if problem:
                ctx.eliminated(problem[0])
            return problem

        answer = await ctx.ask("evol/answer", messages, check=check, final=True)
        messages.append({"role": "assistant", "content": answer})
    return Generated(messages, meta)
