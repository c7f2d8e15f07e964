"""Chat completions over any OpenAI-compatible endpoint (vLLM, SGLang, OpenAI, OpenRouter).

One `EndpointClient` per recipe endpoint. Per request: a concurrency slot, the optional request and token rate
limits, then up to `max_attempts` HTTP attempts. 429, 5xx, timeouts, connection errors and bodies that are not valid
JSON are retried after an exponential backoff with jitter, or after exactly what `retry-after-ms` / `Retry-After`
asks for. Other 4xx answers are final for the request; 401/403/404 stop the whole run (every request would fail).

The request goes through `openai.AsyncOpenAI` (issue 4) in its cheapest configuration, measured with
benchmarks/generate_throughput.py: the SDK's aiohttp transport (`openai.DefaultAioHttpClient`, the `openai[aiohttp]`
extra) instead of httpx's pool, whose CPU cost per request grows with the number of pooled connections; the generic
`post` with `cast_to=httpx2.Response` instead of `chat.completions.create`, which skips the per-request parameter
transformation and pydantic response models (~1 ms of CPU each) while keeping the SDK's request building, auth,
timeouts and typed errors; and `max_retries=0`, because our retries are the ones that know the budget and the journal.

The API key is read from the environment by the caller and handed to the client only. Every message this module
builds passes through `redact`, so a server that echoes the key back cannot leak it into logs or the manifest.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from dataclasses import dataclass

import httpx2
import openai

from hermes_data.errors import HermesError
from hermes_data.generate.journal import Reply
from hermes_data.generate.pacing import RateLimiter, retry_after
from hermes_data.generate.recipe import EndpointSpec

_RETRY_STATUS = {408, 409, 429}
_FATAL_STATUS = {401, 403, 404}
MAX_RETRY_AFTER_S = 600.0  # a server asking for more is treated as asking for this
# The SDK's telemetry headers, dropped: each header costs CPU in httpx's header handling on every request (~7 % of
# the client's time), and the retry count would always say 0 since the retries are ours, not the SDK's.
_NO_SDK_HEADERS = {
    name: openai.omit
    for name in (
        "X-Stainless-Lang",
        "X-Stainless-Package-Version",
        "X-Stainless-OS",
        "X-Stainless-Arch",
        "X-Stainless-Runtime",
        "X-Stainless-Runtime-Version",
        "X-Stainless-Async",
        "X-Stainless-Retry-Count",
    )
}
_KEEPALIVE_S = 30.0  # idle connections outlive a backoff pause, so a retry does not reconnect


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


class EndpointClient:
    def __init__(self, name: str, spec: EndpointSpec, api_key: str | None, *, rng: random.Random | None = None):
        self.name, self.spec = name, spec
        self._secret = api_key
        self._slots = asyncio.Semaphore(spec.max_concurrency)
        self._rpm = RateLimiter(spec.requests_per_minute) if spec.requests_per_minute else None
        self._tpm = RateLimiter(spec.tokens_per_minute) if spec.tokens_per_minute else None
        self._rng = rng or random.Random()
        self._openai = _openai_client(spec, api_key)

    async def close(self) -> None:
        await self._openai.close()

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
        content = json.dumps(body, ensure_ascii=False).encode()  # as bytes: skips the SDK's generic serializer
        headers = {"X-Hermes-Request": request.key, **_NO_SDK_HEADERS}
        async with self._slots:
            try:
                response = await self._openai.post(
                    "/chat/completions",
                    content=content,
                    cast_to=httpx2.Response,  # the body is decoded and checked by _reply, not by pydantic models
                    options={"headers": headers},
                )
            except openai.APIStatusError as exc:
                raise self._status_error(exc) from None
            except openai.APIConnectionError as exc:  # APITimeoutError is one too
                raise _connection_failure(exc, self.spec.timeout_s) from None
        try:
            decoded = json.loads(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _Retryable("malformed_response", f"response body is not JSON ({exc})") from None
        return self._reply(decoded)

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
        detail = self.redact(f"HTTP {status}: {_error_message(exc.response.content)}")
        if status in _FATAL_STATUS:
            hint = f"check ${self.spec.api_key_env}" if status != 404 else "check base_url and model"
            return EndpointError(f"endpoint {self.name!r} ({self.spec.base_url}) answered {detail}; {hint}")
        if status in _RETRY_STATUS or status >= 500:
            reason = "rate_limited" if status == 429 else f"http_{status}"
            return _Retryable(reason, detail, retry_after(exc.response.headers))
        return RequestFailed(f"http_{status}", detail)


def _connection_failure(exc: openai.APIConnectionError, timeout_s: float) -> _Retryable:
    """A timeout, or a connection that failed (refused, reset, closed mid-body, bad HTTP), told apart by the cause.

    Not by the SDK's class: the aiohttp transport maps every aiohttp connection error, a refused connection included,
    to httpx's ConnectTimeout, which the SDK raises as APITimeoutError. A real timeout has a TimeoutError under it.
    """
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, (TimeoutError, asyncio.TimeoutError)):
            return _Retryable("timeout", f"no answer within {timeout_s:g} s")
        last, cause = cause, cause.__cause__ or cause.__context__
    return _Retryable("connection_error", f"{type(last).__name__}: {last}")


def _openai_client(spec: EndpointSpec, api_key: str | None) -> openai.AsyncOpenAI:
    # One connection per slot, each kept alive between requests (the SDK's default keeps 100 at most; aiohttp keeps
    # every idle one for `keepalive_expiry`). HTTP(S)_PROXY / NO_PROXY are read here, once, by httpx's trust_env; the
    # aiohttp session underneath does not trust the environment, so nothing is looked up again per request.
    connections = spec.max_concurrency
    http_client = openai.DefaultAioHttpClient(
        timeout=spec.timeout_s,
        limits=httpx2.Limits(
            max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=_KEEPALIVE_S
        ),
    )
    return openai.AsyncOpenAI(
        base_url=spec.base_url,
        api_key=api_key or "no-key",  # local servers need none, but the SDK insists on one
        max_retries=0,
        timeout=spec.timeout_s,
        http_client=http_client,
        default_headers=_NO_SDK_HEADERS,
    )


def _error_message(raw: bytes) -> str:
    """The server's own words: OpenAI's `{"error": {"message": ...}}`, a top-level message, or the text itself."""
    text = raw.decode("utf-8", "replace")
    try:
        body = json.loads(text)
    except ValueError:
        return text[:500] or "(empty body)"
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return error["message"]
    return (error if isinstance(error, str) else text)[:500]


class _Retryable(Exception):
    def __init__(self, reason: str, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.reason, self.detail, self.retry_after = reason, detail, retry_after


def completion_problem(reply: Reply) -> tuple[str, str] | None:
    """(code, message) when a completion cannot be used as is: empty, or cut off by max_tokens."""
    if reply.finish_reason == "length":
        return "finish_length", "the completion was cut off by max_tokens (finish_reason=length)"
    if not reply.content.strip():
        return "empty_content", "the completion is empty"
    return None
