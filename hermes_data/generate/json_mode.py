"""JSON mode (issue 16): a schema in the Hermes JSON-mode system prompt, a request, and a bare-JSON answer for it.

The schema is the task's `json_schema` (inline or a file, checked when the recipe loads), each seed row's own
(`schema_column`; a Python-literal schema as real data writes it is read too), or, with neither, written by the
teacher for the item's request or topic (`json_mode/schema`, checked to be valid JSON Schema). The request is the
seed, or one the teacher writes for the schema (`json_mode/request`). The answer is checked by the Hermes validator,
whose JSON-mode rule parses the `<schema>` and validates the reply against it; a reply that is not bare JSON valid
for the schema is asked again with another seed, and when the attempts run out the item fails with
`json_mode_schema`.
"""

from __future__ import annotations

import json

from hermes_data.generate.context import Generated, ItemContext, ItemFailed, validator_check
from hermes_data.generate.structure_files import schema_problem
from hermes_data.generate.tool_use import parse_json_reply
from hermes_data.markup.json_mode import render_json_mode_system_prompt
from hermes_data.markup.literals import loads_json_or_literal


def _teacher_schema_problem(text: str) -> tuple[str, str] | None:
    try:
        problem = schema_problem(parse_json_reply(text))
    except ValueError as exc:
        problem = f"not JSON ({exc})"
    return ("tools_invalid", f"the schema written is unusable: {problem}") if problem else None


async def _schema(ctx: ItemContext) -> dict:
    task, item = ctx.item.task, ctx.item
    if isinstance(task.json_schema, dict):
        return task.json_schema
    if item.schema is not None:
        try:
            schema = loads_json_or_literal(item.schema)[0]
        except ValueError as exc:
            raise ItemFailed("tools_invalid", f"{task.schema_column}: {exc}") from None
        problem = schema_problem(schema)
        if problem:
            raise ItemFailed("tools_invalid", f"{task.schema_column}: not a valid JSON Schema ({problem})")
        return schema
    request, topic = (item.input or "", "") if item.from_seed else ("", item.input or "")
    prompt = ctx.render("json_mode/schema", topic=topic, request=request)
    text = await ctx.ask("json_mode/schema", [{"role": "user", "content": prompt}], check=_teacher_schema_problem)
    return parse_json_reply(text)


async def generate_json_mode(ctx: ItemContext) -> Generated:
    schema = await _schema(ctx)
    if ctx.item.from_seed:
        request = ctx.item.input or ""
    else:
        prompt = ctx.render(
            "json_mode/request", schema_json=json.dumps(schema, ensure_ascii=False), topic=ctx.item.input or ""
        )
        request = await ctx.ask("json_mode/request", [{"role": "user", "content": prompt}])
    before = [
        {"role": "system", "content": render_json_mode_system_prompt(schema)},
        {"role": "user", "content": request},
    ]
    answer = await ctx.ask("json_mode/answer", before, check=validator_check(before), final=True)
    return Generated([*before, {"role": "assistant", "content": answer}])
