"""Arrow tables that travel to worker processes or Ray tasks carry only their own rows."""

from __future__ import annotations

import pyarrow as pa


def own_buffers(table: pa.Table) -> pa.Table:
    """`table` in buffers that hold only its rows. A slice shares its parent's buffers, and pickling it (to send it
    to a worker process or a Ray task) copies the parent whole: measured with pyarrow 26, a 4,096-row slice of a
    1M-row table pickled to the table's 48 MB. An Arrow IPC round trip writes only the slice (0.2 MB there)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return pa.ipc.open_stream(sink.getvalue()).read_all()
