"""The local engine: input order whatever finishes first, a bounded number of items in flight, worker errors and
dead workers reported to the caller (never a hang)."""

from __future__ import annotations

import os

import pyarrow as pa
import pytest

from hermes_data.build.annotate import AnnotateJob, annotate_batch
from hermes_data.engine import EngineError, InlineEngine, make_engine
from hermes_data.engine.local import LocalEngine


@pytest.fixture(scope="module")
def engine():
    with LocalEngine(2) as engine:
        yield engine


def _job(start: int, rows: int) -> AnnotateJob:
    records = [
        {
            "id": f"r{start + i}",
            "messages": [
                {"role": "user", "content": f"Question {start + i}: how do tides work near harbor {i % 7}?"},
                {"role": "assistant", "content": "The moon pulls the sea. " * (1 + (start + i) % 5)},
            ],
        }
        for i in range(rows)
    ]
    return AnnotateJob(records, 0, start, (), ("teacher",), "llama3")


def test_results_come_in_input_order_and_equal_the_inline_engine(engine):
    # A big batch first and small ones after: the small ones finish first, the results still come in input order.
    jobs = [_job(0, 1500), _job(1500, 3), _job(1503, 200), _job(1703, 1)]
    parallel = list(engine.map_ordered(annotate_batch, jobs))
    inline = list(InlineEngine().map_ordered(annotate_batch, jobs))
    assert [t.column("_row")[0].as_py() for t in parallel] == [0, 1500, 1503, 1703]
    assert pa.concat_tables(parallel).equals(pa.concat_tables(inline))
    assert engine.describe() == {"engine": "local", "workers": 2}


def test_items_in_flight_are_bounded(engine):
    pulled = []

    def items():
        for i in range(-20, 0):
            pulled.append(i)
            yield i

    results = engine.map_ordered(abs, items())
    assert next(results) == 20
    assert len(pulled) == engine.in_flight == 4  # not the whole input: memory holds a few items per worker
    assert list(results) == list(range(19, 0, -1))


def test_an_error_in_a_worker_reaches_the_caller_as_itself(engine):
    with pytest.raises(ValueError, match="invalid literal"):
        list(engine.map_ordered(int, ["1", "2", "three", "4"]))
    assert list(engine.map_ordered(int, ["5", "6"])) == [5, 6]  # the pool is still usable


def test_a_dead_worker_is_an_engine_error_not_a_hang():
    with LocalEngine(2) as engine, pytest.raises(EngineError, match="worker process .* died") as caught:
        list(engine.map_ordered(os._exit, [3, 3, 3]))  # the worker process ends without answering, as if killed
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("workers", [0, -2])
def test_fewer_than_one_worker_is_a_user_error(workers):
    with pytest.raises(EngineError, match=f"--workers {workers}: must be at least 1"):
        make_engine("local", workers)
