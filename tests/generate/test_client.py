"""The client against the fake server over real HTTP: retries, Retry-After, timeouts, bounded attempts, rate limits."""

from __future__ import annotations

import asyncio
import time

import pytest
from conftest import endpoint

from hermes_data.generate.client import (
    ChatRequest,
    EndpointClient,
    EndpointError,
    RateLimiter,
    RequestFailed,
)
from hermes_data.generate.recipe import EndpointSpec

MESSAGES = [{"role": "user", "content": "hi"}]


def _request(key: str = "t|00000|math/answer|0") -> ChatRequest:
    return ChatRequest(key, MESSAGES, 0.7, 64, seed=1)


def _complete(server, request: ChatRequest, api_key: str | None = None, **overrides):
    async def go():
        client = EndpointClient("teacher", EndpointSpec(**endpoint(server, **overrides)), api_key)
        try:
            return await client.complete(request)
        finally:
            await client.close()

    return asyncio.run(go())


def test_retry_after_is_honoured(fake_server):
    server = fake_server(faults=("429",), fault_rate=1.0, retry_after="1")
    server.fault_rate = 1.0
    # the first attempt draws 429; make the second one clean by lowering the rate once the first arrived
    request = _request()

    async def go():
        client = EndpointClient("teacher", EndpointSpec(**endpoint(server, backoff_base_s=0.0)), None)
        task = asyncio.create_task(client.complete(request))
        while not server.log:
            await asyncio.sleep(0.01)
        server.fault_rate = 0.0
        reply = await task
        await client.close()
        return reply

    reply = asyncio.run(go())
    assert reply.content
    first, second = server.log[0], server.log[1]
    assert first["fault"] == "429" and second["fault"] is None
    assert second["time"] - first["time"] >= 0.95  # waited what Retry-After asked, not the 0 s backoff


@pytest.mark.parametrize(
    "fault,reason", [("500", "http_500"), ("malformed", "malformed_response"), ("slow", "timeout")]
)
def test_each_fault_is_retried_and_bounded(fake_server, fault, reason):
    server = fake_server(faults=(fault,), fault_rate=1.0, slow_s=1.0)
    with pytest.raises(RequestFailed) as caught:
        _complete(server, _request(), max_attempts=2, timeout_s=0.3)
    assert caught.value.reason == reason and "after 2 attempts" in caught.value.detail
    assert len(server.log) == 2


def test_transient_fault_then_success(fake_server):
    server = fake_server(faults=("500",), fault_rate=0.5)
    # fault draws are per (key, arrival): find a key whose first arrival fails and second succeeds
    key = next(
        k for k in (f"t|{i:05d}|math/answer|0" for i in range(200)) if server._fault(k, 1) and not server._fault(k, 2)
    )
    reply = _complete(server, _request(key))
    assert "Final answer" in reply.content and reply.prompt_tokens > 0
    assert [e["fault"] for e in server.log] == ["500", None]


def test_bad_key_stops_the_run_without_showing_the_key(fake_server):
    server = fake_server(api_key="sk-right-key")
    with pytest.raises(EndpointError) as caught:
        _complete(server, _request(), api_key="sk-wrong-SECRET-123", api_key_env="MY_KEY")
    assert "401" in str(caught.value) and "$MY_KEY" in str(caught.value)
    assert "SECRET" not in str(caught.value)
    assert len(server.log) == 0  # refused before it reached the scripted handler, and not retried


def test_rate_limiter_spreads_requests_over_the_window():
    async def go() -> float:
        limiter = RateLimiter(per_minute=2, window_s=0.3)
        start = time.monotonic()
        for _ in range(4):
            await limiter.acquire()
        return time.monotonic() - start

    assert 0.3 <= asyncio.run(go()) < 1.0  # the third request waited for the first to leave the window


def test_connections_are_kept_alive_and_bounded_by_max_concurrency(fake_server):
    server = fake_server(latency=0.02)

    async def go():
        client = EndpointClient("teacher", EndpointSpec(**endpoint(server, max_concurrency=4)), None)
        try:
            for wave in range(3):  # later waves reuse the first wave's connections
                await asyncio.gather(*(client.complete(_request(f"t|{wave}{i:04d}|math/answer|0")) for i in range(8)))
        finally:
            await client.close()

    asyncio.run(go())
    assert len(server.log) == 24
    assert 1 <= server.connections <= 4


def test_unreachable_endpoint_is_retried_then_fails_as_connection_error(fake_server):
    server = fake_server()
    server.stop()  # nothing listens on its port any more
    with pytest.raises(RequestFailed) as caught:
        _complete(server, _request(), max_attempts=2)
    assert caught.value.reason == "connection_error" and "after 2 attempts" in caught.value.detail


def _clear_proxies(monkeypatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def test_requests_go_through_the_proxy_named_in_the_environment(fake_server, monkeypatch):
    proxy = fake_server()  # answers the absolute-form request line a proxy gets, as the endpoint would
    _clear_proxies(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    spec = EndpointSpec(**endpoint(proxy, base_url="http://api.example.invalid/v1"))

    async def go():
        client = EndpointClient("teacher", spec, None)
        try:
            return await client.complete(_request())
        finally:
            await client.close()

    assert "Final answer" in asyncio.run(go()).content  # the host does not resolve: only the proxy could answer
    assert len(proxy.log) == 1


def test_no_proxy_hosts_are_reached_directly(fake_server, monkeypatch):
    server = fake_server()
    dead = fake_server()
    dead.stop()  # a proxy that would refuse every connection
    _clear_proxies(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{dead.port}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert "Final answer" in _complete(server, _request()).content
    assert len(server.log) == 1
