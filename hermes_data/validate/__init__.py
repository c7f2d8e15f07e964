"""The row validator (DESIGN §5): `validate_record` lists a row's issues with stable codes (`codes.CODES`), and
`repair_record` rewrites the Python-literal markup of real data as JSON.

One pass over the turns: the system prompt gives the context (tools, JSON-mode schema, documents), then each turn is
checked for its role's rules. Tool calls, citations and reasoning tags count only in assistant turns.
"""

from __future__ import annotations

from hermes_data.validate.context import build_context
from hermes_data.validate.issue import Issue
from hermes_data.validate.repair import REPAIRS, repair_record
from hermes_data.validate.structure import (
    check_control_tokens,
    check_empty,
    no_assistant,
    non_text_content,
    role_order_problem,
)
from hermes_data.validate.turns import check_assistant, check_tool_turn

__all__ = ["REPAIRS", "Issue", "repair_record", "validate_record"]


def validate_record(record: dict) -> list[Issue]:
    """Every issue of the record: row-level ones (turn None) first, then by turn in order."""
    messages = record.get("messages") or []
    ctx, system_issues = build_context(record, messages)
    issues = non_text_content(record) + no_assistant(messages)
    previous: str | None = None
    num_calls: int | None = None  # calls of the turn before, when it is an assistant turn
    for turn, message in enumerate(messages):
        role, text = message.get("role"), message.get("content") or ""
        if not (role == "system" and turn == 0):
            issues += check_empty(turn, text)
        order = role_order_problem(turn, role, previous)
        if order is not None:
            issues.append(order)
        issues += check_control_tokens(turn, text)
        if role == "system" and turn == _first_system(messages):
            issues += system_issues
            system_issues = []
        calls_here = None
        if role == "assistant":
            found, calls_here = check_assistant(turn, text, ctx)
            issues += found
        elif role == "tool":
            issues += check_tool_turn(turn, text, num_calls if previous == "assistant" else None)
        previous, num_calls = role if isinstance(role, str) else None, calls_here
    return issues + system_issues  # issues of the `tools` column when no system prompt holds the tools


def _first_system(messages: list[dict]) -> int | None:
    return next((i for i, m in enumerate(messages) if m.get("role") == "system"), None)
