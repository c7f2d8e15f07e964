"""Sources read in pieces on worker processes give the rows, ids, line numbers and source report of reading them
in one stream here: the pieces are cut where they really fall (JSON Lines byte ranges, Parquet row ranges across
row groups), with what makes numbering hard placed across the cuts (repeated ids, malformed and blank lines, a BOM)."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hermes_data.build.annotate import annotate
from hermes_data.build.read_pieces import Assembler, ReadJob, plan_pieces, read_in_pieces, read_piece
from hermes_data.build.recipe import SourceSpec
from hermes_data.build.sources import iter_source
from hermes_data.engine import InlineEngine
from hermes_data.engine.local import LocalEngine
from hermes_data.io.sources import SourceReport, resolve_paths
from hermes_data.tokenizer import load_tokenizer

TOKENIZER = "llama3"
OPTIONS = {"repairs": ("python_literal",), "model_priority": ("teacher-a",)}


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer(TOKENIZER)


@pytest.fixture(scope="module")
def engine():
    with LocalEngine(2) as local:
        yield local


def _words(rng: random.Random, n: int) -> str:
    return " ".join("".join(rng.choice("abcdefghijklmnoprstu") for _ in range(rng.randint(2, 8))) for _ in range(n))


def _row(rng: random.Random, i: int) -> dict:
    row = {
        "category": rng.choice(["general", "coding", "math", "not-a-slug"]),
        "model": rng.choice(["teacher-a", "teacher-b"]),
        "conversations": [
            {"from": "human", "value": f"Question {i}: {_words(rng, 8)}"},
            {"from": "gpt", "value": f"<think>{_words(rng, 5)}</think>{_words(rng, rng.randint(40, 120))}"},
        ],
    }
    if i % 7:  # every seventh row has no id of its own (it gets the hash of its content)
        row["id"] = f"r{i}"
    return row


def _jsonl_lines(rng: random.Random, rows: int) -> list[str]:
    lines = []
    for i in range(rows):
        row = _row(rng, i)
        if i % 500 == 250:
            row["id"] = "r10"  # a repeat of an early id, far from it: in another piece
        if i == 3000:
            row["id"] = "r10-L12"  # a row whose own id looks like a suffixed one
        lines.append(json.dumps(row))
        if i % 900 == 17:
            lines.append("")  # a blank line: lines and row indexes part ways
        if i % 1100 == 99:
            lines.append('{"conversations": [')  # malformed, reported with its line
    return lines


def _read_both(spec: SourceSpec, tokenizer, engine, *, source_index: int = 0, start_row: int = 0):
    paths = resolve_paths(spec)
    one = SourceReport(path=spec.path, format=spec.format, resolved="x")
    stream = list(
        annotate(
            iter_source(spec, one, paths),
            tokenizer,
            source_index=source_index,
            start_row=start_row,
            repairs=OPTIONS["repairs"],
            model_priority=list(OPTIONS["model_priority"]),
        )
    )
    pieces = plan_pieces(spec, paths, workers=2)
    assert pieces is not None
    jobs = [ReadJob(p, spec, source_index, *OPTIONS.values(), TOKENIZER) for p in pieces]
    two = SourceReport(path=spec.path, format=spec.format, resolved="x")
    assembler = Assembler(two, start_row, spec.reasoning.mode)
    parts = list(read_in_pieces(engine, jobs, assembler))
    return pa.concat_tables(stream), one, pa.concat_tables(parts), two, pieces


def test_a_jsonl_file_read_in_byte_ranges_equals_the_stream(tmp_path, tokenizer, engine):
    lines = _jsonl_lines(random.Random(0), 7_000)
    path = tmp_path / "chat.jsonl"
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    spec = SourceSpec(path=str(path), category_column="category", reasoning={"mode": "render"})
    stream, one, pieces_table, two, pieces = _read_both(spec, tokenizer, engine, source_index=1, start_row=500)
    assert len(pieces) >= 3 and {p.kind for p in pieces} == {"jsonl"}
    assert pieces_table.equals(stream)
    assert two.as_dict() == one.as_dict()
    report = one.as_dict()
    assert report["duplicate_ids"]["rows"] >= 10 and report["rows_unreadable"] == 7
    assert report["unmapped_values"]
    ids = pieces_table.column("id").to_pylist()
    assert len(set(ids)) == len(ids)
    assert pieces_table.column("_row").to_pylist() == list(range(500, 500 + len(ids)))


def test_parquet_row_groups_and_files_of_a_folder_equal_the_stream(tmp_path, tokenizer, engine):
    rng = random.Random(1)
    folder = tmp_path / "shards"
    folder.mkdir()
    for f in range(3):
        rows = [_row(rng, f * 10_000 + i) for i in range(5_000)]
        rows[4_000]["id"] = "r3"  # repeats a row of the first file
        table = pa.Table.from_pylist(
            [{"id": r.get("id", f"x{f}-{i}"), "conversations": r["conversations"]} for i, r in enumerate(rows)]
        )
        pq.write_table(table, folder / f"part-{f}.parquet", row_group_size=1_500)
    spec = SourceSpec(path=str(folder), format="parquet", category="general")
    stream, one, pieces_table, two, pieces = _read_both(spec, tokenizer, engine)
    assert len(pieces) >= 6 and {p.kind for p in pieces} == {"parquet"}
    assert pieces_table.equals(stream)
    assert two.as_dict() == one.as_dict()
    assert one.as_dict()["duplicate_ids"]["rows"] == 3  # r3 in every file after its own row


def test_a_json_array_and_a_small_file_are_one_piece_each(tmp_path, tokenizer):
    rng = random.Random(2)
    (tmp_path / "a.json").write_text(json.dumps([_row(rng, i) for i in range(50)]), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("\n".join(json.dumps(_row(rng, i)) for i in range(50)), encoding="utf-8")
    spec = SourceSpec(path=str(tmp_path / "*.json*"), format="sharegpt", category="general")
    stream, one, pieces_table, two, pieces = _read_both(spec, tokenizer, InlineEngine())
    assert [p.kind for p in pieces] == ["json", "json"]
    assert pieces_table.equals(stream)
    assert two.as_dict() == one.as_dict()


def test_sources_pieces_cannot_number_are_read_in_one_stream(tmp_path):
    path = tmp_path / "chat.jsonl"
    path.write_text(json.dumps(_row(random.Random(3), 1)) + "\n", encoding="utf-8")
    assert plan_pieces(SourceSpec(path=str(path), limit=10), [str(path)], workers=2) is None
    assert plan_pieces(SourceSpec(path="sample:hermes3-mini"), ["x"], workers=2) is None


class _BlindWorkers:
    """An engine whose workers see another filesystem: the absolute path a piece names is not there for them."""

    workers = 2

    def map_ordered(self, fn, items):
        for job in items:
            yield fn(replace(job, piece=replace(job.piece, where=job.piece.where + ".not-here")))


def test_a_file_the_workers_do_not_see_is_read_here_and_named(tmp_path, tokenizer):
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(_jsonl_lines(random.Random(4), 3_000)) + "\n", encoding="utf-8")
    spec = SourceSpec(path=str(path), category="general")
    pieces = plan_pieces(spec, [str(path)], workers=2)
    jobs = [ReadJob(p, spec, 0, *OPTIONS.values(), TOKENIZER) for p in pieces]
    assert read_piece(replace(jobs[0], piece=replace(pieces[0], where="/nowhere/chat.jsonl"))) is None
    blind = Assembler(SourceReport(path=spec.path, format=None, resolved="x"), 0, "keep")
    seen = Assembler(SourceReport(path=spec.path, format=None, resolved="x"), 0, "keep")
    assert pa.concat_tables(read_in_pieces(_BlindWorkers(), jobs, blind)).equals(
        pa.concat_tables(read_in_pieces(InlineEngine(), jobs, seen))
    )
    assert blind.read_here == [str(path)] and seen.read_here == []


def test_relative_paths_are_opened_absolutely_and_named_as_the_recipe_does(tmp_path, monkeypatch, tokenizer, engine):
    monkeypatch.chdir(tmp_path)
    Path("chat.jsonl").write_text("\n".join(_jsonl_lines(random.Random(5), 3_000)) + "\n", encoding="utf-8")
    spec = SourceSpec(path="chat.jsonl", category="general")
    stream, one, pieces_table, two, pieces = _read_both(spec, tokenizer, engine)
    assert len(pieces) >= 2 and all(p.where == str(tmp_path / "chat.jsonl") for p in pieces)
    assert pieces_table.equals(stream)
    assert set(pieces_table.column("source").to_pylist()) == {"file:chat.jsonl"}
    assert two.unreadable_examples == one.unreadable_examples and one.unreadable_examples[0].startswith("chat.jsonl:")


def test_parquet_row_ranges_across_row_groups_are_the_rows_of_the_whole_file(tmp_path):
    from hermes_data.formats.parquet import read_parquet_file

    rng = random.Random(6)
    rows = [_row(rng, i) for i in range(2_600)]
    table = pa.Table.from_pylist([{"id": f"p{i}", "conversations": r["conversations"]} for i, r in enumerate(rows)])
    pq.write_table(table, tmp_path / "p.parquet", row_group_size=700)
    whole = [r["id"] for r in read_parquet_file(str(tmp_path / "p.parquet"), "s")]
    for start, end in [(0, 2_600), (0, 1), (699, 701), (650, 2_100), (1_400, 1_400), (2_599, 2_600), (2_000, 9_999)]:
        got = [r["id"] for r in read_parquet_file(str(tmp_path / "p.parquet"), "s", (start, end))]
        assert got == whole[start:end], (start, end)


def test_a_large_file_that_cannot_be_cut_is_streamed_not_one_job(tmp_path):
    rng = random.Random(7)
    rows = [_row(rng, i) for i in range(12_000)]
    (tmp_path / "array.json").write_text(json.dumps(rows), encoding="utf-8")  # a JSON array of ~5 MB
    assert (tmp_path / "array.json").stat().st_size > 4 << 20
    spec = SourceSpec(path=str(tmp_path / "array.json"), category="general")
    assert plan_pieces(spec, [str(tmp_path / "array.json")], workers=2) is None
    small = tmp_path / "small.json"
    small.write_text(json.dumps(rows[:100]), encoding="utf-8")
    assert [p.kind for p in plan_pieces(SourceSpec(path=str(small)), [str(small)], workers=2)] == ["json"]


def test_a_worker_whose_file_at_that_path_differs_does_not_read_it(tmp_path):
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(_jsonl_lines(random.Random(8), 3_000)) + "\n", encoding="utf-8")
    spec = SourceSpec(path=str(path), category="general")
    job = ReadJob(plan_pieces(spec, [str(path)], workers=2)[0], spec, 0, *OPTIONS.values(), TOKENIZER)
    assert read_piece(job) is not None
    with path.open("a", encoding="utf-8") as fh:  # a node's stale copy: same path, other bytes
        fh.write(json.dumps(_row(random.Random(9), 1)) + "\n")
    assert read_piece(job) is None


def test_a_file_error_on_a_worker_names_the_file_as_the_recipe_does(tmp_path, monkeypatch, engine):
    from hermes_data.errors import FormatError

    monkeypatch.chdir(tmp_path)
    pq.write_table(pa.table({"foo": list(range(9_000))}), "odd.parquet", row_group_size=3_000)
    spec = SourceSpec(path="odd.parquet", category="general")
    pieces = plan_pieces(spec, ["odd.parquet"], workers=2)
    jobs = [ReadJob(p, spec, 0, *OPTIONS.values(), TOKENIZER) for p in pieces]
    assembler = Assembler(SourceReport(path=spec.path, format=None, resolved="x"), 0, "keep")
    with pytest.raises(FormatError, match=r"^odd\.parquet: columns \['foo'\]"):
        list(read_in_pieces(engine, jobs, assembler))


def test_a_file_that_changes_during_the_build_is_a_clear_error(tmp_path):
    from hermes_data.errors import DataError

    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(_jsonl_lines(random.Random(10), 200)) + "\n", encoding="utf-8")
    spec = SourceSpec(path=str(path), category="general")
    jobs = [ReadJob(p, spec, 0, *OPTIONS.values(), TOKENIZER) for p in plan_pieces(spec, [str(path)], workers=2)]
    with path.open("a", encoding="utf-8") as fh:  # still being written when the build read it
        fh.write(json.dumps(_row(random.Random(11), 1)) + "\n")
    assembler = Assembler(SourceReport(path=spec.path, format=None, resolved="x"), 0, "keep")
    with pytest.raises(DataError, match="changed while the build read it"):
        list(read_in_pieces(InlineEngine(), jobs, assembler))
