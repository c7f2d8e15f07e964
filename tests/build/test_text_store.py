"""The build's text store: the rows' text spilled batch by batch and read back by `_row`, so curation holds compact
columns only and the output is the same."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest
from rich.console import Console

from hermes_data.build.pipeline import COMPACT_SCHEMA, curate
from hermes_data.build.recipe import load_recipe
from hermes_data.build.text_store import TEXT_COLUMNS, Joined, TextStore, without_text
from hermes_data.resources import recipe_path
from hermes_data.tokenizer import load_tokenizer


def _batch(start: int, n: int) -> pa.Table:
    rows = list(range(start, start + n))
    return pa.table(
        {
            "messages": [[{"role": "user", "content": f"text of row {r}"}] for r in rows],
            "tools": [None if r % 2 else f"[tool {r}]" for r in rows],
            "documents": [None] * n,
            "meta": [f'{{"row": {r}}}' for r in rows],
            "_row": pa.array(rows, pa.int64()),
            "category": ["general"] * n,
        }
    )


def _spilled(tmp_path, sizes=(5, 3, 7)) -> TextStore:
    store = TextStore.spill(tmp_path)
    start = 0
    for n in sizes:
        store.add(_batch(start, n))
        start += n
    store.finish()
    return store


def _texts(table: pa.Table) -> list[str]:
    return [m[0]["content"] for m in table.column("messages").to_pylist()]


def test_take_returns_the_rows_text_in_the_order_asked(tmp_path):
    store = _spilled(tmp_path)
    rows = np.array([14, 0, 5, 6, 4, 4, 9])
    taken = store.take(rows)
    assert taken.column_names == list(TEXT_COLUMNS)
    assert _texts(taken) == [f"text of row {r}" for r in rows]
    assert taken.column("tools").to_pylist() == [None if r % 2 else f"[tool {r}]" for r in rows]
    assert store.take(np.array([], dtype=np.int64)).num_rows == 0


def test_chunks_join_compact_rows_with_their_text_one_spilled_batch_at_a_time(tmp_path):
    store = _spilled(tmp_path)
    compact = without_text(pa.concat_tables([_batch(0, 5), _batch(5, 3), _batch(8, 7)]))
    live = compact.filter(pa.array([r % 3 != 0 for r in range(15)]))  # what a stage's survivors look like
    pieces = list(store.chunks(live))
    assert len(pieces) == 3  # one per spilled batch that still has rows
    joined = pa.concat_tables(pieces)
    assert joined.column("_row").to_pylist() == live.column("_row").to_pylist()
    assert _texts(joined) == [f"text of row {r}" for r in live.column("_row").to_pylist()]
    assert "category" in joined.column_names and "messages" in joined.column_names


def test_a_batch_that_does_not_continue_the_rows_is_refused(tmp_path):
    store = TextStore.spill(tmp_path)
    store.add(_batch(0, 4))
    with pytest.raises(ValueError, match="do not continue"):
        store.add(_batch(5, 2))


def test_a_persisted_spill_file_is_read_back_by_a_new_store(tmp_path):
    store = _spilled(tmp_path)
    starts = store.persist(tmp_path / "kept.arrow")
    assert _texts(store.take(np.array([3])))  # the moved file is still this store's
    store.close()
    assert (tmp_path / "kept.arrow").exists()  # the cache owns it now
    again = TextStore.open(tmp_path / "kept.arrow", starts)
    assert _texts(again.take(np.array([14, 3, 8]))) == ["text of row 14", "text of row 3", "text of row 8"]


def test_joined_slices_and_the_spill_folder_goes_with_the_store(tmp_path):
    store = _spilled(tmp_path)
    compact = without_text(pa.concat_tables([_batch(0, 5), _batch(5, 3), _batch(8, 7)])).take(pa.array([9, 2, 2, 14]))
    view = Joined(compact, store)
    assert view.num_rows == 4
    assert _texts(view.slice(1, 2).load()) == ["text of row 2", "text of row 2"]
    assert view.slice(0).num_rows == 4
    # Pickled for a worker, a slice carries the file's path and joins from the file there.
    travelled = pickle.loads(pickle.dumps(view.slice(0)))
    assert travelled._store is None and travelled.load().equals(view.slice(0).load())
    elsewhere = pickle.loads(pickle.dumps(view.slice(0)))
    elsewhere._location = (str(tmp_path / "not-on-this-node.arrow"), *elsewhere._location[1:])
    assert elsewhere.load() is None  # the writer then encodes that shard in the build's process
    other_file = pickle.loads(pickle.dumps(view.slice(0)))
    size, mtime = other_file._location[2]
    other_file._location = (other_file._location[0], other_file._location[1], (size + 1, mtime))
    assert other_file.load() is None  # a file of another size at that path on a node is not the driver's


def test_a_slice_travels_with_its_own_rows_not_the_whole_table(tmp_path):
    store = _spilled(tmp_path, sizes=(4096,) * 4)
    compact = without_text(pa.concat_tables([_batch(0, 4096 * 4)])).combine_chunks()
    compact = compact.append_column("pad", pa.array(["x" * 200] * compact.num_rows))
    whole = len(pickle.dumps(compact))
    assert len(pickle.dumps(compact.slice(100, 50))) > whole / 2  # what pyarrow does with a bare slice
    assert len(pickle.dumps(Joined(compact, store).slice(100, 50))) < whole / 50
    pieces = list(store.chunks(compact.slice(4000, 200)))
    assert [p.num_rows for p in pieces] == [96, 104] and all(len(pickle.dumps(p)) < whole / 20 for p in pieces)
    (folder,) = tmp_path.glob("spill-*")
    store.close()
    assert not folder.exists()


def test_spill_folders_of_killed_builds_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f"spill-{dead.stdout.strip()}-abc"
    stale.mkdir()
    (stale / "text.arrow").write_bytes(b"x")
    mine = TextStore.spill(tmp_path)
    assert not stale.exists()
    assert [p.name for p in tmp_path.iterdir()] == [f"spill-{os.getpid()}-{mine._folder.name.split('-')[2]}"]


def test_curation_holds_compact_columns_and_the_text_comes_back_at_the_write(tmp_path, monkeypatch):
    monkeypatch.setenv("HERMES_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    recipe = load_recipe(recipe_path("demo"), {"output": str(tmp_path / "out")})
    curated = curate(recipe, load_tokenizer(recipe.tokenizer), Console(quiet=True))
    assert curated.table.schema == COMPACT_SCHEMA  # no messages, tools, documents or meta in memory
    assert all(t.schema.names[: len(COMPACT_SCHEMA)] == COMPACT_SCHEMA.names for t in curated.rejected)
    joined = curated.text.join(curated.table)
    assert joined.num_rows == curated.table.num_rows
    assert all(m for m in joined.column("messages").to_pylist())
    (entry,) = (tmp_path / "cache" / "builds").iterdir()
    assert (entry / "text.arrow").stat().st_size > 0  # the spill file moved into the cache entry, not rewritten
    (spill,) = (tmp_path / "cache" / "spill").glob("spill-*")
    curated.text.close()
    assert not spill.exists()
    again = curate(recipe, load_tokenizer(recipe.tokenizer), Console(quiet=True))  # a cache hit
    assert again.cached and again.table.equals(curated.table)
    assert again.text.join(again.table).column("messages").equals(joined.column("messages"))


def test_a_cache_folder_that_cannot_be_written_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    env = {**os.environ, "HERMES_CACHE": str(blocker)}
    out = tmp_path / "o"
    done = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "hermes-data"), "build", "demo", "--set", f"output={out}"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().count("\n") == 0 and "HERMES_CACHE" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


WHOLE: list[bool] = []


def _blind_workers(fn, items):
    """An engine's map_ordered whose workers sit on another node: the spill file is not there for them."""
    for job in items:
        travelled = pickle.loads(pickle.dumps(job))
        WHOLE.append(isinstance(travelled.rows, pa.Table))
        if not WHOLE[-1]:
            travelled.rows._location = ("/not/on/this/node/text.arrow", [], (0, 0))
        yield fn(travelled)


def _local_workers(fn, items):
    for job in items:
        yield fn(pickle.loads(pickle.dumps(job)))


def test_shards_are_the_same_files_encoded_here_by_workers_or_after_a_worker_could_not(tmp_path):
    from hermes_data.dataset.folder import write_shards
    from hermes_data.dataset.manifest import ContentHasher

    store = _spilled(tmp_path / "spill", sizes=(5, 3, 7, 6))
    compact = without_text(pa.concat_tables([_batch(0, 5), _batch(5, 3), _batch(8, 7), _batch(15, 6)]))
    compact = compact.take(pa.array([20, 3, 9, 0, 14, 2, 17, 5, 11]))
    schema = pa.schema([f for f in _batch(0, 1).schema if f.name in ("messages", "meta", "category", "_row")])
    results = {}
    for name, map_ordered in (("here", None), ("workers", _local_workers), ("blind", _blind_workers)):
        out = tmp_path / name
        out.mkdir()
        hasher = ContentHasher(fields=("messages", "meta", "category"))
        entries = write_shards(out, Joined(compact, store), 4, schema, "data", "s-{i}", hasher, map_ordered)
        files = [(out / e["path"]).read_bytes() for e in entries]
        results[name] = (hasher.hexdigest(), files, [e["rows"] for e in entries])
    assert results["here"] == results["workers"] == results["blind"]
    assert WHOLE == [False, True, True]  # after the first shard came back unencoded, the next ones went whole
    assert results["here"][2] == [4, 4, 1]


def test_a_cached_store_whose_file_path_is_replaced_still_writes(tmp_path):
    """Another build replacing the same cache entry removes the path this store reads through its open handle: the
    slices still load here, and a worker is told the file at that path is not this store's."""
    store = _spilled(tmp_path / "spill")
    starts = store.persist(tmp_path / "text.arrow")
    cached = TextStore.open(tmp_path / "text.arrow", starts)
    os.remove(tmp_path / "text.arrow")
    compact = without_text(pa.concat_tables([_batch(0, 5), _batch(5, 3), _batch(8, 7)]))
    piece = Joined(compact, cached).slice(0, 4)
    assert _texts(piece.load()) == [f"text of row {r}" for r in range(4)]
    assert pickle.loads(pickle.dumps(piece)).load() is None
