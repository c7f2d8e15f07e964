"""The per-request journal: every completion is durable the moment it arrives (issue 4, "never pay twice").

A request's key is deterministic (`task|item|step|attempt`, see `request_key`), and the journal stores the response
under it with a hash of the request body. A rerun of the same recipe rebuilds the same requests in the same order,
finds their responses here and sends nothing for them; only requests that were in flight at a crash go out again.
A changed template or parameter changes the body hash, so a stale answer is never reused for a different question.

SQLite in WAL mode with `synchronous=FULL`: a commit is on disk when it returns, and a torn last write (kill -9,
power loss) is rolled back by SQLite itself. Writes go through one thread that commits whatever has queued up in a
single transaction (group commit): at 300+ responses/s one fsync per response would stall the event loop, while a
batch costs one fsync. `append` returns only after the commit, so nothing downstream sees an unjournaled response.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    body_sha TEXT NOT NULL,
    content TEXT NOT NULL,
    finish_reason TEXT,
    model TEXT,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost REAL NOT NULL,
    created REAL NOT NULL
)
"""
_COLUMNS = "key, body_sha, content, finish_reason, model, prompt_tokens, completion_tokens, cost, created"


@dataclass(frozen=True)
class Reply:
    """One chat completion as the journal keeps it."""

    content: str
    finish_reason: str | None
    model: str | None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0


def request_key(task: str, item: str, step: str, attempt: int) -> str:
    """The deterministic id of one request: which task, which item, which step of its generator, which attempt."""
    return f"{task}|{item}|{step}|{attempt}"


class Journal:
    """Append-only response store; open with `Journal(path)`, `close()` when done (also a context manager)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute(_SCHEMA)
        self._entries: dict[str, tuple[str, Reply]] = {}
        for row in self._conn.execute(f"SELECT {_COLUMNS} FROM responses"):
            self._entries[row[0]] = (row[1], Reply(*row[2:8]))
        self._queue: queue.Queue = queue.Queue()
        self._writer = threading.Thread(target=self._write_loop, name="journal-writer", daemon=True)
        self._writer.start()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str, body_sha: str) -> Reply | None:
        """The journaled reply for this request, or None when absent or made for a different request body."""
        found = self._entries.get(key)
        return found[1] if found is not None and found[0] == body_sha else None

    def total_cost(self) -> float:
        return sum(reply.cost for _, reply in self._entries.values())

    async def append(self, key: str, body_sha: str, reply: Reply) -> None:
        """Store a reply; returns once it is committed to disk."""
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self._queue.put((key, body_sha, reply, loop, done))
        await done
        self._entries[key] = (body_sha, reply)

    def close(self) -> None:
        if self._writer.is_alive():
            self._queue.put(None)
            self._writer.join()
        self._conn.close()

    def _write_loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while True:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)  # finish this batch, then stop
                    break
                batch.append(nxt)
            self._commit(batch)

    def _commit(self, batch: list) -> None:
        rows = [
            (key, sha, r.content, r.finish_reason, r.model, r.prompt_tokens, r.completion_tokens, r.cost, time.time())
            for key, sha, r, _, _ in batch
        ]
        error: BaseException | None = None
        try:
            self._conn.execute("BEGIN")
            self._conn.executemany(f"INSERT OR REPLACE INTO responses ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)", rows)
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            error = exc
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        # One wake-up per loop for the whole batch, not one per reply: each call_soon_threadsafe writes to the
        # loop's self-pipe (a syscall, and a wake-up of the loop) and the batch is often dozens of replies.
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future]] = {}
        for *_, loop, done in batch:
            by_loop.setdefault(loop, []).append(done)
        for loop, futures in by_loop.items():
            loop.call_soon_threadsafe(_settle, futures, error)


def _settle(futures: list[asyncio.Future], error: BaseException | None) -> None:
    for done in futures:
        if done.cancelled():
            continue
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)


def read_journal_keys(path: str | Path) -> set[str]:
    """Keys of the responses in a journal file (tests and tools; opens read-only)."""
    conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT key FROM responses")}
    finally:
        conn.close()
