"""N local worker processes behind the engine protocol: ordered results, a bounded number of items in flight.

Workers start through the **forkserver** context, not `fork`: the parent has usually loaded a tokenizer, whose Rust
thread pool (and torch's, when the trainer extras are imported) does not survive a fork (a child can inherit a lock
held by a thread that no longer exists and hang, and `tokenizers` disables its parallelism after a fork). A fork from
the small, single-threaded server process has none of that, and costs less than `spawn`'s fresh interpreter per
worker: the server imports the modules its caller names (`preload`, the build's batch functions) once and every
worker is a fork of it.

Per-worker state (the tokenizer, the recipe's stages) is loaded on the first item a worker sees and kept for the
next ones (`functools.lru_cache` in the worker functions), so the protocol needs no initializer and the Ray engine
can reuse the same functions unchanged.

Work that cannot be split (an input of one item) runs in this process, and the pool starts on the first input of two
or more: a small build pays no worker start-up (seconds per worker: imports and the tokenizer), and its result is the
same either way.

A worker that dies (SIGKILL, the kernel's OOM killer) breaks the pool: the next result raises `EngineError` with one
line, and the build, which writes its folder only after every batch came back, leaves no output behind. Items travel
through a spool file each (in /dev/shm when there is one), not through the pool's pipe: CPython 3.11's executor
deadlocks when a worker dies while its queue-feeding thread is blocked writing a large item (MBs: a batch of records)
into the pipe that nobody reads any more (seen: the build hung in `shutdown` instead of reporting the dead worker).
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import pickle
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from hermes_data.engine.base import EngineError, check_workers

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """The CPUs this process may run on (a container's or taskset's limit), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class LocalEngine:
    """`workers` processes on this machine; at most `in_flight` items (default 2 per worker) submitted at a time, so
    a worker always has its next item queued while memory holds a few batches, not the whole input."""

    name = "local"

    def __init__(self, workers: int, *, in_flight: int | None = None, preload: Sequence[str] = ()) -> None:
        check_workers(workers)
        self.workers = workers
        self.in_flight = in_flight or 2 * workers
        self.preload = list(preload)  # imported once in the forkserver, so each worker starts with them
        self._pool: ProcessPoolExecutor | None = None
        self._spool: tempfile.TemporaryDirectory | None = None
        self._spooled = itertools.count()

    def map_ordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        items = iter(items)
        head = list(itertools.islice(items, 2))
        if len(head) < 2:
            yield from map(fn, head)
            return
        pending: deque[Future] = deque()
        try:
            for item in itertools.chain(head, items):
                pending.append(self._submit(fn, item))
                if len(pending) >= self.in_flight:
                    yield _result(pending.popleft())
            while pending:
                yield _result(pending.popleft())
        finally:
            for future in pending:  # the consumer stopped early or an item failed: drop the queued work
                future.cancel()

    def _submit(self, fn: Callable, item) -> Future:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(self.preload)
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
            shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
            self._spool = tempfile.TemporaryDirectory(prefix="hermes-engine-", dir=shm)
        path = os.path.join(self._spool.name, f"{next(self._spooled)}.pickle")
        with open(path, "wb") as fh:
            pickle.dump(item, fh, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            return self._pool.submit(_run_spooled, fn, path)
        except BrokenProcessPool:
            raise EngineError(_DIED) from None

    def describe(self) -> dict:
        return {"engine": self.name, "workers": self.workers}

    def close(self) -> None:
        if self._pool is not None:
            if getattr(self._pool, "_broken", False):
                _kill_workers(self._pool)
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._spool is not None:
            self._spool.cleanup()
            self._spool = None

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_DIED = (
    "a worker process of the local engine died (killed, or out of memory) and the build stopped without writing "
    "its output; rerun, with fewer --workers if memory is short"
)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Kill a broken pool's remaining workers. CPython 3.11 marks a pool broken without the submit lock, so a worker
    started as it broke escapes the pool's own terminate, runs its item and blocks forever sending the result to a
    pipe no one reads; `shutdown` then waits on it forever (seen: a build hung after one worker was killed)."""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.kill()


def _run_spooled(fn: Callable, path: str):
    """In a worker: the item from its spool file (removed once read), then `fn(item)`."""
    with open(path, "rb") as fh:
        item = pickle.load(fh)
    os.unlink(path)
    return fn(item)


def _result(future: Future):
    try:
        return future.result()
    except BrokenProcessPool:
        raise EngineError(_DIED) from None
