"""Tool use (paper §2, "Tool Use, Agentic, and RAG"): the teacher writes the tools, the request, the calls, the
simulated tool results and the final answer, and every piece lands in Hermes markup (DESIGN §4).

Each step is checked before the next one builds on it: the tool list must parse and normalize, the calls must pass
the validator against those tools (`tool_call_json`, `tool_call_unknown`, `tool_call_args`), the simulated results
must answer every call, and the whole conversation must validate. A failing step is asked again with another seed,
then the item fails with the validator's code. A task's seeds, when given, are used as the scenario topics.
"""

from __future__ import annotations

import json
import re

from hermes_data.generate.context import Check, Generated, ItemContext, all_checks, validator_check
from hermes_data.markup.tool_calling import (
    normalize_tools,
    parse_tool_calls,
    render_tool_response,
    render_tools_system_prompt,
)

_FENCE = re.compile(r"^\s*```[\w-]*\n(?P<body>.*?)\n```\s*$", re.DOTALL)


def parse_json_reply(text: str) -> object:
    """JSON from a completion, tolerating the Markdown fence models like to wrap it in; ValueError if none."""
    found = _FENCE.match(text)
    return json.loads(found.group("body") if found else text)


def tools_problem(text: str) -> tuple[str, str] | None:
    try:
        tools, problems = normalize_tools(parse_json_reply(text))
    except ValueError as exc:
        return "tools_invalid", f"the tool list is not JSON ({exc})"
    if problems or not tools:
        return "tools_invalid", problems[0].message if problems else "the tool list is empty"
    return None


def _has_call(text: str) -> tuple[str, str] | None:
    return None if parse_tool_calls(text) else ("no_tool_call", "the reply makes no <tool_call>")


def _no_call(text: str) -> tuple[str, str] | None:
    return ("tool_call_in_answer", "the final answer calls a tool again") if parse_tool_calls(text) else None


def responses_check(num_calls: int) -> Check:
    def check(text: str) -> tuple[str, str] | None:
        try:
            value = parse_json_reply(text)
        except ValueError as exc:
            return "tool_response_json", f"the simulated results are not JSON ({exc})"
        if not isinstance(value, list) or len(value) != num_calls or not all(isinstance(v, dict) for v in value):
            return "tool_response_json", f"expected a JSON array of {num_calls} result objects"
        return None

    return check


async def generate_tool_use(ctx: ItemContext) -> Generated:
    topic = ctx.item.input or ""
    prompt = ctx.render("tool_use/tools", topic=topic, index=ctx.item.index)
    tools_text = await ctx.ask("tool_use/tools", [{"role": "user", "content": prompt}], check=tools_problem)
    tools, _ = normalize_tools(parse_json_reply(tools_text))
    tools_json = json.dumps(tools, ensure_ascii=False)
    query = await ctx.ask(
        "tool_use/query", [{"role": "user", "content": ctx.render("tool_use/query", tools_json=tools_json)}]
    )
    messages = [{"role": "system", "content": render_tools_system_prompt(tools)}, {"role": "user", "content": query}]
    call_text = await ctx.ask("tool_use/call", messages, check=all_checks(_has_call, validator_check(messages)))
    messages.append({"role": "assistant", "content": call_text})
    calls = [{"name": c.name, "arguments": c.arguments} for c in parse_tool_calls(call_text)]
    prompt = ctx.render("tool_use/responses", calls=calls, tools_json=tools_json)
    results = await ctx.ask(
        "tool_use/responses", [{"role": "user", "content": prompt}], check=responses_check(len(calls))
    )
    tool_turn = "\n".join(
        render_tool_response(r.get("name") or c["name"], r.get("content"))
        for r, c in zip(parse_json_reply(results), calls, strict=True)
    )
    messages.append({"role": "tool", "content": tool_turn})
    # OpenAI-style APIs reject a `tool` message without a tool_call_id; the teacher sees the results as a user turn
    # holding the same <tool_response> text, while the record keeps the Hermes `tool` role.
    api_view = [*messages[:-1], {"role": "user", "content": tool_turn}]
    check = all_checks(_no_call, validator_check(messages))
    answer = await ctx.ask("tool_use/answer", api_view, check=check, final=True)
    messages.append({"role": "assistant", "content": answer})
    return Generated(messages, {"num_calls": len(calls)})
