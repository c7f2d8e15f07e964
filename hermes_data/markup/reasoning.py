"""Reasoning tags (paper §2.1 and Figure 9) and their balance check.

Hermes 3 trains on ten reasoning tags that sit on reserved tokens of the Llama 3.1 tokenizer. The agentic-coding
format of Figure 9 adds structured sub-tags inside them:

    <SCRATCHPAD>
      <RESTATEMENT>…</RESTATEMENT>
      <REASONING><THOUGHT_1>…</THOUGHT_1>…</REASONING>
      <PLAN><STEP_1>…</STEP_1>…</PLAN>
      <PYDANTIC_SCHEMAS><SCHEMA_1>…</SCHEMA_1>…</PYDANTIC_SCHEMAS>
      <DIAGRAM>…</DIAGRAM>
      <REFLECTION>…</REFLECTION>
    </SCRATCHPAD>
    <SOLUTION>…</SOLUTION> <EXPLANATION>…</EXPLANATION> <UNIT_TEST>…</UNIT_TEST>

Only these names are markup, written exactly (uppercase, no spaces or attributes); `<T>`, `<TODO>`, `<BR>`, HTML and
`<STEP_N>` with a literal N are text. Code is masked first, so tags quoted in code are ignored. The check is about
balance and nesting only; which tag may sit inside which is not prescribed (real answers vary the Figure 9 order).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

from hermes_data.markup.code_spans import line_locator, mask_code
from hermes_data.markup.problems import Problem

REASONING_TAGS: tuple[str, ...] = (
    "SCRATCHPAD",
    "REASONING",
    "INNER_MONOLOGUE",
    "PLAN",
    "EXECUTION",
    "REFLECTION",
    "THINKING",
    "SOLUTION",
    "EXPLANATION",
    "UNIT_TEST",
)
# Figure 9 sub-tags; `_N` stands for a step, thought or schema number (`<THOUGHT_1>`, `<STEP_12>`).
FIGURE9_TAGS: tuple[str, ...] = ("RESTATEMENT", "THOUGHT_N", "STEP_N", "PYDANTIC_SCHEMAS", "SCHEMA_N", "DIAGRAM")
# The ten tag names the paper puts on reserved Llama 3.1 tokens; RESERVED_TAG_TOKENS are the token strings.
RESERVED_TAGS: list[str] = list(REASONING_TAGS)
RESERVED_TAG_TOKENS: list[str] = [token for name in REASONING_TAGS for token in (f"<{name}>", f"</{name}>")]

_NAMES = "|".join(name[:-2] + r"_\d+" if name.endswith("_N") else name for name in REASONING_TAGS + FIGURE9_TAGS)
_TAG = re.compile(rf"<(?P<close>/?)(?P<name>{_NAMES})>")
_NUMBERED = re.compile(r"_\d+$")


class _Open(NamedTuple):
    name: str
    pos: int


def find_reasoning_tags(text: str) -> list[str]:
    """Tag names used in `text` (opening or closing), first use first; numbered ones as `THOUGHT_N`, `STEP_N`, …"""
    seen: dict[str, None] = {}
    for match in _TAG.finditer(mask_code(text)):
        seen.setdefault(_family(match.group("name")), None)
    return list(seen)


def iter_reasoning_tags(text: str) -> list[tuple[str, bool, int]]:
    """(name, is_closing, position) of every reasoning tag outside code, in order; numbered names kept as written."""
    return [(m.group("name"), bool(m.group("close")), m.start()) for m in _TAG.finditer(mask_code(text))]


def check_reasoning_tags(text: str) -> list[Problem]:
    """`tag_unbalanced` problems: a reasoning tag not closed, closed without opening, or closing an inner tag."""
    masked = mask_code(text)
    if _TAG.search(masked) is None:
        return []
    line_of = line_locator(text)
    problems: list[Problem] = []
    stack: list[_Open] = []
    depth: Counter[str] = Counter()  # open tags by name, so a stray closing tag costs O(1), not a stack scan
    # Tags closed implicitly by an outer closing tag (`<PLAN><STEP_1>…</PLAN>`); their late closing tag is the tail of
    # the same mistake (`</PLAN></STEP_1>`, crossed tags) and is not reported a second time.
    implicitly_closed: Counter[str] = Counter()
    for match in _TAG.finditer(masked):
        name, where = match.group("name"), f"at line {line_of(match.start())}"
        if not match.group("close"):
            stack.append(_Open(name, match.start()))
            depth[name] += 1
        elif depth[name]:
            inner = stack[-1]
            if inner.name != name:
                opened = f"opened at line {line_of(inner.pos)}"
                problems.append(_unbalanced(f"</{name}> {where} closes <{inner.name}> ({opened})"))
            while (entry := stack.pop()).name != name:
                depth[entry.name] -= 1
                implicitly_closed[entry.name] += 1
            depth[name] -= 1
        elif implicitly_closed[name]:
            implicitly_closed[name] -= 1
        elif stack and _family(stack[-1].name) == _family(name):
            # `<STEP_2>…</STEP_3>`: a misnumbered twin, one mistake rather than a stray and an unclosed tag
            inner = stack.pop()
            depth[inner.name] -= 1
            problems.append(
                _unbalanced(f"</{name}> {where} closes <{inner.name}> (opened at line {line_of(inner.pos)})")
            )
        else:
            innermost = f" (innermost open tag: <{stack[-1].name}>)" if stack else ""
            problems.append(_unbalanced(f"</{name}> {where} without opening <{name}>{innermost}"))
    problems.extend(_unbalanced(f"unclosed <{entry.name}> opened at line {line_of(entry.pos)}") for entry in stack)
    return problems


def _family(name: str) -> str:
    return _NUMBERED.sub("_N", name)


def _unbalanced(message: str) -> Problem:
    return Problem("tag_unbalanced", message)
