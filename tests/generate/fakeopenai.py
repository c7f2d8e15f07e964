"""A local OpenAI-compatible chat server for the generate tests and the throughput benchmark.

Real HTTP/1.1 with keep-alive on 127.0.0.1 (asyncio streams, no dependencies), so the real `openai` client is what
the tests exercise. It answers `POST /v1/chat/completions` with scripted content shaped for the generator step named
in the request's `X-Hermes-Request` header (`task|item|step|attempt`), some of it deliberately wrong (a call that
breaks its schema, a citation to a missing document, a rating without `[[ ]]`), and injects faults: 429 with
Retry-After, 500, responses slower than the client's timeout, malformed JSON bodies, empty content and truncated
`finish_reason: length`. Every request is logged (`server.log`) with its key, the fault and the time it arrived.

Choices are deterministic: a hash of the request key and how often that key has been seen, so a retried request
draws again. In a thread: `FakeOpenAI(...).start()`; as a process: `python fakeopenai.py --latency 0.2` prints
`PORT <n>` and serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import sys
import threading
import time
from collections import Counter

FAULTS = ("429", "500", "slow", "malformed", "empty", "length")
# Not in the default mix: a 400 whose message quotes the request's Authorization header (servers that echo input).
ECHO_AUTH = "echo_auth"


def _unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class FakeOpenAI:
    def __init__(
        self,
        *,
        latency: float = 0.0,
        fault_rate: float = 0.0,
        wrong_rate: float = 0.0,
        faults: tuple[str, ...] = FAULTS,
        wrong_steps: tuple[str, ...] | None = None,
        wrong_attempts: tuple[int, ...] | None = None,
        slow_s: float = 3.0,
        retry_after: str = "0",
        api_key: str | None = None,
        seed: int = 0,
        model: str = "fake-model",
    ) -> None:
        self.latency, self.fault_rate, self.wrong_rate, self.faults = latency, fault_rate, wrong_rate, faults
        self.slow_s, self.retry_after, self.api_key, self.seed, self.model = slow_s, retry_after, api_key, seed, model
        self.wrong_steps = wrong_steps  # None: any step may answer wrongly
        self.wrong_attempts = wrong_attempts  # None: any attempt may; (0,): only first tries (a retry then succeeds)
        self.log: list[dict] = []
        self.connections = 0  # TCP connections accepted: shows whether clients keep theirs alive
        self.on_request = None  # a callable given each request body (tests that inspect prompts)
        self._seen: Counter[str] = Counter()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self.port = 0

    # ---- lifecycle -------------------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve_thread, args=(ready,), daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is None or not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _shutdown(self) -> None:
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve_thread(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        self._server = self._loop.run_until_complete(self.listen())
        ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def listen(self, port: int = 0):
        server = await asyncio.start_server(self._connection, "127.0.0.1", port, backlog=2048)
        self.port = server.sockets[0].getsockname()[1]
        return server

    # ---- HTTP ------------------------------------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:] if ":" in ln)}
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                status, extra, payload = await self._handle(method, path, headers, body)
                reason = {200: "OK", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests"}.get(status, "Err")
                head_out = f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                head_out += "".join(f"{k}: {v}\r\n" for k, v in extra.items())
                head_out += f"Content-Length: {len(payload)}\r\n\r\n"
                writer.write(head_out.encode() + payload)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            writer.close()

    async def _handle(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, dict, bytes]:
        if method != "POST" or not path.endswith("/chat/completions"):
            return 404, {}, b'{"error": {"message": "not found"}}'
        if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, {}, b'{"error": {"message": "invalid api key"}}'
        request = json.loads(body)
        if self.on_request is not None:
            self.on_request(request)
        key = headers.get("x-hermes-request", "")
        self._seen[key] += 1
        fault = self._fault(key, self._seen[key])
        entry = {"key": key, "fault": fault, "time": time.monotonic(), "seed": request.get("seed")}
        self.log.append(entry)
        await asyncio.sleep(self.slow_s if fault == "slow" else self.latency)
        if fault == "429":
            return 429, {"Retry-After": self.retry_after}, b'{"error": {"message": "rate limited"}}'
        if fault == "500":
            return 500, {}, b'{"error": {"message": "server exploded"}}'
        if fault == ECHO_AUTH:
            message = json.dumps({"error": {"message": f"bad request from {headers.get('authorization')}"}})
            return 400, {}, message.encode()
        if fault == "malformed":
            return 200, {}, b'{"id": "chatcmpl-1", "choices": [{"index": 0, "mess'
        step = key.split("|")[2] if key.count("|") == 3 else ""
        wrong = _unit(self.seed, "wrong", key) < self.wrong_rate
        wrong = wrong and (self.wrong_steps is None or step.split(".")[0] in self.wrong_steps)
        wrong = wrong and (self.wrong_attempts is None or int(key.rsplit("|", 1)[1]) in self.wrong_attempts)
        entry["wrong"] = wrong
        content = "" if fault == "empty" else script(step, request, wrong, key)
        finish = "length" if fault == "length" else "stop"
        return 200, {}, json.dumps(_completion(request, content, finish, self.model)).encode()

    def _fault(self, key: str, seen: int) -> str | None:
        if not self.faults or _unit(self.seed, "fault", key, seen) >= self.fault_rate:
            return None
        return self.faults[int(_unit(self.seed, "kind", key, seen) * len(self.faults))]


def _completion(request: dict, content: str, finish: str, model: str) -> dict:
    prompt_chars = sum(len(m.get("content") or "") for m in request.get("messages", []))
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model") or model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": prompt_chars // 4 + 1,
            "completion_tokens": len(content) // 4 + 1,
            "total_tokens": prompt_chars // 4 + len(content) // 4 + 2,
        },
    }


# ---- scripted outputs ----------------------------------------------------------------------------------------------

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["C", "F"]}},
                "required": ["city"],
            },
        },
    }
]
# tool_episode: a weather tool (called twice in parallel in round 1) and a converter (round 2), then the answer.
EPISODE_TOOLS = [
    *TOOLS,
    {
        "type": "function",
        "function": {
            "name": "convert_temperature",
            "description": "Convert a temperature between Celsius and Fahrenheit.",
            "parameters": {
                "type": "object",
                "properties": {"value": {"type": "number"}, "to": {"type": "string", "enum": ["C", "F"]}},
                "required": ["value", "to"],
            },
        },
    },
]
JSON_MODE_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "population_m": {"type": "number"}},
    "required": ["city", "population_m"],
}
NO_TOOL_REQUEST = "Please book me a table for two at a Lyon restaurant tonight."
NO_TOOL_ANSWER = "None of my tools can book restaurants, so I can't reserve that table; please call the restaurant."
ANSWER = (
    "Here is a careful, complete answer. First, consider the main idea and why it matters. Second, work through "
    "an example step by step. Finally, summarize what was learned and where to go next."
)


def _last_user(request: dict) -> str:
    users = [m["content"] for m in request.get("messages", []) if m.get("role") == "user"]
    return users[-1] if users else ""


def _evolve(request: dict, wrong: bool, key: str) -> str:
    text = _last_user(request)
    found = re.search(r".*#(?:The )?Given Prompt#:\s*(.*?)\s*#(?:Rewritten|Created) Prompt#:\s*$", text, re.S)
    given = found.group(1) if found else "Explain something."
    if wrong:
        return given if _unit(key, "how") < 0.5 else f"#Rewritten Prompt#: {given}"
    tag = hashlib.sha256(key.encode()).hexdigest()[:6]
    return f"{given} Additionally, justify each claim with a concrete real-world example and cite one number ({tag})."


def _code_answer(wrong: bool) -> str:
    closing = "" if wrong else "</EXECUTION>"
    return (
        "<PLAN>\n<STEP_1>Read the input.</STEP_1>\n<STEP_2>Return the sum.</STEP_2>\n</PLAN>\n"
        f"<EXECUTION>\n```python\ndef add(a: int, b: int) -> int:\n    return a + b\n```\n{closing}\n"
        "<REFLECTION>The function is correct for integers.</REFLECTION>\n"
        "<UNIT_TEST>\n```python\nassert add(1, 2) == 3\n```\n</UNIT_TEST>"
    )


def _scaffold_answer(wrong: bool) -> str:
    """A Figure 9 answer; the wrong one lacks its REFLECTION."""
    reflection = "" if wrong else "<REFLECTION>Negative numbers and zero need tests too.</REFLECTION>\n"
    return (
        "<SCRATCHPAD>\n<RESTATEMENT>Add two integers.</RESTATEMENT>\n"
        "<REASONING>\n<THOUGHT_1>Addition is built in.</THOUGHT_1>\n<THOUGHT_2>Types help.</THOUGHT_2>\n</REASONING>\n"
        "<PLAN>\n<STEP_1>Define add.</STEP_1>\n<STEP_2>Return a + b.</STEP_2>\n</PLAN>\n"
        "<PYDANTIC_SCHEMAS>\n<SCHEMA_1>\n```python\nclass Pair(BaseModel):\n    a: int\n    b: int\n```\n"
        "</SCHEMA_1>\n</PYDANTIC_SCHEMAS>\n"
        '<DIAGRAM>\n```mermaid\ngraph LR\n  A["a, b"] --> B["a + b"]\n```\n</DIAGRAM>\n'
        f"{reflection}</SCRATCHPAD>\n"
        "<SOLUTION>\n```python\ndef add(a: int, b: int) -> int:\n    return a + b\n```\n</SOLUTION>\n"
        "<EXPLANATION>add returns the sum of its arguments.</EXPLANATION>\n"
        "<UNIT_TEST>\n```python\nassert add(1, 2) == 3\nassert add(-1, 1) == 0\n```\n</UNIT_TEST>"
    )


def _call(name: str, arguments: dict) -> str:
    return f"<tool_call>\n{json.dumps({'name': name, 'arguments': arguments})}\n</tool_call>"


def _tool_episode(name: str, request: dict, wrong: bool) -> str:
    if name == "tools":
        return json.dumps(EPISODE_TOOLS)
    if name == "user":
        return "What is the weather in Paris and in London right now, and what is Paris's temperature in Fahrenheit?"
    if name == "user_no_tool":
        return NO_TOOL_REQUEST
    if name == "simulate":
        calls = [
            json.loads(line)
            for line in _last_user(request).split("They were called with:\n")[1].splitlines()
            if line.startswith("{")
        ]
        return json.dumps([{"name": c["name"], "content": {"temperature": 21, "sky": "clear"}} for c in calls])
    users = [m["content"] for m in request["messages"] if m["role"] == "user"]
    think = "<SCRATCHPAD>Plan the calls.</SCRATCHPAD>\n" if "<SCRATCHPAD>" in request["messages"][0]["content"] else ""
    if users[0] == NO_TOOL_REQUEST:
        return NO_TOOL_ANSWER
    rounds = sum(1 for u in users if u.startswith("<tool_response>"))
    if rounds == 0:
        paris = {"city": 42} if wrong else {"city": "Paris", "unit": "C"}
        return think + _call("get_weather", paris) + "\n" + _call("get_weather", {"city": "London", "unit": "C"})
    if rounds == 1:
        return think + _call("convert_temperature", {"value": 21, "to": "F"})
    return "Paris and London are both 21 C and clear; in Fahrenheit that is about 70 F."


def script(step: str, request: dict, wrong: bool, key: str) -> str:
    """Content of the right shape for a generator step (`evol/deepen`, `tool_use/call`, …), or a wrong one."""
    family, _, name = step.partition("/")
    name = name.split(".")[0]  # rounds and turns: `evol/deepen.r2`, `roleplay/reply.t3`
    step = f"{family}/{name}"
    if family == "tool_episode":
        return _tool_episode(name, request, wrong)
    if family == "evol" and name != "answer":
        return _evolve(request, wrong, key)
    if step == "evol/answer":
        return "I'm sorry, but I can't help with that." if wrong else ANSWER
    if step == "tool_use/tools":
        return "[{'name': broken" if wrong else json.dumps(TOOLS)
    if step == "tool_use/call":
        args = {"city": 42} if wrong else {"city": "Paris", "unit": "C"}
        return f"<tool_call>\n{json.dumps({'name': 'get_weather', 'arguments': args})}\n</tool_call>"
    if step == "tool_use/responses":
        return json.dumps([{"name": "get_weather", "content": {"temperature": 21, "sky": "clear"}}])
    if step == "rag/documents":
        docs = [{"title": f"Fact sheet {i}", "text": f"Paris has about {2 + i} million residents."} for i in range(3)]
        return json.dumps(docs)
    if step == "rag/answer":
        doc = 9 if wrong else 0
        return f"Paris is large: <co:{doc}>Paris has about 2 million residents.</co>\nCited Documents: {doc}"
    if step in ("coding/answer",):
        scaffold = "<SCRATCHPAD>" in request["messages"][0]["content"]
        return _scaffold_answer(wrong) if scaffold else _code_answer(wrong)
    if step == "json_mode/schema":  # the wrong one is not valid JSON Schema
        return json.dumps({"type": 5} if wrong else JSON_MODE_SCHEMA)
    if step == "json_mode/request":
        return "Give the city and its population for Paris."
    if step == "json_mode/answer":  # for tests' schema {city: string, population_m: number}, both required
        return json.dumps({"city": 42} if wrong else {"city": "Paris", "population_m": 2.1})
    if step == "refusals/judge":  # hermes_data.filters.refusal_judge: one word, decided by the reply shown
        return "REFUSAL" if "can't help" in _last_user(request) else "ANSWER"
    if step == "judge/judge":
        return "The answer is clear and correct. Rating: 8" if wrong else "The answer is clear and correct. [[8]]"
    if step == "math/answer":
        return "Step 1: 6 x 7 = 42.\nStep 2: check 42 / 7 = 6.\nFinal answer: 42"
    if name == "answer" or step == "roleplay/reply":
        return ANSWER
    if step == "roleplay/persona":
        return "You are Captain Mara Vell, a weathered starship pilot who speaks in short, dry sentences."
    return (
        f"Write a detailed explanation of topic {hashlib.sha256(key.encode()).hexdigest()[:8]} for a curious student."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    args = parser.parse_args()
    server = FakeOpenAI(latency=args.latency, fault_rate=args.fault_rate)

    async def serve() -> None:
        srv = await server.listen(args.port)
        print(f"PORT {server.port}", flush=True)
        async with srv:
            await srv.serve_forever()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
