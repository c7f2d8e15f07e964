"""Refusal detection by an LLM judge (`method: judge` / `rules+judge`) through the generate client and its journal.

Each reply is asked about once: the request key is a hash of (request, reply) and the journal keeps the verdict, so a
rebuild, or a second build over the same rows, sends nothing for replies already judged. The judge answers one word,
REFUSAL or ANSWER; anything else counts as ANSWER (kept), since dropping rows needs a clear verdict.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from hermes_data.errors import HermesError
from hermes_data.generate.client import ChatRequest, EndpointClient
from hermes_data.generate.journal import Journal, request_key
from hermes_data.generate.recipe import EndpointSpec

INSTRUCTIONS = (
    "You label assistant replies for a training set. A reply is a REFUSAL when it declines the request or gives no "
    "substantive answer to it (a capability disclaimer with only background, a redirect elsewhere, a needless "
    "question back, a moralising decline of a harmless request, a placeholder). It is an ANSWER when it does what was "
    "asked, even after an apology or a caveat, or when a character in a requested story refuses. Answer with one "
    "word: REFUSAL or ANSWER."
)
REPLY_CHARS = 4000  # refusals announce themselves early; long answers are cut to keep the judge cheap
MAX_TOKENS = 4


def judge_refusals(
    texts: Sequence[str],
    prompts: Sequence[str | None],
    endpoint: EndpointSpec,
    journal_path: str | Path,
) -> list[bool]:
    """One verdict per reply (True: refusal), asking only about replies the journal has not seen."""
    api_key = None
    if endpoint.api_key_env:
        api_key = os.environ.get(endpoint.api_key_env)
        if not api_key:
            raise HermesError(
                f"filters.refusals.judge.api_key_env: environment variable {endpoint.api_key_env} is not set; "
                "export it or set api_key_env: null for a local server"
            )
    return asyncio.run(_judge(texts, prompts, endpoint, api_key, Path(journal_path)))


async def _judge(texts, prompts, endpoint: EndpointSpec, api_key: str | None, journal_path: Path) -> list[bool]:
    client = EndpointClient("refusal-judge", endpoint, api_key)
    try:
        with Journal(journal_path) as journal:
            return list(
                await asyncio.gather(*(_one(client, journal, t, p) for t, p in zip(texts, prompts, strict=True)))
            )
    finally:
        await client.close()


async def _one(client: EndpointClient, journal: Journal, text: str, prompt: str | None) -> bool:
    shown = f"Request:\n{prompt or '(not known)'}\n\nReply:\n{text[:REPLY_CHARS]}"
    item = hashlib.sha256(shown.encode()).hexdigest()[:24]
    messages = [{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": shown}]
    request = ChatRequest(request_key("refusals", item, "refusals/judge", 0), messages, 0.0, MAX_TOKENS, 0)
    body_sha = request.body_sha(client.spec.model)
    reply = journal.get(request.key, body_sha)
    if reply is None:
        reply = await client.complete(request)
        await journal.append(request.key, body_sha, reply)
    return reply.content.strip().upper().startswith("REFUSAL")
