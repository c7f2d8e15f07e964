"""The engine protocol and the in-process engine every other one must match byte for byte."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol, TypeVar

from hermes_data.errors import HermesError

T = TypeVar("T")
R = TypeVar("R")


class EngineError(HermesError):
    """A worker died or could not start; the build stops without writing its output."""


class Engine(Protocol):
    name: str
    workers: int

    def map_ordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """`fn(item)` for every item, yielded in input order; at most a bounded number in flight, so memory holds
        a few batches per worker, not the whole input."""
        ...

    def describe(self) -> dict:
        """What the manifest records: engine name, workers (and nodes, for a cluster)."""
        ...

    def close(self) -> None: ...


class InlineEngine:
    """One process, no pickling: the reference the parallel engines are tested against."""

    name = "inline"
    workers = 1

    def map_ordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        for item in items:
            yield fn(item)

    def describe(self) -> dict:
        return {"engine": "local", "workers": 1}

    def close(self) -> None:
        pass

    def __enter__(self) -> InlineEngine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def check_workers(workers: int | None) -> None:
    """`--workers` below 1 is a user error, said the same way by every engine and by the build command."""
    if workers is not None and workers < 1:
        raise EngineError(f"--workers {workers}: must be at least 1")


def make_engine(
    name: str = "local", workers: int | None = None, address: str | None = None, preload: Sequence[str] = ()
) -> Engine:
    """`local` with one worker runs inline; more workers use local processes; `ray` joins or starts a cluster.
    `workers` below 1 is a user error (`--workers 0`). `preload`: modules local worker processes import before their
    first item (the caller's batch functions), so no worker pays for it."""
    check_workers(workers)
    if name == "local":
        if workers is None or workers <= 1:
            return InlineEngine()
        from hermes_data.engine.local import LocalEngine

        return LocalEngine(workers, preload=preload)
    if name == "ray":
        from hermes_data.engine.ray_engine import RayEngine

        return RayEngine(address=address, workers=workers)
    raise ValueError(f"unknown engine {name!r}; use local or ray")
