"""Where a build's per-batch work runs: in this process, in N local processes, or on a Ray cluster.

Every engine maps a picklable top-level function over items and yields the results in input order, so the output
of a build does not depend on the engine or its parallelism (the same `content_sha256` for every choice).
"""

from hermes_data.engine.base import Engine, EngineError, InlineEngine, make_engine

__all__ = ["Engine", "EngineError", "InlineEngine", "make_engine"]
