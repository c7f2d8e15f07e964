"""Role-play: a persona system prompt written by the teacher, then a simulated user and the character taking turns.

The simulated user is the teacher too, prompted with the persona and the transcript so far (roleplay/user.j2); the
character answers with the persona as its system prompt, so each reply is conditioned exactly as at training time.
"""

from __future__ import annotations

from hermes_data.generate.context import Generated, ItemContext, validator_check


async def generate_roleplay(ctx: ItemContext) -> Generated:
    task = ctx.item.task
    if task.system_prompt:
        persona = task.system_prompt
    else:
        prompt = ctx.render("roleplay/persona", topic=ctx.item.input or "", index=ctx.item.index)
        persona = await ctx.ask("roleplay/persona", [{"role": "user", "content": prompt}])
    transcript: list[dict] = []
    for turn in range(1, task.turns + 1):
        if turn == 1 and ctx.item.from_seed:
            user = ctx.item.input or ""
        else:
            prompt = ctx.render("roleplay/user", persona=persona, transcript=transcript, turn=turn, turns=task.turns)
            user = await ctx.ask(f"roleplay/user.t{turn}", [{"role": "user", "content": prompt}])
        transcript.append({"role": "user", "content": user})
        messages = [{"role": "system", "content": persona}, *transcript]
        reply = await ctx.ask(f"roleplay/reply.t{turn}", messages, check=validator_check(messages), final=True)
        transcript.append({"role": "assistant", "content": reply})
    return Generated([{"role": "system", "content": persona}, *transcript], {"turns": task.turns})
