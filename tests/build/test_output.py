"""The build folder writer: layout, loading with `datasets`, atomic replacement, nothing complete after a failure."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hermes_data.build.output import REJECTED_SCHEMA, write_build
from hermes_data.dataset.manifest import verify_folder
from hermes_data.errors import DataError
from hermes_data.record import FIELDS, RECORD_SCHEMA, make_record, records_to_table


def _records(n: int, prefix: str = "row") -> list[dict]:
    return [
        make_record(
            [{"role": "user", "content": f"{prefix} question {i}"}, {"role": "assistant", "content": f"answer {i}"}],
            id=f"{prefix}-{i}",
            category="general",
            source="file:chat.jsonl",
        )
        for i in range(n)
    ]


def _rejected(n: int) -> pa.Table:
    table = records_to_table(_records(n, "dropped"))
    table = table.append_column("stage", pa.array(["refusals"] * n, pa.string()))
    table = table.append_column("reason", pa.array(["refusal"] * n, pa.string()))
    return table.append_column("detail", pa.array(['{"rule": "apology_decline"}'] * n, pa.string()))


def _write(output: Path, kept: pa.Table, rejected: pa.Table | None = None, **changes) -> dict:
    rows = kept.num_rows
    kwargs = {
        "kept": kept,
        "rejected": rejected if rejected is not None else REJECTED_SCHEMA.empty_table(),
        "recipe": {"name": "mix", "seed": 0, "mixture": {"unit": "tokens", "weights": {"general": 100.0}}},
        "recipe_sha256": "0" * 64,
        "sources": [{"path": "chat.jsonl", "format": "sharegpt", "resolved": "file:chat.jsonl", "rows_read": rows}],
        "categories": {
            "general": {"rows": rows, "tokens": 10 * rows, "input_tokens": 4 * rows, "output_tokens": 6 * rows}
            | {"share": 100.0, "target": 100.0}
        },
        "funnel": [{"stage": "refusals", "reason": "refusal", "action": "dropped", "rows": 1, "tokens": 9}],
        "totals": {"rows": rows, "tokens": 10 * rows, "input_tokens": 4 * rows, "output_tokens": 6 * rows},
        "shard_rows": 2,
    }
    return write_build(output, **(kwargs | changes))


def _siblings(output: Path) -> list[str]:
    return sorted(p.name for p in output.parent.iterdir())


def test_folder_layout_and_manifest(tmp_path):
    out = tmp_path / "mix"
    manifest = _write(out, records_to_table(_records(5)), _rejected(3), extra={"seconds": 1.5})
    assert [s["path"] for s in manifest["shards"]] == [f"data/train-0000{i}-of-00003.parquet" for i in range(3)]
    assert [s["rows"] for s in manifest["shards"]] == [2, 2, 1]
    assert manifest["format_version"] == 1 and manifest["name"] == "mix" and manifest["seconds"] == 1.5
    assert manifest["created_at"].endswith("+00:00")
    assert json.loads((out / "manifest.json").read_text()) == manifest
    assert (out / "README.md").read_text().startswith("---\n")
    # Rejected rows are sharded like the kept ones, so a build that drops millions of rows stays in bounded files.
    assert [r["path"] for r in manifest["rejected"]] == [
        "rejected/rejected-00000.parquet",
        "rejected/rejected-00001.parquet",
    ]
    rejected = pq.read_table(out / "rejected")
    assert rejected.column("reason").to_pylist() == ["refusal"] * 3
    assert rejected.schema.equals(REJECTED_SCHEMA, check_metadata=False)
    assert pq.read_schema(out / manifest["shards"][0]["path"]).equals(RECORD_SCHEMA, check_metadata=False)
    assert verify_folder(out) == []
    assert _siblings(out) == ["mix"]  # no temporary or backup folder left


def test_empty_rejected_still_has_its_file(tmp_path):
    manifest = _write(tmp_path / "mix", records_to_table(_records(1)))
    assert manifest["rejected"] == [
        {"path": "rejected/rejected-00000.parquet", "rows": 0, "sha256": manifest["rejected"][0]["sha256"]}
        | {"bytes": manifest["rejected"][0]["bytes"]}
    ]
    assert pq.read_table(tmp_path / "mix" / "rejected" / "rejected-00000.parquet").num_rows == 0


def test_datasets_loads_the_folder_through_the_card_configs(tmp_path):
    out = tmp_path / "mix"
    _write(out, records_to_table(_records(5)), _rejected(2))
    cache = str(tmp_path / "hf-cache")
    loaded = datasets.load_dataset(str(out), split="train", cache_dir=cache)
    # Rejected rows sit in the same folder; the card's data_files keep them out of the train split.
    assert loaded["id"] == [f"row-{i}" for i in range(5)]
    assert loaded.column_names == list(FIELDS)
    parquet = datasets.load_dataset("parquet", data_dir=str(out / "data"), split="train", cache_dir=cache)
    assert parquet.num_rows == 5


def test_same_inputs_give_identical_files(tmp_path):
    first = _write(tmp_path / "a", records_to_table(_records(5)))
    second = _write(tmp_path / "b", records_to_table(_records(5)))
    assert {k: v for k, v in first.items() if k != "created_at"} == {
        k: v for k, v in second.items() if k != "created_at"
    }


def test_rebuild_replaces_the_old_folder_without_stale_shards(tmp_path):
    out = tmp_path / "mix"
    _write(out, records_to_table(_records(6)))
    assert len(list((out / "data").iterdir())) == 3
    manifest = _write(out, records_to_table(_records(1, "new")))
    # A leftover train-00001-of-00003 would be picked up by the data_files glob and mix two builds.
    assert sorted(p.name for p in (out / "data").iterdir()) == ["train-00000-of-00001.parquet"]
    assert pq.read_table(out / "data" / "train-00000-of-00001.parquet").column("id").to_pylist() == ["new-0"]
    assert manifest["stats"]["totals"]["rows"] == 1 and verify_folder(out) == []
    assert _siblings(out) == ["mix"]


def _bad_kept(n: int, bad_row: int) -> pa.Table:
    """Rows whose `meta` holds bytes; one is not UTF-8, so casting the shard that holds it to the schema fails."""
    table = records_to_table(_records(n))
    metas = [b"{}"] * n
    metas[bad_row] = b"\xff\xfe"
    return table.set_column(FIELDS.index("meta"), "meta", pa.array(metas, pa.binary()))


def test_bad_kept_table_fixture_fails_only_at_its_shard(tmp_path):
    table = _bad_kept(6, 5)
    table.slice(0, 4).cast(RECORD_SCHEMA)  # the first two shards cast fine: the failure comes midway
    with pytest.raises(pa.ArrowInvalid):
        table.slice(4, 2).cast(RECORD_SCHEMA)


def test_failure_midway_leaves_old_output_intact_and_no_temp_folder(tmp_path):
    out = tmp_path / "mix"
    _write(out, records_to_table(_records(3, "old")))
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(pa.ArrowInvalid):
        _write(out, _bad_kept(6, 5))
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert _siblings(out) == ["mix"]
    assert verify_folder(out) == []


def test_failure_on_a_first_build_leaves_nothing(tmp_path):
    out = tmp_path / "nested" / "mix"
    with pytest.raises(pa.ArrowInvalid):
        _write(out, _bad_kept(6, 5))
    assert not out.exists()
    assert _siblings(out) == []


def test_failure_writing_rejected_rows_leaves_nothing(tmp_path):
    out = tmp_path / "mix"
    no_reason = records_to_table(_records(2, "dropped"))  # lacks stage and reason
    with pytest.raises(KeyError):
        _write(out, records_to_table(_records(4)), no_reason)
    assert _siblings(out) == []


def test_refuses_to_replace_a_folder_that_is_not_a_build(tmp_path):
    out = tmp_path / "mix"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(DataError, match="not a hermes-data build"):
        _write(out, records_to_table(_records(2)))
    assert (out / "notes.txt").read_text() == "mine" and _siblings(out) == ["mix"]


def test_an_empty_existing_folder_is_replaced(tmp_path):
    out = tmp_path / "mix"
    out.mkdir()
    _write(out, records_to_table(_records(2)))
    assert verify_folder(out) == []


def test_extra_keys_cannot_overwrite_manifest_fields(tmp_path):
    with pytest.raises(ValueError, match="content_sha256"):
        _write(tmp_path / "mix", records_to_table(_records(1)), extra={"content_sha256": "x"})
    assert _siblings(tmp_path / "mix") == []
