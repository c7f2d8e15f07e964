"""When a request may go: sliding-window rate limits, and how long a server asks us to wait before the next try."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Mapping
from email.utils import parsedate_to_datetime


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


def retry_after(headers: Mapping[str, str]) -> float | None:
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
