"""The curated-table cache: a complete entry is reused, anything unreadable is a miss, never a crash."""

from __future__ import annotations

import pyarrow as pa

from hermes_data.build import cache
from hermes_data.build.text_store import TextStore


def test_saved_entry_loads_and_a_damaged_one_is_a_miss(tmp_path, monkeypatch):
    monkeypatch.setenv("HERMES_CACHE", str(tmp_path))
    key = cache.curated_key({"filters": {"min_tokens": 1}}, ["abc"])
    table = pa.table({"id": ["a", "b"], "_row": pa.array([0, 1], pa.int64())})
    store = TextStore.spill(tmp_path / "spill")
    store.add(
        table.append_column("messages", pa.array([[], []], pa.list_(pa.struct([("role", pa.string())]))))
        .append_column("tools", pa.array(["t0", "t1"]))
        .append_column("documents", pa.array([None, None]))
        .append_column("meta", pa.array(["{}", "{}"]))
    )
    store.finish()
    cache.save(key, table, table.slice(0, 0), store, {"stages": []})
    curated, rejected, text, state = cache.load(key)
    assert curated.column("id").to_pylist() == ["a", "b"] and rejected.num_rows == 0 and state == {"stages": []}
    assert text.take([1, 0]).column("tools").to_pylist() == ["t1", "t0"]

    (cache.entry_dir(key) / "curated.parquet").write_bytes(b"not parquet")
    assert cache.load(key) is None


def test_key_covers_the_recipe_the_inputs_and_the_code():
    base = cache.curated_key({"filters": {"min_tokens": 1}}, ["abc"])
    assert base != cache.curated_key({"filters": {"min_tokens": 2}}, ["abc"])
    assert base != cache.curated_key({"filters": {"min_tokens": 1}}, ["abd"])
    assert len(cache.code_fingerprint()) == 64 and cache.code_fingerprint() == cache.code_fingerprint()
