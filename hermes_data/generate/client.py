"""Chat completions over any OpenAI-compatible endpoint (vLLM, SGLang, OpenAI, OpenRouter) with the real client.

One `EndpointClient` per recipe endpoint: `openai.AsyncOpenAI` with its own retries turned off, because ours are the
ones that know the budget and the journal. Per request: a concurrency slot, the optional request and token rate
limits, then up to `max_attempts` HTTP attempts. 429, 5xx, timeouts, connection errors and bodies that are not valid
JSON are retried after an exponential backoff with jitter, or after exactly what `retry-after-ms` / `Retry-After`
asks for. Other 4xx answers are final for the request; 401/403/404 stop the whole run (every request would fail).

The API key is read from the environment by the caller and handed to the client only. Every message this module
builds passes through `redact`, so a server that echoes the key back cannot leak it into logs or the manifest.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import time
from collections import deque
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx
import openai

from hermes_data.errors import HermesError
from hermes_data.generate.journal import Reply
from hermes_data.generate.recipe import EndpointSpec

_RETRY_STATUS = {408, 409, 429}
_FATAL_STATUS = {401, 403, 404}
MAX_RETRY_AFTER_S = 600.0  # a server asking for more is treated as asking for this
# httpx's connection pool scans (and polls the socket of) every pooled connection on each request and response, so
# its CPU cost per request grows with the pool. Slots are spread over several small pools instead of one big one:
# at 256 in flight that is the difference between ~5 and ~3 ms of CPU per request (benchmarks/generate_throughput.py).
POOL_SIZE = 16


class EndpointError(HermesError):
    """The endpoint refuses every request (bad key, wrong URL or model): the run stops."""


class RequestFailed(Exception):
    """One request failed for good after its attempts; `reason` is a short code for the manifest."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class ChatRequest:
    key: str  # request_key(): sent as the X-Hermes-Request header so server logs line up with the journal
    messages: list[dict]
    temperature: float
    max_tokens: int
    seed: int

    def body_sha(self, model: str) -> str:
        body = [model, self.messages, self.temperature, self.max_tokens, self.seed]
        return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class RateLimiter:
    """At most `per_minute` units in any sliding 60 s window (requests, or estimated tokens)."""

    def __init__(self, per_minute: float, window_s: float = 60.0) -> None:
        self.per_minute, self.window_s = per_minute, window_s
        self._events: deque[tuple[float, float]] = deque()
        self._used = 0.0
        self._lock = asyncio.Lock()

    async def acquire(self, amount: float = 1.0) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._events and self._events[0][0] <= now - self.window_s:
                    self._used -= self._events.popleft()[1]
                if not self._events or self._used + amount <= self.per_minute:
                    self.record(amount)
                    return
                await asyncio.sleep(self._events[0][0] + self.window_s - now)

    def record(self, amount: float) -> None:
        self._events.append((time.monotonic(), amount))
        self._used += amount


class EndpointClient:
    def __init__(self, name: str, spec: EndpointSpec, api_key: str | None, *, rng: random.Random | None = None):
        self.name, self.spec = name, spec
        self._secret = api_key
        # Slot i always uses pool i % num_pools, so no pool ever holds more requests than it has connections.
        self._free_slots: asyncio.Queue[int] = asyncio.Queue()
        for slot in range(spec.max_concurrency):
            self._free_slots.put_nowait(slot)
        self._rpm = RateLimiter(spec.requests_per_minute) if spec.requests_per_minute else None
        self._tpm = RateLimiter(spec.tokens_per_minute) if spec.tokens_per_minute else None
        self._rng = rng or random.Random()
        num_pools = -(-spec.max_concurrency // POOL_SIZE)
        per_pool = -(-spec.max_concurrency // num_pools)
        self._pools = [self._make_client(spec, api_key, per_pool) for _ in range(num_pools)]

    @staticmethod
    def _make_client(spec: EndpointSpec, api_key: str | None, connections: int) -> openai.AsyncOpenAI:
        # Every slot keeps its connection alive between requests: the default keep-alive limit would reconnect.
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        return openai.AsyncOpenAI(
            base_url=spec.base_url,
            api_key=api_key or "no-key",  # local servers need none, but the client insists on one
            max_retries=0,
            timeout=spec.timeout_s,
            http_client=openai.DefaultAsyncHttpxClient(limits=limits, timeout=spec.timeout_s),
        )

    async def close(self) -> None:
        for pool in self._pools:
            await pool.close()

    def redact(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        spec = self.spec
        return (
            prompt_tokens * (spec.input_price_per_mtok or 0) + completion_tokens * (spec.output_price_per_mtok or 0)
        ) / 1e6

    async def complete(self, request: ChatRequest) -> Reply:
        """The reply to `request`, or RequestFailed after the bounded attempts (EndpointError when hopeless)."""
        last: _Retryable | None = None
        for attempt in range(self.spec.max_attempts):
            if last is not None:
                await asyncio.sleep(self._delay(attempt, last.retry_after))
            try:
                return await self._send(request)
            except _Retryable as exc:
                last = exc
        assert last is not None
        raise RequestFailed(last.reason, f"{self.redact(last.detail)} (after {self.spec.max_attempts} attempts)")

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER_S)
        # "Equal jitter": half the exponential step fixed, half random, so synchronized clients spread out.
        step = min(self.spec.backoff_max_s, self.spec.backoff_base_s * 2 ** (attempt - 1))
        return step / 2 + self._rng.random() * step / 2

    async def _send(self, request: ChatRequest) -> Reply:
        if self._rpm:
            await self._rpm.acquire(1)
        if self._tpm:
            # Tokens are known only afterwards: reserve the prompt's estimate now, add the completion when it lands.
            await self._tpm.acquire(sum(len(m["content"]) for m in request.messages) / 4)
        body = {
            "model": self.spec.model,
            "messages": request.messages,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "seed": request.seed,
        }
        slot = await self._free_slots.get()
        try:
            try:
                # The client's generic `post` rather than `chat.completions.create`: same HTTP stack, auth, timeouts
                # and typed errors, without the per-request parameter transformation and response-model building
                # that cost ~1.5 ms of CPU each and capped one process near 150 requests/s (benchmarks/).
                response = await self._pools[slot % len(self._pools)].post(
                    "/chat/completions",
                    body=body,
                    cast_to=object,  # the decoded JSON body, checked by _reply
                    options={"headers": {"X-Hermes-Request": request.key}},
                )
            except openai.APIStatusError as exc:
                raise self._status_error(exc) from None
            except openai.APITimeoutError:
                raise _Retryable("timeout", f"no answer within {self.spec.timeout_s:g} s") from None
            except openai.APIConnectionError as exc:
                raise _Retryable("connection_error", str(exc.__cause__ or exc)) from None
            except (json.JSONDecodeError, openai.APIResponseValidationError) as exc:
                raise _Retryable("malformed_response", f"response body is not JSON ({exc})") from None
        finally:
            self._free_slots.put_nowait(slot)
        return self._reply(response)

    def _reply(self, response: object) -> Reply:
        try:
            choice = response["choices"][0]  # type: ignore[index]
            content = choice["message"].get("content") or ""
            finish_reason = choice.get("finish_reason")
            usage = response.get("usage") or {}  # type: ignore[union-attr]
            prompt_tokens = int(usage.get("prompt_tokens") or 0)
            completion_tokens = int(usage.get("completion_tokens") or 0)
            model = response.get("model") or self.spec.model  # type: ignore[union-attr]
        except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
            raise _Retryable("malformed_response", f"response is not a chat completion ({exc!r})") from None
        if not isinstance(content, str):
            raise _Retryable("malformed_response", "message content is not text")
        if self._tpm:
            self._tpm.record(completion_tokens)
        return Reply(
            content, finish_reason, model, prompt_tokens, completion_tokens, self.cost(prompt_tokens, completion_tokens)
        )

    def _status_error(self, exc: openai.APIStatusError) -> Exception:
        status = exc.status_code
        body = exc.body.get("message") if isinstance(exc.body, dict) else None
        detail = self.redact(f"HTTP {status}: {body or exc.message}")
        if status in _FATAL_STATUS:
            hint = f"check ${self.spec.api_key_env}" if status != 404 else "check base_url and model"
            return EndpointError(f"endpoint {self.name!r} ({self.spec.base_url}) answered {detail}; {hint}")
        if status in _RETRY_STATUS or status >= 500:
            reason = "rate_limited" if status == 429 else f"http_{status}"
            return _Retryable(reason, detail, retry_after(exc.response.headers))
        return RequestFailed(f"http_{status}", detail)


class _Retryable(Exception):
    def __init__(self, reason: str, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.reason, self.detail, self.retry_after = reason, detail, retry_after


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the server asks us to wait: `retry-after-ms` (OpenAI), else `Retry-After` (seconds or HTTP date)."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def completion_problem(reply: Reply) -> tuple[str, str] | None:
    """(code, message) when a completion cannot be used as is: empty, or cut off by max_tokens."""
    if reply.finish_reason == "length":
        return "finish_length", "the completion was cut off by max_tokens (finish_reason=length)"
    if not reply.content.strip():
        return "empty_content", "the completion is empty"
    return None
