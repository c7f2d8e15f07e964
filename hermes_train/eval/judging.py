"""The MT-Bench judge: rate each answer `[[1-10]]` through an OpenAI-compatible endpoint (the generate client).

Prompts follow MT-Bench's single-answer grading (Zheng et al. 2023), the style of the Hermes 3 report's Figure 7:
turn 1 is judged on its own (hermes_data's `judge/judge` template, shared with the data generator's judge task);
turn 2 is judged with the whole conversation in view, focusing on the second answer (MT-Bench's multi-turn prompt).
A reply without a parseable rating is asked again with another seed, `max_retries` times, and then reported as a
failure with the raw text, never counted as a score. HTTP retries (429, 5xx, timeouts) are the client's.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field

from jinja2.sandbox import SandboxedEnvironment

from hermes_data.errors import RecipeError
from hermes_data.generate.client import ChatRequest, EndpointClient, RequestFailed
from hermes_data.generate.judge import RAW_CHARS, parse_rating
from hermes_data.generate.recipe import EndpointSpec
from hermes_data.generate.templates import TemplateSet
from hermes_train.eval.suite import JudgeSpec

SYSTEM = "You are a helpful assistant."
MULTI_TURN_SYSTEM = (
    "Please act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the "
    "user question displayed below. Your evaluation should consider factors such as the helpfulness, relevance, "
    "accuracy, depth, creativity, and level of detail of the response. Your evaluation should focus on the "
    "assistant's answer to the second user question. Begin your evaluation by providing a short explanation. Be as "
    "objective as possible. After providing your explanation, you must rate the response on a scale of 1 to 10 by "
    'strictly following this format: "[[rating]]", for example: "Rating: [[5]]".'
)
MULTI_TURN_PROMPT = """<|The Start of Assistant A's Conversation with User|>
{% for question, answer in turns %}
### User:
{{ question }}

### Assistant A:
{{ answer }}
{% endfor %}
<|The End of Assistant A's Conversation with User|>"""


@dataclass
class Judgment:
    question_id: str
    turn: int  # 1-based
    score: float | None = None
    attempts: int = 0
    failure: dict | None = None  # {"reason", "detail"} when no rating was obtained
    explanations: list[str] = field(default_factory=list, repr=False)


def judge_messages(questions: list[str], answers: list[str], turn: int) -> list[dict]:
    """The judge's chat messages for turn `turn` (1-based) of a conversation."""
    if turn == 1:
        prompt = TemplateSet().render("judge/judge", question=questions[0], answer=answers[0])
        return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]
    turns = list(zip(questions[:turn], answers[:turn], strict=True))
    prompt = SandboxedEnvironment(autoescape=False).from_string(MULTI_TURN_PROMPT).render(turns=turns).strip()
    return [{"role": "system", "content": MULTI_TURN_SYSTEM}, {"role": "user", "content": prompt}]


def make_client(spec: JudgeSpec) -> EndpointClient:
    key = None
    if spec.api_key_env:
        key = os.environ.get(spec.api_key_env)
        if not key:
            raise RecipeError(
                f"judge: the environment variable {spec.api_key_env} (judge.api_key_env) is not set; export the "
                "judge's API key there, or set api_key_env: null for a local server that needs none"
            )
    endpoint = EndpointSpec(
        base_url=spec.base_url, model=spec.model, api_key_env=spec.api_key_env, max_concurrency=spec.max_concurrency,
        timeout_s=spec.timeout_s, max_attempts=spec.max_attempts, backoff_base_s=spec.backoff_base_s,
    )  # fmt: skip
    return EndpointClient("judge", endpoint, key)


def judge_all(items: list[tuple[str, int, list[dict]]], spec: JudgeSpec, *, seed: int) -> list[Judgment]:
    """Judgments for `(question_id, turn, messages)` items, in order (requests run concurrently)."""
    return asyncio.run(_judge_all(items, spec, seed))


async def _judge_all(items, spec: JudgeSpec, seed: int) -> list[Judgment]:
    client = make_client(spec)
    try:
        return list(await asyncio.gather(*(_judge_one(client, spec, seed, *item) for item in items)))
    finally:
        await client.close()


async def _judge_one(client: EndpointClient, spec: JudgeSpec, seed: int, qid: str, turn: int, messages) -> Judgment:
    judgment = Judgment(qid, turn)
    for attempt in range(spec.max_retries + 1):
        judgment.attempts = attempt + 1
        # The key names the request in the server's logs; the seed changes per attempt so a retry can differ.
        request = ChatRequest(f"mtbench|{qid}|judge/turn{turn}|{attempt}", messages, spec.temperature,
                              spec.max_tokens, seed + attempt)  # fmt: skip
        try:
            reply = await client.complete(request)
        except RequestFailed as exc:
            judgment.failure = {"reason": exc.reason, "detail": exc.detail}
            return judgment  # the client already retried the transport; asking again would repeat that
        judgment.explanations.append(reply.content)
        score = parse_rating(reply.content)
        if score is not None:
            judgment.score, judgment.failure = score, None
            return judgment
        judgment.failure = {"reason": "rating_unparseable", "detail": reply.content[:RAW_CHARS]}
    return judgment
