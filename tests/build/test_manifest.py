"""content_sha256 over the rows (DESIGN §7) and `verify_folder`, which publish and load reuse."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from hermes_data.build.output import REJECTED_SCHEMA, write_build
from hermes_data.dataset.manifest import content_sha256, file_sha256, verify_folder
from hermes_data.record import canonical_json, make_record, records_to_table


def _table(n: int = 5, *, tweak: int | None = None) -> pa.Table:
    records = [
        make_record(
            [
                {"role": "system", "content": "Vous êtes utile."},
                {"role": "user", "content": f"question {i}"},
                {"role": "assistant", "content": "answer!" if i == tweak else "answer"},
            ],
            id=f"r{i}",
            category="general",
            source="file:x.jsonl",
            documents=[{"id": "0", "title": "t", "text": "doc"}] if i % 2 else None,
            meta={"n": i},
        )
        for i in range(n)
    ]
    return records_to_table(records)


def _build(out: Path, table: pa.Table, shard_rows: int = 2) -> dict:
    rows = table.num_rows
    return write_build(
        out,
        kept=table,
        rejected=REJECTED_SCHEMA.empty_table(),
        recipe={"name": "m"},
        recipe_sha256="0" * 64,
        sources=[],
        categories={"general": {"rows": rows, "tokens": 0, "output_tokens": 0, "share": 100.0, "target": None}},
        funnel=[],
        totals={"rows": rows, "tokens": 0, "input_tokens": 0, "output_tokens": 0},
        shard_rows=shard_rows,
    )


def test_content_hash_is_the_documented_sequence_of_canonical_json_lines():
    table = _table()
    expected = hashlib.sha256()
    for record in table.to_pylist():
        expected.update(canonical_json(record).encode("utf-8") + b"\n")
    assert content_sha256(table) == expected.hexdigest()
    assert content_sha256(table.to_batches(max_chunksize=2)) == expected.hexdigest()


def test_content_hash_sees_one_changed_character_and_the_order():
    table = _table()
    assert content_sha256(_table(tweak=3)) != content_sha256(table)
    assert content_sha256(table.take([1, 0, 2, 3, 4])) != content_sha256(table)


def test_content_hash_ignores_column_order_and_extra_columns():
    table = _table()
    shuffled = table.select(list(reversed(table.column_names))).append_column("stage", pa.array(["x"] * 5))
    assert content_sha256(shuffled) == content_sha256(table)


def test_content_hash_is_independent_of_shard_size(tmp_path):
    one = _build(tmp_path / "one", _table(), shard_rows=1)
    many = _build(tmp_path / "many", _table(), shard_rows=100)
    assert len(one["shards"]) == 5 and len(many["shards"]) == 1
    assert one["content_sha256"] == many["content_sha256"] == content_sha256(_table())


def test_a_reencoded_shard_fails_the_file_hash_but_keeps_the_content_hash(tmp_path):
    out = tmp_path / "m"
    _build(out, _table(), shard_rows=100)
    shard = out / "data" / "train-00000-of-00001.parquet"
    pq.write_table(pq.read_table(shard), shard, compression="zstd", row_group_size=1)
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    assert verify_folder(out)[0].startswith("data/train-00000-of-00001.parquet: sha256")
    # Another Parquet writer setting changes the bytes, not the rows: with the new file hash recorded, all is well.
    manifest["shards"][0] |= {"sha256": file_sha256(shard), "bytes": shard.stat().st_size}
    manifest_path.write_text(json.dumps(manifest))
    assert verify_folder(out) == []


def test_verify_names_a_tampered_shard(tmp_path):
    out = tmp_path / "m"
    _build(out, _table())
    shard = out / "data" / "train-00001-of-00003.parquet"
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0x01
    shard.write_bytes(bytes(data))
    problems = verify_folder(out)
    assert len(problems) == 1 and "train-00001-of-00003.parquet" in problems[0] and "sha256" in problems[0]


def test_verify_names_a_missing_shard(tmp_path):
    out = tmp_path / "m"
    _build(out, _table())
    (out / "data" / "train-00002-of-00003.parquet").unlink()
    assert verify_folder(out) == ["data/train-00002-of-00003.parquet is missing (listed in manifest.json)"]


def test_verify_catches_rows_rewritten_with_a_matching_file_hash(tmp_path):
    out = tmp_path / "m"
    _build(out, _table(), shard_rows=100)
    shard = out / "data" / "train-00000-of-00001.parquet"
    pq.write_table(_table(tweak=0), shard)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["shards"][0]["sha256"] = file_sha256(shard)
    (out / "manifest.json").write_text(json.dumps(manifest))
    [problem] = verify_folder(out)
    assert problem.startswith("content_sha256 of the rows is")


def test_verify_reports_an_unlisted_shard_the_loader_would_pick_up(tmp_path):
    out = tmp_path / "m"
    _build(out, _table())
    pq.write_table(_table(1), out / "data" / "train-extra.parquet")
    assert verify_folder(out) == ["data/train-extra.parquet is not listed in the manifest; remove it or rebuild"]


def test_verify_a_folder_without_manifest_is_incomplete(tmp_path):
    out = tmp_path / "m"
    _build(out, _table())
    (out / "manifest.json").unlink()
    [problem] = verify_folder(out)
    assert "manifest.json is missing" in problem and "incomplete" in problem
    assert verify_folder(tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'} is not a folder"]


def test_verify_refuses_manifest_paths_outside_the_folder(tmp_path):
    out = tmp_path / "m"
    _build(out, _table())
    (tmp_path / "secret.parquet").write_bytes(b"x")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["shards"][0]["path"] = "data/../../secret.parquet"
    (out / "manifest.json").write_text(json.dumps(manifest))
    [problem] = verify_folder(out)
    assert "not a file under data/ or rejected/" in problem


def test_verify_checks_rejected_files_too(tmp_path):
    out = tmp_path / "m"
    _build(out, _table())
    pq.write_table(REJECTED_SCHEMA.empty_table(), out / "rejected" / "rejected-00000.parquet", compression="gzip")
    [problem] = verify_folder(out)
    assert problem.startswith("rejected/rejected-00000.parquet: sha256")


def test_canonical_bytes_are_the_json_module_s_canonical_text():
    """content_sha256 is defined as json.dumps(sorted keys, compact, UTF-8): the fast writer must give those bytes
    for every string a record can hold (control characters, quotes, backslashes, non-ASCII, astral, U+2028)."""
    import json
    import random

    from hermes_data.record import FIELDS, canonical_bytes, canonical_json

    rng = random.Random(7)
    alphabet = [chr(i) for i in range(0x250)] + ["\u2028", "\u2029", "\ufeff", "\U0001f600", "\U0010ffff", "\ue000"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        record = {
            "id": text,
            "category": None,
            "source": "s",
            "model": text[::-1],
            "messages": [{"role": "user", "content": text}, {"role": "assistant", "content": text + '"\\'}],
            "tools": None if len(text) % 2 else text,
            "documents": [{"id": "1", "title": text, "text": text}] if len(text) % 3 else None,
            "meta": "{}",
        }
        expected = json.dumps(
            {k: record.get(k) for k in FIELDS}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
        assert canonical_bytes(record) == expected.encode("utf-8")
        assert canonical_json(record) == expected
