"""Seeds at scale (issue 16): streamed from Parquet folders, compressed JSONL and `datasets` streaming; `--limit`
stops the reading; `--shard I/N` splits the items so the shards together are the unsharded run."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hermes_data.errors import DataError, RecipeError
from hermes_data.generate.items import Shard, build_items
from hermes_data.generate.recipe import GenerateRecipe

ENDPOINTS = {"a": {"base_url": "http://x/v1", "model": "m"}, "b": {"base_url": "http://y/v1", "model": "n"}}


def _recipe(task: dict) -> GenerateRecipe:
    return GenerateRecipe.model_validate(
        {"name": "g", "endpoints": ENDPOINTS, "defaults": {"endpoint": "a"}, "tasks": [task], "output": "o"}
    )


def _items(task: dict, **options) -> list:
    recipe = _recipe(task)
    return build_items(recipe, recipe.tasks[0], **options)


def _zstd(data: bytes) -> bytes:
    return pa.compress(data, codec="zstd", asbytes=True)


def _lines(prompts: list[str]) -> bytes:
    return "".join(json.dumps({"prompt": p}) + "\n" for p in prompts).encode()


@pytest.mark.parametrize(
    ("suffix", "compress"), [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress), (".zst", _zstd)]
)
def test_compressed_jsonl_is_read_as_it_is_decompressed(tmp_path, suffix, compress):
    path = tmp_path / f"seeds.jsonl{suffix}"
    path.write_bytes(compress(_lines(["one", "two", "three"])))
    items = _items({"name": "t", "category": "general", "seeds": str(path)})
    assert [i.input for i in items] == ["one", "two", "three"]


def test_a_parquet_folder_is_read_in_file_order_with_the_named_column(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    for n, rows in enumerate((["a0", "a1"], ["b0"])):
        table = pa.table({"text": [f"other {r}" for r in rows], "query": rows, "big": [b"x" * 1000] * len(rows)})
        pq.write_table(table, folder / f"part-{n}.parquet", row_group_size=1)
    task = {"name": "t", "category": "general", "seeds": {"path": str(folder), "column": "query"}}
    assert [i.input for i in _items(task)] == ["a0", "a1", "b0"]
    assert [i.input for i in _items({**task, "seeds": str(folder)})] == ["other a0", "other a1", "other b0"]
    with pytest.raises(DataError, match=r"part-0.parquet: no column 'nope'; columns: text, query, big"):
        _items({**task, "seeds": {"path": str(folder), "column": "nope"}})


def test_limit_stops_reading_the_seeds(tmp_path):
    # A broken line after the limit is never read: the seeds are streamed, not loaded whole.
    path = tmp_path / "seeds.jsonl.gz"
    path.write_bytes(gzip.compress(_lines(["one", "two"]) + b"{not json\n"))
    task = {"name": "t", "category": "general", "seeds": str(path)}
    assert [i.input for i in _items(task, limit=2)] == ["one", "two"]
    with pytest.raises(DataError, match=r"seeds.jsonl.gz:3: not valid JSON"):
        _items(task)


def test_count_beyond_the_seeds_reads_them_again(tmp_path):
    path = tmp_path / "seeds.jsonl"
    path.write_bytes(_lines(["one", "two"]))
    items = _items({"name": "t", "category": "general", "seeds": str(path), "count": 5})
    assert [(i.key, i.input) for i in items] == [
        ("00000", "one"),
        ("00001", "two"),
        ("00002", "one"),
        ("00003", "two"),
        ("00004", "one"),
    ]
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(DataError, match="empty.jsonl: the seeds have no rows"):
        _items({"name": "t", "category": "general", "seeds": str(tmp_path / "empty.jsonl"), "count": 5})


def test_shards_partition_the_items_and_follow_the_limit():
    task = {"name": "c", "category": "coding", "seeds": [f"p{i}" for i in range(7)], "endpoints": ["a", "b"]}
    whole = [i.key for i in _items(task)]
    shards = [[i.key for i in _items(task, shard=Shard(k, 3))] for k in range(3)]
    assert sorted(sum(shards, [])) == sorted(whole) and len(whole) == 14
    assert all(set(a).isdisjoint(b) for a in shards for b in shards if a is not b)
    limited = [[i.key for i in _items(task, limit=5, shard=Shard(k, 2))] for k in range(2)]
    assert sorted(sum(limited, [])) == sorted(i.key for i in _items(task, limit=5))


@pytest.mark.parametrize("text", ["2/2", "-1/2", "1", "a/b", "0/0"])
def test_a_bad_shard_is_one_line(text):
    with pytest.raises(RecipeError, match=r"--shard .*: give I/N with 0 <= I < N"):
        Shard.parse(text)


def test_a_tools_column_gives_each_item_its_own_tool_list(tmp_path):
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]
    path = tmp_path / "fc.jsonl"
    path.write_text(json.dumps({"prompt": "Use f.", "tools": tools}) + "\n" + json.dumps({"prompt": "x"}) + "\n")
    task = {"name": "t", "generator": "tool_episode", "category": "tool_use", "seeds": str(path)}
    first = _items({**task, "tools_column": "tools"}, limit=1)[0]
    assert json.loads(first.tools) == tools and first.input == "Use f."
    with pytest.raises(DataError, match=r"fc.jsonl:2: 'tools' is empty"):
        _items({**task, "tools_column": "tools"})
    with pytest.raises(ValueError, match="tools_column reads each seed row's tool list"):
        _recipe({**task, "seeds": ["inline"], "tools_column": "tools"})
