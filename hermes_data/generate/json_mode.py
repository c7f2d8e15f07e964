"""JSON mode (issue 16): a schema in the Hermes JSON-mode system prompt, a request, and a bare-JSON answer for it.

The answer is checked by the Hermes validator, whose JSON-mode rule parses the `<schema>` and validates the reply
against it; a reply that is not bare JSON valid for the schema is asked again with another seed, and when the
attempts run out the item fails with `json_mode_schema`. The task's seeds are the requests; the schema is the
recipe's `json_schema` (inline).
"""

from __future__ import annotations

from hermes_data.generate.context import Generated, ItemContext, ItemFailed, validator_check
from hermes_data.markup.json_mode import render_json_mode_system_prompt


async def generate_json_mode(ctx: ItemContext) -> Generated:
    schema = ctx.item.task.json_schema
    if not ctx.item.input:
        raise ItemFailed("json_mode_request", "a json_mode task needs seeds: the requests to answer in JSON")
    before = [
        {"role": "system", "content": render_json_mode_system_prompt(schema)},
        {"role": "user", "content": ctx.item.input},
    ]
    answer = await ctx.ask("json_mode/answer", before, check=validator_check(before), final=True)
    return Generated([*before, {"role": "assistant", "content": answer}])
