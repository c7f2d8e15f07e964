"""A per-row stage run batch by batch gives the verdict of one run over the whole table."""

from __future__ import annotations

from functools import partial

import numpy as np
import pyarrow as pa

from hermes_data.engine import InlineEngine
from hermes_data.filters.refusals import refusals_stage
from hermes_data.stages.batches import verdict_on_batches


def _table() -> pa.Table:
    replies = ["Tides follow the moon.", "I'm sorry, but I can't help with that request.", "Las mareas suben."] * 5
    rows = [
        {"messages": [{"role": "user", "content": f"Question {i}"}, {"role": "assistant", "content": r}]}
        for i, r in enumerate(replies)
    ]
    table = pa.Table.from_pylist(rows)
    return pa.concat_tables([table.slice(0, 4), table.slice(4, 1), table.slice(5, 10)])  # three chunks


def test_batches_join_to_the_whole_table_verdict():
    table = _table()
    assert table.column("messages").num_chunks == 3
    whole = refusals_stage(table, True)
    joined = verdict_on_batches(InlineEngine(), partial(refusals_stage, settings=True), table)
    assert np.array_equal(joined.keep, whole.keep) and (~joined.keep).sum() == 5
    assert joined.reasons == whole.reasons and joined.details == whole.details
    assert list(joined.counted) == list(whole.counted)
    for reason, mask in whole.counted.items():
        assert np.array_equal(joined.counted[reason], mask)
