"""Ids are unique within a source: repeats of a given id or of a content id get the row's position as a suffix."""

import json

from hermes_data.formats import UniqueIds, read_records, write_records

HI = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
YO = [{"role": "user", "content": "yo"}, {"role": "assistant", "content": "hey"}]


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


ROWS = [
    {"id": "a", "messages": HI},
    {"id": "a", "messages": YO},  # a given id repeated with other content
    {"messages": HI},
    {"messages": HI},  # the same content without an id: the same content hash
    {"id": "b", "messages": YO},
]


def test_repeated_ids_get_a_line_suffix_and_are_counted(tmp_path):
    ids = UniqueIds()
    records = list(read_records(_jsonl(tmp_path / "d.jsonl", ROWS), ids=ids))
    got = [r["id"] for r in records]
    content = got[2]
    assert got == ["a", "a-L2", content, f"{content}-L4", "b"]
    assert len(set(got)) == len(got)
    assert ids.num_duplicates == 2
    assert ids.example.endswith("d.jsonl:2: id 'a' repeats an earlier row's; renamed 'a-L2'")
    assert "2 rows repeated an id" in ids.summary()


def test_ids_are_deterministic_and_unique_rows_keep_theirs(tmp_path):
    path = _jsonl(tmp_path / "d.jsonl", ROWS)
    assert [r["id"] for r in read_records(path)] == [r["id"] for r in read_records(path)]
    clean = UniqueIds()
    records = list(read_records(_jsonl(tmp_path / "c.jsonl", [ROWS[0], ROWS[4]]), ids=clean))
    assert [r["id"] for r in records] == ["a", "b"] and clean.summary() is None


def test_one_tracker_spans_the_files_of_a_source(tmp_path):
    ids = UniqueIds()
    first = list(read_records(_jsonl(tmp_path / "one.jsonl", ROWS[:1]), ids=ids))
    second = list(read_records(_jsonl(tmp_path / "two.jsonl", ROWS[:1]), ids=ids))
    assert [r["id"] for r in first + second] == ["a", "a-L1"]


def test_suffixed_id_that_exists_already_gets_another(tmp_path):
    rows = [{"id": "a-L2", "messages": HI}, {"id": "a", "messages": HI}, {"id": "a", "messages": YO}]
    assert [r["id"] for r in read_records(_jsonl(tmp_path / "d.jsonl", rows))] == ["a-L2", "a", "a-L3"]
    rows = [{"id": "a", "messages": HI}, {"id": "a-L2", "messages": HI}, {"id": "a", "messages": YO}]
    assert [r["id"] for r in read_records(_jsonl(tmp_path / "e.jsonl", rows))] == ["a", "a-L2", "a-L3"]


def test_parquet_rows_get_a_row_index_suffix(tmp_path):
    path = tmp_path / "d.parquet"
    # Written from records that already share an id (as another tool might write them).
    records = [{**r, "id": "same"} for r in read_records(_jsonl(tmp_path / "d.jsonl", ROWS[:2]))]
    write_records(iter(records), str(path), "parquet")
    assert [r["id"] for r in read_records(str(path))] == ["same", "same-R1"]
