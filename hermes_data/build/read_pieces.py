"""Sources read in pieces on the engine's workers (issue 15 §3): each worker reads, converts and annotates its own
piece of a file, and this process only numbers what comes back.

A source's local files are cut into pieces: a Parquet file by row ranges, a plain JSON Lines file by byte ranges
that start at a line's first byte (`line_boundaries`); a JSON array, a compressed file or a file too small to cut
is one piece. A piece's job (`read_piece`) reads its rows with the same converters as the sequential reader
(`formats.read_records`), prepares them as a source does (`sources.prepared`: reasoning, category, model) and
annotates them in `annotate.BATCH_ROWS` batches with the worker's tokenizer. Nothing about a row depends on the rows
before it except three things, which the worker leaves relative to its piece and the driver makes absolute as the
pieces come back in order (`Assembler`):

- `_row`, the build's row number: the piece's rows count from 0 and get the rows of the pieces before them added;
- line numbers (JSON Lines) and row indexes (Parquet), in unreadable-row examples and in the suffix a repeated id
  gets: a piece reports how many lines and rows it held, so the next one is shifted by the sum;
- ids unique within the source (`formats.row_ids`): the worker records each row's id as read and where it sits
  (`RecordingIds`); the driver runs the source's own `UniqueIds` over them in order and rewrites the ids that repeat.

So the rows are the same bytes as when this process reads the source (the reference, kept for one worker and for
what pieces do not cover: `sample:` and Hub sources, folders read through `datasets`, and `limit:`, which stops at a
row count no piece can know in advance). On a cluster the workers open the files by path: the sources must sit on
storage every node mounts at the same path (see the README). A worker that does not see a piece's file says so
(`None`) and this process reads that piece itself, so a driver-only path still builds, only without the speed-up.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hermes_data.build.annotate import BATCH_ROWS, AnnotateJob, annotate_batch, record_batches
from hermes_data.build.recipe import SourceSpec
from hermes_data.build.sources import prepared
from hermes_data.errors import DataError, HermesError
from hermes_data.formats import UniqueIds, Unreadable, convert_json_rows
from hermes_data.formats.column_map import column_map
from hermes_data.formats.detect import detect
from hermes_data.formats.jsonrows import is_plain_jsonl, iter_json_rows, json_files, jsonl_range_rows, line_boundaries
from hermes_data.formats.parquet import parquet_files, read_parquet_file
from hermes_data.io.compressed import codec_of
from hermes_data.io.sources import SourceReport
from hermes_data.recipe import SAMPLE_PREFIX

PIECE_ROWS = 4 * BATCH_ROWS  # Parquet rows per piece at most
PIECE_BYTES = 16 << 20  # JSON Lines bytes per piece at most: about 4 batches of chat rows of a few KB
MIN_PIECE_BYTES = 1 << 20  # below this a piece costs more to schedule than to read
WHOLE_FILE_BYTES = 4 << 20  # a file that cannot be cut and is larger is read as a stream (compressed: ~4x the rows)


@dataclass(frozen=True)
class Piece:
    """A part of one file of a source. `kind`: "jsonl" (bytes `[start, end)`), "json" (the whole file, any JSON
    layout), "parquet" (rows `[start, end)`; end -1: the whole file). `read_path` is the path the sequential reader
    is given (a file or a folder): Parquet row indexes count across its files, JSON lines within each file."""

    kind: str
    file: str  # as the recipe names it: in the rows' `source`, the ids and the messages
    read_path: str
    fmt: str
    start: int = 0
    end: int = 0
    where: str = ""  # the file's absolute path, which a worker opens (its working folder is not ours)
    size: int = 0  # the file's size and mtime here: a worker whose file at `where` differs does not read it
    mtime_ns: int = 0


@dataclass(frozen=True)
class ReadJob:
    piece: Piece
    spec: SourceSpec
    source_index: int
    repairs: tuple[str, ...]
    model_priority: tuple[str, ...]
    tokenizer: str


@dataclass
class PieceRows:
    """What a worker returns for a piece: annotated batches (`_row` from 0), each row's id as read with its
    position (`L<line>` or `R<index>`, from the piece's start), the first unreadable rows (line relative, or None
    for Parquet), and the counts the next piece's numbering needs."""

    tables: list[pa.Table]
    ids: list[tuple[str, str]]
    unreadable: list[tuple[str, int | None, str]]
    rows_unreadable: int
    rows_read: int
    reasoning_turns: int
    unmapped_values: dict[str, int]
    lines: int  # lines the piece spanned (JSON Lines); for Parquet, the rows it held
    rows: int  # rows the piece held (what indexes count)


def plan_pieces(spec: SourceSpec, paths: list[str], workers: int) -> list[Piece] | None:
    """The pieces of a source, in reading order; None when it must be read in one stream (module docstring).
    A file is cut into enough pieces to keep `workers` busy (two each) when it is large enough, and into pieces of
    at most `PIECE_BYTES` / `PIECE_ROWS` when it is larger."""
    if spec.path.startswith(SAMPLE_PREFIX) or spec.limit:
        return None
    columns = column_map(spec.columns, spec.roles)
    pieces: list[Piece] = []
    for path in paths:
        if path.startswith("hub:") or not os.path.exists(path):
            return None
        fmt = spec.format or detect(path, columns)
        if fmt is None:
            continue  # an empty JSON file: no rows
        if fmt == "hub" or (fmt == "parquet" and columns):
            return None  # read through `datasets`, or the sequential reader's own error
        if fmt == "parquet":
            pieces += [p for file in parquet_files(path) for p in _parquet_pieces(file, path, workers)]
        else:
            pieces += [p for file in json_files(path) for p in _json_pieces(file, path, fmt, workers)]
    if any(p.kind == "json" and p.size * (4 if codec_of(p.where) else 1) > WHOLE_FILE_BYTES for p in pieces):
        # A file that does not cut (a JSON array, a compressed file) would be one job holding the whole file, on one
        # worker: streamed from here in batches to every worker instead.
        return None
    return pieces


def _parquet_pieces(file: str, read_path: str, workers: int) -> list[Piece]:
    where = _identity(file)
    try:
        total = pq.ParquetFile(file).metadata.num_rows
    except Exception:  # a truncated or foreign file: one piece, whose reading raises the reader's own error
        return [Piece("parquet", file, read_path, "parquet", 0, -1, **where)]
    # Row ranges, not row groups: files written in one group (pyarrow's default up to 1M rows) still split. A range
    # decodes its groups only from their start to its end, a small cost beside converting and counting its rows.
    size = max(BATCH_ROWS, min(PIECE_ROWS, -(-total // (2 * workers))))
    cuts = [*range(0, total, size), total] if total else [0, 0]
    return [Piece("parquet", file, read_path, "parquet", a, b, **where) for a, b in zip(cuts, cuts[1:], strict=False)]


def _json_pieces(file: str, read_path: str, fmt: str, workers: int) -> list[Piece]:
    where = _identity(file)
    size = where["size"]
    count = max(-(-size // PIECE_BYTES), min(2 * workers, size // MIN_PIECE_BYTES))
    if count < 2 or not is_plain_jsonl(file):
        return [Piece("json", file, read_path, fmt, **where)]
    cuts = line_boundaries(file, count)
    return [Piece("jsonl", file, read_path, fmt, a, b, **where) for a, b in zip(cuts, cuts[1:], strict=False)]


def _identity(file: str) -> dict:
    stat = os.stat(file)
    return {"where": os.path.abspath(file), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


class RecordingIds(UniqueIds):
    """Ids as read, with where each row sits; the driver makes them unique over the whole source."""

    def __init__(self) -> None:
        super().__init__()
        self.read: list[tuple[str, str]] = []

    def unique(self, record: dict, where: str, suffix: str) -> dict:
        self.read.append((record["id"], suffix))
        return record


def read_piece(job: ReadJob) -> PieceRows | None:
    """Read, prepare and annotate one piece (runs on a worker); None when this node does not see its file."""
    try:
        return _read_piece(job)
    except HermesError as exc:
        # The reader named the absolute path the worker opened; the user wrote the recipe's path.
        piece = job.piece
        if piece.where == piece.file or piece.where not in str(exc):
            raise
        try:
            renamed = type(exc)(str(exc).replace(piece.where, piece.file))
        except TypeError:  # an error class that takes more than its message
            raise exc from None
        raise renamed from None


def _read_piece(job: ReadJob) -> PieceRows | None:
    piece, spec = job.piece, job.spec
    try:
        stat = os.stat(piece.where)
    except OSError:
        return None
    if (stat.st_size, stat.st_mtime_ns) != (piece.size, piece.mtime_ns):
        return None  # another file at that path on this node (a stale local copy): not the driver's rows
    ids = RecordingIds()
    counts: dict = {}
    if piece.kind == "parquet":
        span = None if piece.end < 0 else (piece.start, piece.end)
        rows = read_parquet_file(piece.where, f"file:{piece.file}", span)
        items = ids.unique_rows(_renamed(rows, piece), piece.read_path)
    else:
        rows = (
            jsonl_range_rows(piece.where, piece.start, piece.end, counts)
            if piece.kind == "jsonl"
            else iter_json_rows(piece.where)  # the whole file: nothing after it in the file needs its counts
        )
        items = convert_json_rows(
            piece.file, _renamed(rows, piece), piece.fmt, None, column_map(spec.columns, spec.roles), ids
        )
    report = SourceReport(path=spec.path, format=spec.format, resolved="")
    unreadable: list[tuple[str, int | None, str]] = []
    records = prepared(_noting(items, unreadable, report), spec, report)
    tables, row = [], 0
    for batch in record_batches(records):
        annotated = annotate_batch(
            AnnotateJob(batch, job.source_index, row, job.repairs, job.model_priority, job.tokenizer)
        )
        tables.append(annotated)
        row += len(batch)
    items_seen = report.rows_read + report.rows_unreadable
    return PieceRows(
        tables=tables,
        ids=ids.read,
        unreadable=unreadable,
        rows_unreadable=report.rows_unreadable,
        rows_read=report.rows_read,
        reasoning_turns=report.reasoning_turns,
        unmapped_values=report.unmapped_values,
        lines=counts.get("lines", items_seen),
        rows=counts.get("rows", items_seen),
    )


def _renamed(items: Iterable, piece: Piece) -> Iterator:
    """Unreadable items name the file as the recipe does, not by the absolute path the worker opened."""
    for item in items:
        yield item._replace(path=piece.file) if isinstance(item, Unreadable) else item


def _noting(items: Iterable, unreadable: list, report: SourceReport) -> Iterator:
    """Items on to `prepared`, unreadable ones counted here with their piece-relative line (the driver shifts it)."""
    for item in items:
        if isinstance(item, Unreadable):
            report.rows_unreadable += 1
            if len(unreadable) < 5:
                unreadable.append((item.path, item.line, item.message))
            continue
        yield item


@dataclass
class Assembler:
    """Numbers a source's pieces as they come back in order: rows, lines and indexes made absolute, ids made
    unique over the source with its `report.ids`, the report's counts summed."""

    report: SourceReport
    row: int  # the build's next `_row`
    reasoning_mode: str  # the source's, recorded once it has a row (as the sequential reader does)
    _file: str | None = None
    _line_offset: int = 0
    _index_key: str | None = None
    _index_offset: int = 0
    read_here: list[str] = field(default_factory=list)  # files a worker did not see, read by this process

    def add(self, piece: Piece, rows: PieceRows) -> Iterator[pa.Table]:
        if piece.file != self._file:
            self._file, self._line_offset = piece.file, 0
        index_key = piece.read_path if piece.kind == "parquet" else piece.file
        if index_key != self._index_key:
            self._index_key, self._index_offset = index_key, 0
        lines, indexes = self._line_offset, self._index_offset
        report = self.report
        for path, line, message in rows.unreadable:
            if len(report.unreadable_examples) < 5:
                shifted = None if line is None else line + lines
                report.unreadable_examples.append(f"{path}:{shifted}: {message}")
        report.rows_unreadable += rows.rows_unreadable
        report.rows_read += rows.rows_read
        if rows.rows_read:
            report.reasoning_mode = self.reasoning_mode
        report.reasoning_turns += rows.reasoning_turns
        for value, n in rows.unmapped_values.items():
            report.unmapped_values[value] = report.unmapped_values.get(value, 0) + n
        final = self._unique_ids(piece, rows.ids, lines, indexes)
        offset, base = 0, pa.scalar(self.row, pa.int64())
        for table in rows.tables:
            n = table.num_rows
            shifted = pc.add(table.column("_row"), base)  # the piece's rows count from 0
            table = table.set_column(table.schema.get_field_index("_row"), "_row", shifted)
            changed = final[offset : offset + n]
            if any(new is not None for new in changed):
                old = table.column("id").to_pylist()
                new_ids = [o if c is None else c for o, c in zip(old, changed, strict=True)]
                table = table.set_column(table.schema.get_field_index("id"), "id", pa.array(new_ids, pa.string()))
            offset += n
            self.row += n
            yield table
        self._line_offset += rows.lines
        self._index_offset += rows.rows

    def _unique_ids(self, piece: Piece, read: list[tuple[str, str]], lines: int, indexes: int) -> list[str | None]:
        """The source-unique id of each row where it differs from the id as read, else None."""
        ids = self.report.ids
        out: list[str | None] = []
        for row_id, suffix in read:
            kind, at = suffix[0], int(suffix[1:])
            if kind == "L":
                at += lines
                where = f"{piece.file}:{at}"
            else:
                at += indexes
                where = f"{piece.read_path} row {at}"
            record = ids.unique({"id": row_id}, where, f"{kind}{at}")
            out.append(None if record["id"] == row_id else record["id"])
        return out


def read_in_pieces(engine, jobs: list[ReadJob], assembler: Assembler) -> Iterator[pa.Table]:
    """The annotated batches of a source's pieces, read on `engine`'s workers and numbered here, in order."""
    for job, rows in zip(jobs, engine.map_ordered(read_piece, jobs), strict=True):
        if rows is None:  # this process sees the file (it planned the pieces) but that worker did not
            rows = read_piece(job)
            if rows is None:
                raise DataError(
                    f"{job.piece.file} changed while the build read it (its size or modification time differ from "
                    "when the build planned its pieces); rerun the build once the file is complete"
                )
            if job.piece.file not in assembler.read_here:
                assembler.read_here.append(job.piece.file)
        yield from assembler.add(job.piece, rows)
