"""Checks of one assistant or tool turn: markup balance, tool calls, responses, citations, JSON mode."""

from __future__ import annotations

from hermes_data.markup.json_mode import parse_json_answer
from hermes_data.markup.rag import check_citations
from hermes_data.markup.reasoning import check_reasoning_tags
from hermes_data.markup.tool_calling import ParsedCall, parse_call_at, scan_tool_tags
from hermes_data.validate.context import Context
from hermes_data.validate.issue import Issue


def _may_cite(text: str) -> bool:
    """Cheap gate before the citation parser (which masks code first): a citation tag or a `Cited Documents:`
    line in any letter case. Plain substring tests, since a case-insensitive regex over every answer costs more
    than the rest of the validator."""
    return "<co" in text or "</co" in text or "ocuments" in text or "OCUMENTS" in text


def check_assistant(turn: int, text: str, ctx: Context) -> tuple[list[Issue], int]:
    """Issues of an assistant turn, and how many `<tool_call>` blocks it made (for the tool turn after it)."""
    issues: list[Issue] = []
    if "<" in text:
        issues += [Issue(p.code, turn, p.message) for p in check_reasoning_tags(text)]
    scanned = scan_tool_tags(text)
    call_spans = scanned["tool_call"][0]
    issues += [Issue(p.code, turn, p.message) for p in scanned["tool_call"][1] + scanned["tool_response"][1]]
    for index, (start, end) in enumerate(call_spans):
        issues += _check_call(turn, index, parse_call_at(text, start, end), ctx)
    if _may_cite(text):
        issues += [Issue(p.code, turn, p.message) for p in check_citations(text, ctx.doc_ids)]
    if ctx.json_mode and not call_spans:
        issues += _check_json_answer(turn, text, ctx)
    return issues, len(call_spans)


def _check_call(turn: int, index: int, call: ParsedCall, ctx: Context) -> list[Issue]:
    issues = []
    where = f"call {index + 1}"
    if call.python_literal:
        issues.append(Issue("python_literal", turn, f"{where} is a Python literal, not JSON"))
    if call.problem is not None:
        return [*issues, Issue(call.problem.code, turn, f"{where}: {call.problem.message}")]
    if ctx.tools is None:
        return issues  # the tool list itself is broken (tools_invalid): nothing to check the call against
    if call.name not in ctx.tools:
        known = ", ".join(sorted(ctx.tools)[:10]) or "none defined"
        return [*issues, Issue("tool_call_unknown", turn, f"{where} to {call.name!r}: no such tool ({known})")]
    schema = ctx.tools[call.name]
    if schema is not None:
        for violation in schema.violations(call.arguments):
            issues.append(Issue("tool_call_args", turn, f"{where} to {call.name!r}: arguments{violation}"))
    return issues


def _check_json_answer(turn: int, text: str, ctx: Context) -> list[Issue]:
    value, error = parse_json_answer(text)
    if error is not None:
        return [Issue("json_mode_schema", turn, error)]
    if ctx.schema is None:
        return []
    return [Issue("json_mode_schema", turn, f"answer{v}") for v in ctx.schema.violations(value)]


def check_tool_turn(turn: int, text: str, num_calls: int | None) -> list[Issue]:
    """Issues of a tool turn; `num_calls` is the number of calls of the assistant turn right before it (None when
    the turn before is not an assistant turn, which is a role_order issue reported elsewhere)."""
    scanned = scan_tool_tags(text)
    issues = [Issue(p.code, turn, p.message) for p in scanned["tool_call"][1] + scanned["tool_response"][1]]
    num_responses = len(scanned["tool_response"][0])
    if num_responses == 0:
        if text.strip():
            issues.append(Issue("role_order", turn, "tool turn holds no <tool_response> block"))
        return issues
    if num_calls == 0:
        issues.append(Issue("tool_response_orphan", turn, "tool response after an assistant turn without calls"))
    elif num_calls is not None and num_responses > num_calls:
        message = f"{num_responses} tool responses answer {num_calls} call{'s' if num_calls != 1 else ''}"
        issues.append(Issue("tool_response_orphan", turn, message))
    return issues
