"""The Ray engine: a build's per-batch work as Ray tasks, on a local Ray instance or a cluster it joins.

What runs as tasks is whatever the build maps over its engine: reading and annotating the sources' pieces
(`build/read_pieces.py`), the per-row stages, near-dedup's texts and band keys, and encoding the output shards
(`dataset/folder.py::write_shard_sets`); the rest (clusters, balance, writing the bytes) runs in the driver.

**Tasks, not Ray Data or actors.** The engine protocol is one call, `map_ordered(fn, items)`, shared with the
inline and local-process engines, and the build's output must be byte-identical across them. Ray tasks map onto it
directly: one task per item, results fetched by reference in input order, so the order never depends on which node
finished first. Ray Data (`map_batches`) would need our readers (sample:, repair, ShareGPT/OpenAI/Alpaca parsing)
re-expressed as Ray datasources and `preserve_order` bolted on, and would pull `ray[data]` (pandas and more) into
the extra, for a pipeline that is already a stream of batches. Actors would hold the tokenizer, but Ray reuses a
job's worker processes between tasks, so the tokenizer a task loads through a per-process cache (see
`build/annotate.py::annotate_batch`) is loaded once per worker anyway; tasks keep Ray's scheduling, spreading over
nodes and retries on a lost node, which a pool of actors would have to rebuild by hand.

**Bounded.** At most `2 * workers` tasks are in flight: the driver submits the next item only when the oldest result
has been taken, so memory holds a few batches per worker, not the whole input.

**Failures.** An exception raised inside `fn` comes back as itself (a bad row is the same `DataError` as inline). A
worker process or node that dies is retried `retries` times by Ray (a lost spot node costs a rerun of its tasks,
not the build); when that runs out the build stops with one `EngineError` line, and the tasks still in flight are
cancelled. An address that does not answer is an `EngineError` within seconds: Ray's own connect retries take
minutes, so the engine first checks that something listens there.
"""

from __future__ import annotations

import logging
import os
import socket
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from hermes_data.engine.base import EngineError, check_workers

T = TypeVar("T")
R = TypeVar("R")

_CONNECT_TIMEOUT_S = 5.0
_DEFAULT_CLIENT_PORT = 10001
_DEFAULT_GCS_PORT = 6379


def _import_ray():
    try:
        import ray
    except ImportError as exc:
        raise EngineError(
            "--engine ray needs Ray: install the extra with pip install 'hermes-toolkit[ray]' (on every node)"
        ) from exc
    return ray


def _check_reachable(address: str) -> None:
    """One-line error for an address nothing listens on, before Ray spends minutes retrying it."""
    if address == "auto":
        return  # Ray finds the local cluster itself (RAY_ADDRESS or the head started on this node)
    client = address.startswith("ray://")
    rest = address.removeprefix("ray://")
    host, sep, port = rest.rpartition(":")
    if not sep or not host:
        host, port = rest, str(_DEFAULT_CLIENT_PORT if client else _DEFAULT_GCS_PORT)
    if not port.isdigit():
        raise EngineError(f"--address {address!r}: expected HOST:PORT (e.g. 10.0.0.1:6379) or ray://HOST:10001")
    try:
        socket.create_connection((host, int(port)), timeout=_CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise EngineError(
            f"--address {address!r}: no Ray cluster answers there ({exc.strerror or exc}); start one with "
            "`ray start --head` and pass the address it prints"
        ) from None


class RayEngine:
    """Ray tasks over the items, results in input order (see the module docstring)."""

    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None, *, retries: int = 2) -> None:
        check_workers(workers)
        ray = _import_ray()
        self._ray, self._retries = ray, retries
        self._owned = not ray.is_initialized()  # a caller's own ray.init() is theirs to shut down
        self._nodes = 0
        if self._owned:
            quiet = {"logging_level": logging.WARNING, "log_to_driver": False, "configure_logging": True}
            try:
                if address:
                    _check_reachable(address)
                    ray.init(address=address, **quiet)
                else:
                    # "local": a fresh instance even when RAY_ADDRESS or a `ray start` on this node names another
                    # (`--address auto` joins that one).
                    cpus = workers or os.cpu_count() or 1
                    ray.init(address="local", num_cpus=cpus, include_dashboard=False, **quiet)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise EngineError(f"ray engine: cannot start or join Ray ({_first_line(exc)})") from None
        cpus = int(ray.cluster_resources().get("CPU", 1))
        # On a cluster, every CPU it has; `workers` caps how many tasks run at once.
        self.workers = min(workers, cpus) if workers else cpus
        self._task = None  # the remote `_call`, made once per engine

    def map_ordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        ray = self._ray
        if self._task is None:
            # SPREAD: batches are CPU-bound and alike, so every node gets its share rather than the driver's node
            # filling up first (Ray's default packs tasks onto the local node while it has spare CPUs).
            options = {"max_retries": self._retries, "retry_exceptions": False, "scheduling_strategy": "SPREAD"}
            self._task = ray.remote(**options)(_call)
        window = 2 * self.workers
        pending: deque = deque()
        source = iter(items)
        try:
            while True:
                while len(pending) < window:
                    item = next(source, _END)
                    if item is _END:
                        break
                    pending.append(self._task.remote(fn, item))
                if not pending:
                    return
                yield self._get(pending.popleft())
        finally:
            for ref in pending:  # an error or a consumer that stopped early: nothing keeps running for us
                ray.cancel(ref, force=True)

    def _get(self, ref):
        ray = self._ray
        ray.wait([ref], num_returns=1, fetch_local=True)
        try:
            return ray.get(ref)
        except ray.exceptions.RayTaskError as exc:
            cause = exc.cause if isinstance(exc.cause, BaseException) else None
            if cause is not None:
                raise cause from None  # fn's own error, as the inline engine would raise it
            raise EngineError(f"ray engine: a task failed ({_first_line(exc)})") from None
        except ray.exceptions.RayError as exc:  # the worker, its node or the result is gone (crash, OOM, lost node)
            raise EngineError(
                f"ray engine: a worker died while running a batch ({type(exc).__name__}, after {self._retries} "
                "retries); nothing was written. Check the nodes' memory and logs (/tmp/ray/session_latest/logs)"
            ) from None

    def describe(self) -> dict:
        # Remembered while connected, so a closed engine still describes the run it made.
        if self._ray.is_initialized():
            self._nodes = sum(1 for node in self._ray.nodes() if node.get("Alive"))
        return {"engine": "ray", "workers": self.workers, "nodes": self._nodes}

    def close(self) -> None:
        if self._owned and self._ray.is_initialized():
            self.describe()
            self._ray.shutdown()

    def __enter__(self) -> RayEngine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_END = object()


def _call(fn: Callable[[T], R], item: T) -> R:
    """What every task runs: `fn` travels by reference (a module-level function), so any callable works."""
    return fn(item)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
