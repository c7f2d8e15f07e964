"""Where a build keeps the text of its rows while the stages work on compact per-row columns (issue 15 §4).

A row's text (`messages`, `tools`, `documents`, `meta`) is most of its bytes, and only a few stages read it: the
per-row filters that look at the turns, near-dedup's texts, and the write. So the build splits each annotated batch
as it arrives: the text goes to a spill file on disk (Arrow IPC, one record batch per annotated batch, keyed by
`_row`), the rest stays in memory as the working table. Stages that need text get it back one batch at a time
(`chunks`), and the output is written shard by shard from the same file (`Joined`). The main process then holds the
compact columns plus one batch of text instead of every row's text, and filtering a stage's survivors no longer
copies the text (measured with benchmarks/build_scale.py at 1M rows, see there).

The build cache keeps the spill file itself (`persist` moves it into the cache entry, `open` reads it back), so a
rebuild that only changes the mixture neither rewrites nor loads the text.
"""

from __future__ import annotations

import os
import shutil
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa

from hermes_data.errors import DataError
from hermes_data.io.arrow_buffers import own_buffers

TEXT_COLUMNS = ("messages", "tools", "documents", "meta")


def without_text(table: pa.Table) -> pa.Table:
    """The working table's compact columns: everything but `TEXT_COLUMNS`."""
    return table.drop_columns([name for name in TEXT_COLUMNS if name in table.column_names])


class TextStore:
    """The text columns of a build's rows, looked up by `_row`."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder
        self._writer: pa.ipc.RecordBatchFileWriter | None = None
        self._reader: pa.ipc.RecordBatchFileReader | None = None
        self._starts: list[int] = []  # first `_row` of each spilled batch (rows are contiguous and ascending)
        self._start_array = np.zeros(0, dtype=np.int64)  # the same, as searched (remade when batches were added)
        self._cached: tuple[int, pa.RecordBatch] | None = None
        self._path: Path | None = None  # the file, once finished: what other processes on this machine open
        self._identity = (0, 0)  # (size, mtime) of the file this store reads, taken from its open handle
        self._end = 0
        self._finalizer = None
        if folder is not None:
            # Removed when the store is dropped or the process exits, also after an error.
            self._finalizer = weakref.finalize(self, shutil.rmtree, folder, True)

    @classmethod
    def spill(cls, parent: Path) -> TextStore:
        """An empty store writing to a new folder under `parent` (fill it with `add`, then `finish`). Folders left
        by killed builds (their process is gone) are removed first."""
        with _writing(parent):
            parent.mkdir(parents=True, exist_ok=True)
            for stale in parent.glob("spill-*"):
                if not _alive(stale.name.split("-")[1]):
                    shutil.rmtree(stale, ignore_errors=True)
            folder = parent / f"spill-{os.getpid()}-{uuid.uuid4().hex[:12]}"
            folder.mkdir()
        return cls(folder=folder)

    @classmethod
    def open(cls, path: Path, starts: list[int]) -> TextStore:
        """A store over a file `persist` wrote (`starts`: what it returned); the file stays where it is."""
        store = cls()
        store._reader, store._identity = _open_reader(Path(path))
        store._starts = list(starts)
        store._path = Path(path)
        return store

    def persist(self, path: Path) -> list[int]:
        """Move the spill file to `path` (same filesystem) and return the batch starts `open` needs. This store
        keeps reading it there."""
        os.replace(self._folder / "text.arrow", path)
        self._path = Path(path)
        return list(self._starts)

    def moved(self, path: Path) -> None:
        """The file now lives at `path` (its folder was renamed); this store's open handle reads on unchanged."""
        self._path = Path(path)

    @property
    def location(self) -> tuple[str, list[int], tuple[int, int]] | None:
        """Where the finished file is, its batch starts and its (size, mtime) identity, for `open` in another
        process; None before `finish`."""
        if self._path is None or self._reader is None:
            return None
        return str(self._path), list(self._starts), self._identity

    def add(self, batch: pa.Table) -> None:
        """Spill the text of an annotated batch whose `_row`s continue the previous batch's."""
        rows = batch.column("_row").to_numpy()
        if not len(rows):
            return
        if rows[0] != self._end or rows[-1] != self._end + len(rows) - 1:
            raise ValueError(f"rows {rows[0]}..{rows[-1]} do not continue the store at row {self._end}")
        text = pa.Table.from_arrays([batch.column(name) for name in TEXT_COLUMNS], names=list(TEXT_COLUMNS))
        with _writing(self._folder):
            if self._writer is None:
                # LZ4 frames: about a third of the bytes on disk, decompressed at GB/s when a batch is read back.
                options = pa.ipc.IpcWriteOptions(compression="lz4")
                self._writer = pa.ipc.new_file(str(self._folder / "text.arrow"), text.schema, options=options)
            self._writer.write_batch(text.combine_chunks().to_batches(max_chunksize=len(rows))[0])
        self._starts.append(int(rows[0]))
        self._end += len(rows)

    def finish(self) -> None:
        """Close the spill file for writing; lookups may start."""
        if self._writer is not None:
            with _writing(self._folder):
                self._writer.close()
            self._writer = None
            self._path = self._folder / "text.arrow"
            self._reader, self._identity = _open_reader(self._path)

    def close(self) -> None:
        self._reader = self._cached = None
        if self._finalizer is not None:
            self._finalizer()

    # -- lookups -------------------------------------------------------------------------------------------------

    def take(self, rows: np.ndarray) -> pa.Table:
        """The text columns of `rows` (`_row` values), in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return pa.Table.from_batches([], schema=self._schema())
        batch_of = self._batch_of(rows)
        cuts = np.flatnonzero(np.diff(batch_of)) + 1
        pieces = []
        for part, batch_rows in zip(np.split(batch_of, cuts), np.split(rows, cuts), strict=True):
            index = int(part[0])
            pieces.append(self._batch(index).take(pa.array(batch_rows - self._starts[index])))
        return pa.Table.from_batches(pieces)

    def chunks(self, table: pa.Table) -> Iterator[pa.Table]:
        """`table` (compact rows, ascending `_row`) in consecutive pieces, each joined with its rows' text: one
        spilled batch is read per piece, so at most one batch of text is alive here at a time."""
        rows = table.column("_row").to_numpy()
        if not len(rows):
            return
        batch_of = self._batch_of(rows)
        bounds = [0, *(np.flatnonzero(np.diff(batch_of)) + 1).tolist(), len(rows)]
        for start, end in zip(bounds, bounds[1:], strict=False):
            index = int(batch_of[start])
            text = self._batch(index).take(pa.array(rows[start:end] - self._starts[index]))
            # Own buffers: a piece may travel to a worker, and a slice would take the whole table along.
            yield join(own_buffers(table.slice(start, end - start)), pa.Table.from_batches([text]))

    def join(self, table: pa.Table) -> pa.Table:
        """`table` with its rows' text: every row at once (for a stage that needs the whole table, e.g. a model)."""
        return join(table, self.take(table.column("_row").to_numpy()))

    def _batch_of(self, rows: np.ndarray) -> np.ndarray:
        """The spilled batch holding each of `rows`."""
        if len(self._start_array) != len(self._starts):
            self._start_array = np.asarray(self._starts, dtype=np.int64)
        return np.searchsorted(self._start_array, rows, side="right") - 1

    def _batch(self, index: int) -> pa.RecordBatch:
        if self._cached is None or self._cached[0] != index:
            self._cached = (index, self._reader.get_batch(index))
        return self._cached[1]

    def _schema(self) -> pa.Schema:
        return self._reader.schema if self._reader is not None else pa.schema([])


def _open_reader(path: Path) -> tuple[pa.ipc.RecordBatchFileReader, tuple[int, int]]:
    """A reader over the file and the file's (size, mtime), from the open handle: a later rename or removal of the
    path (another build replacing the same cache entry) changes neither."""
    handle = pa.OSFile(str(path), "rb")
    stat = os.fstat(handle.fileno())
    return pa.ipc.open_file(handle), (stat.st_size, stat.st_mtime_ns)


@contextmanager
def _writing(folder: Path) -> Iterator[None]:
    """A full or unwritable disk under the cache is the user's to fix: one line saying where and what to do."""
    try:
        yield
    except OSError as exc:
        raise DataError(
            f"cannot write the rows' text under {folder} ({exc.strerror or exc}): a build spills it under "
            "$HERMES_CACHE/spill; free space there or set HERMES_CACHE to a folder on a disk with room for the "
            "sources' text"
        ) from None


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True  # another user's build
    return True


def join(compact: pa.Table, text: pa.Table) -> pa.Table:
    """Compact columns and the text columns of the same rows, side by side (the text columns first, as in the
    record schema; stages read columns by name)."""
    columns = [*text.columns, *compact.columns]
    return pa.Table.from_arrays(columns, names=[*text.column_names, *compact.column_names])


class Joined:
    """Compact rows and their text as a table-like object for a writer that slices (`write_shards`): only the slice
    being written is joined, by whichever process encodes it (`JoinedSlice`)."""

    def __init__(self, table: pa.Table, store: TextStore) -> None:
        self.table, self.store = table, store

    @property
    def num_rows(self) -> int:
        return self.table.num_rows

    def slice(self, offset: int, length: int | None = None) -> JoinedSlice:
        return JoinedSlice(self.table.slice(offset, length), self.store)


class JoinedSlice:
    """A slice of compact rows whose text is taken where it is encoded: a worker on this machine opens the spill
    file itself, so the text never travels through this process or the engine's queue (1.1 s of this process's 4.5 s
    write of 200k rows of benchmarks/build_scale.py was the take). Pickled, it carries the file's path, not the
    store; `load` is None on a node that does not see the file (or sees another file there), and the writer then
    encodes that shard here and sends the next ones with their text (dataset/folder.py::write_shard_sets)."""

    def __init__(self, table: pa.Table, store: TextStore) -> None:
        self.table, self._store = table, store
        self._location = store.location

    @property
    def num_rows(self) -> int:
        return self.table.num_rows

    def __getstate__(self) -> dict:
        # The slice's own rows only (own_buffers), and where the text is instead of the store.
        return {"table": own_buffers(self.table), "_location": self._location, "_store": None}

    def load(self) -> pa.Table | None:
        store = self._store
        if store is None:
            store = _opened(self._location)
            if store is None:
                return None
        return join(self.table, store.take(self.table.column("_row").to_numpy()))


def _opened(location: tuple[str, list[int], tuple[int, int]] | None) -> TextStore | None:
    """A worker's store over a spill file, kept for the next shard of the same file; None when this node has no
    such file (another machine), or a file of another size or time there (not the driver's)."""
    global _OPENED
    if location is None:
        return None
    path, starts, identity = location
    key = (path, tuple(identity), tuple(starts))
    if _OPENED is None or _OPENED[0] != key:
        try:
            store = TextStore.open(Path(path), starts)
        except (OSError, pa.ArrowInvalid):  # no such file here, or not an Arrow file
            return None
        if store._identity != tuple(identity):
            return None
        _OPENED = (key, store)
    return _OPENED[1]


_OPENED: tuple[tuple, TextStore] | None = None
