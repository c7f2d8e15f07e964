"""Multi-step tool episodes (issue 16): a simulated user asks, the assistant calls tools round after round (several
calls per turn allowed), the teacher plays the tools, until the assistant answers or `max_rounds` runs out.

Every step is one journaled request (`tool_episode/user`, `tool_episode/assistant.rN`, `tool_episode/simulate.rN`)
whose key depends only on the item and the round, so a run killed mid-episode replays the answered rounds from the
journal and pays only for the rest. Each assistant turn is checked by the Hermes validator against the episode's
tools (`tool_call_json`, `tool_call_unknown`, `tool_call_args`) before the next round builds on it; a failing turn
is asked again with another seed, then the item fails with the validator's code. The tool simulator is the teacher
prompted with the tools' schemas and the calls: nothing is ever executed.

The tool pool is the task's `tool_files` (JSON Schema function definitions), each seed row's own list (the task's
`tools_column`, for datasets that carry a tool list per row), or, without either, made by the teacher from the item's
topic. A `no_tool_share` of the items gets a request none of the tools fits; those episodes must end
in a plain answer with no call (the paper's tool data includes them).
"""

from __future__ import annotations

import json

from hermes_data.generate.context import Check, Generated, ItemContext, ItemFailed, all_checks, validator_check
from hermes_data.generate.structure_files import load_tool_files
from hermes_data.generate.tool_use import parse_json_reply, responses_check, tools_problem
from hermes_data.markup.literals import loads_json_or_literal
from hermes_data.markup.tool_calling import (
    normalize_tools,
    parse_tool_calls,
    render_tool_response,
    render_tools_system_prompt,
)


async def _episode_tools(ctx: ItemContext) -> list[dict]:
    task = ctx.item.task
    if task.tool_files:
        return load_tool_files(tuple(task.tool_files))
    if ctx.item.tools is not None:  # the seed row's own tool list (tools_column)
        try:
            # real data (DESIGN §4) often writes tool lists as Python literals: read them as the validator's repair
            # does; the episode's system prompt then carries the list as JSON
            tools, problems = normalize_tools(loads_json_or_literal(ctx.item.tools)[0])
        except ValueError as exc:
            raise ItemFailed("tools_invalid", f"{task.tools_column}: {exc}") from None
        if problems or not tools:
            raise ItemFailed("tools_invalid", problems[0].message if problems else f"{task.tools_column} is empty")
        return tools
    prompt = ctx.render("tool_use/tools", topic=ctx.item.input or "", index=ctx.item.index)
    text = await ctx.ask("tool_episode/tools", [{"role": "user", "content": prompt}], check=tools_problem)
    return normalize_tools(parse_json_reply(text))[0]


def _reasoned(tag: str) -> Check:
    def check(text: str) -> tuple[str, str] | None:
        if parse_tool_calls(text) and f"<{tag}>" not in text:
            return "reasoning_missing", f"a turn that calls tools must reason first inside <{tag}>"
        return None

    return check


def _no_call(text: str) -> tuple[str, str] | None:
    if parse_tool_calls(text):
        return "tool_call_no_tool_fits", "no tool fits this request, but the answer calls one"
    return None


def _api_view(messages: list[dict]) -> list[dict]:
    # OpenAI-style APIs reject a `tool` message without a tool_call_id: the teacher sees the results as user turns
    # holding the same <tool_response> text; the record keeps the Hermes `tool` role.
    return [{**m, "role": "user"} if m["role"] == "tool" else m for m in messages]


async def generate_tool_episode(ctx: ItemContext) -> Generated:
    task = ctx.item.task
    tools = await _episode_tools(ctx)
    tools_json = json.dumps(tools, ensure_ascii=False)
    no_tool = ctx.rng.random() < task.no_tool_share
    user_step = "tool_episode/user_no_tool" if no_tool else "tool_episode/user"
    if ctx.item.from_seed and (task.tool_files or task.tools_column) and not no_tool:
        request = ctx.item.input  # seeds with a given tool pool are the user's requests themselves
    else:  # otherwise the seed or topic is what the simulated user talks about
        prompt = ctx.render(user_step, tools_json=tools_json, topic=ctx.item.input or "")
        request = await ctx.ask(user_step, [{"role": "user", "content": prompt}])
    system = render_tools_system_prompt(tools)
    if task.reasoning_tag:
        system += (
            f"\nBefore calling functions, think step by step inside <{task.reasoning_tag}></{task.reasoning_tag}>."
        )
    messages = [{"role": "system", "content": system}, {"role": "user", "content": request}]
    num_calls = 0
    for round_ in range(1, task.max_rounds + 1):
        checks = [validator_check(messages), _no_call if no_tool else None]
        if task.reasoning_tag:
            checks.append(_reasoned(task.reasoning_tag))
        reply = await ctx.ask(f"tool_episode/assistant.r{round_}", _api_view(messages), check=all_checks(*checks))
        messages.append({"role": "assistant", "content": reply})
        calls = [{"name": c.name, "arguments": c.arguments} for c in parse_tool_calls(reply)]
        if not calls:
            ctx.final_model = ctx.steps[-1]["model"]
            return Generated(messages, {"num_rounds": round_, "num_calls": num_calls, "no_tool_fits": no_tool})
        if round_ == task.max_rounds:
            break  # still calling: no use paying for results no answer will follow
        num_calls += len(calls)
        prompt = ctx.render("tool_episode/simulate", calls=calls, tools_json=tools_json)
        results = await ctx.ask(
            f"tool_episode/simulate.r{round_}",
            [{"role": "user", "content": prompt}],
            check=responses_check(len(calls)),
        )
        tool_turn = "\n".join(
            render_tool_response(r.get("name") or c["name"], r.get("content"))
            for r, c in zip(parse_json_reply(results), calls, strict=True)
        )
        messages.append({"role": "tool", "content": tool_turn})
    raise ItemFailed("max_rounds", f"still calling tools after {task.max_rounds} rounds (max_rounds); no final answer")
