"""Synthetic Hermes conversations for benchmarks: a realistic mix of chat, tool use, RAG and reasoning rows.

Texts are drawn from a Zipf-distributed vocabulary so that tokenizers and deduplicators see word statistics close to
real prose; lengths follow a log-normal mix (many short answers, a long tail of long ones).
"""

from __future__ import annotations

import json
import random

WORDS = (
    "the of and to a in is that for it as was with be by on not he this are or his from at which but have an they "
    "you were her she there one all we their can has been if more when will would who so no model data value table "
    "function city weather price order number system answer question result error file code list string python "
    "graph node train loss token batch memory vector matrix sum prime proof theorem river mountain story poem"
).split()


def _text(rng: random.Random, mean_words: float) -> str:
    n = max(3, int(rng.lognormvariate(0, 0.8) * mean_words))
    words = [WORDS[min(int(rng.paretovariate(1.1)) - 1, len(WORDS) - 1)] for _ in range(n)]
    return " ".join(words).capitalize() + "."


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
                "required": ["city"],
            },
        },
    }
]
TOOLS_SYSTEM = (
    "You are a function calling AI model. You are provided with function signatures within <tools></tools> XML "
    f"tags. Here are the available tools: <tools> {json.dumps(TOOLS)} </tools>"
)


def conversation(rng: random.Random) -> list[dict[str, str]]:
    kind = rng.random()
    if kind < 0.12:  # tool use
        call = json.dumps({"name": "get_weather", "arguments": {"city": _text(rng, 1), "unit": "c"}})
        resp = json.dumps({"name": "get_weather", "content": {"temp": rng.randint(-10, 35)}})
        return [
            {"role": "system", "content": TOOLS_SYSTEM},
            {"role": "user", "content": _text(rng, 25)},
            {"role": "assistant", "content": f"<tool_call>\n{call}\n</tool_call>"},
            {"role": "tool", "content": f"<tool_response>\n{resp}\n</tool_response>"},
            {"role": "assistant", "content": _text(rng, 60)},
        ]
    if kind < 0.18:  # RAG, paper form
        docs = "\n\n".join(f"Document:{i}\nTitle: {_text(rng, 4)}\nText: {_text(rng, 80)}" for i in range(3))
        answer = f"<co:0>{_text(rng, 20)}</co> {_text(rng, 30)} <co:2>{_text(rng, 15)}</co>\nCited Documents: 0, 2"
        return [
            {"role": "system", "content": "Cite all facts from the documents using <co: doc_id></co> tags."},
            {"role": "user", "content": f"CONTEXT:\n{docs}\n\n{_text(rng, 15)}"},
            {"role": "assistant", "content": answer},
        ]
    if kind < 0.30:  # reasoning tags
        plan, solution = _text(rng, 40), _text(rng, 120)
        answer = f"<SCRATCHPAD>\n<PLAN>\n{plan}\n</PLAN>\n</SCRATCHPAD>\n<SOLUTION>\n{solution}\n</SOLUTION>"
        return [{"role": "user", "content": _text(rng, 30)}, {"role": "assistant", "content": answer}]
    turns = [{"role": "system", "content": _text(rng, 15)}] if rng.random() < 0.3 else []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        turns += [{"role": "user", "content": _text(rng, 40)}, {"role": "assistant", "content": _text(rng, 180)}]
    return turns


def conversations(n: int, seed: int = 0) -> list[list[dict[str, str]]]:
    rng = random.Random(seed)
    return [conversation(rng) for _ in range(n)]
