"""The Figure 9 scaffold of agentic coding answers (paper §2.1, Figure 9), checked section by section.

    <SCRATCHPAD>
      <RESTATEMENT>…</RESTATEMENT>
      <REASONING><THOUGHT_1>…</THOUGHT_1>…</REASONING>
      <PLAN><STEP_1>…</STEP_1>…</PLAN>
      <PYDANTIC_SCHEMAS><SCHEMA_1>…</SCHEMA_1>…</PYDANTIC_SCHEMAS>
      <DIAGRAM>…</DIAGRAM>
      <REFLECTION>…</REFLECTION>
    </SCRATCHPAD>
    <SOLUTION>…</SOLUTION>
    <EXPLANATION>…</EXPLANATION>
    <UNIT_TEST>…</UNIT_TEST>

The validator checks balance and nesting only (real data varies the order); a generator that asks the teacher for
this scaffold holds its answers to it: every section present once (a missing one is `scaffold_missing_<section>`,
so a missing REFLECTION counts as `scaffold_missing_reflection`), in this order and under this parent
(`scaffold_order`), and the numbered items of each list counting 1, 2, 3, … (`scaffold_numbering`). It runs after
the validator, so the tags it reads are balanced.
"""

from __future__ import annotations

import re

from hermes_data.markup.reasoning import iter_reasoning_tags

TOP_LEVEL = ("SCRATCHPAD", "SOLUTION", "EXPLANATION", "UNIT_TEST")
SCRATCHPAD = ("RESTATEMENT", "REASONING", "PLAN", "PYDANTIC_SCHEMAS", "DIAGRAM", "REFLECTION")
NUMBERED = {"REASONING": "THOUGHT", "PLAN": "STEP", "PYDANTIC_SCHEMAS": "SCHEMA"}  # list section -> its item tag
SECTIONS = TOP_LEVEL + SCRATCHPAD
_ITEM = re.compile(r"^(?P<family>[A-Z]+)_(?P<number>\d+)$")


def _children(text: str) -> dict[str, list[str]]:
    """The tags opened directly inside each tag (the root is ""), in order; balanced input assumed."""
    children: dict[str, list[str]] = {"": []}
    stack = [""]
    for name, closing, _ in iter_reasoning_tags(text):
        if closing:
            if len(stack) > 1 and stack[-1] == name:
                stack.pop()
            continue
        children.setdefault(stack[-1], []).append(name)
        children.setdefault(name, [])
        stack.append(name)
    return children


def _order_problem(parent: str, found: list[str], expected: tuple[str, ...]) -> str | None:
    sections = [name for name in found if name in SECTIONS]
    if sections != list(expected):
        where = f"inside <{parent}>" if parent else "at the top level"
        return f"{where} the sections are {', '.join(sections) or 'none'}; expected {', '.join(expected)} in order"
    return None


def check_figure9(text: str) -> tuple[str, str] | None:
    """The first way `text` departs from the Figure 9 scaffold, as (code, message), or None."""
    names = [name for name, closing, _ in iter_reasoning_tags(text) if not closing]
    for section in SECTIONS:
        if section not in names:
            return f"scaffold_missing_{section.lower()}", f"the answer has no <{section}> section"
    children = _children(text)
    for parent, expected in (("", TOP_LEVEL), ("SCRATCHPAD", SCRATCHPAD)):
        problem = _order_problem(parent, children.get(parent, []), expected)
        if problem:
            return "scaffold_order", problem
    for section, family in NUMBERED.items():
        items = [m for name in children.get(section, []) if (m := _ITEM.match(name)) and m["family"] == family]
        numbers = [int(m["number"]) for m in items]
        if not numbers or numbers != list(range(1, len(numbers) + 1)):
            got = ", ".join(f"{family}_{n}" for n in numbers) or "none"
            return "scaffold_numbering", f"<{section}> holds {got}; expected {family}_1, {family}_2, … in order"
    return None
