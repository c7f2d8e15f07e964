"""The Ray engine on a real two-node Ray cluster started on this machine (`ray.cluster_utils.Cluster`): ordered
results equal to the inline engine's on the build's real per-batch work, a worker that dies is one EngineError, and
`hermes-data build --engine ray` gives the local build's content_sha256. One cluster for the whole module."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import ray  # the ray extra: CI installs it (.[dev,train,eval,ray])
from ray.cluster_utils import Cluster

from hermes_data.build.annotate import AnnotateJob, annotate_batch
from hermes_data.engine import EngineError, InlineEngine
from hermes_data.engine.ray_engine import RayEngine
from hermes_data.errors import DataError
from hermes_data.formats import read_records
from hermes_data.sample import sample_path

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]
# The functions below are defined in this test module, which the cluster's workers cannot import: ship them by value.
ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module")
def cluster():
    store = 80 * 1024 * 1024  # the smallest object store Ray accepts; the batches here are small
    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "object_store_memory": store, "include_dashboard": False},
    )
    cluster.add_node(num_cpus=1, object_store_memory=store)
    cluster.wait_for_nodes()
    yield cluster
    if ray.is_initialized():
        ray.shutdown()
    cluster.shutdown()


@pytest.fixture(scope="module")
def engine(cluster):
    with RayEngine(address=cluster.address) as engine:
        yield engine


def _small_batches(rows: int, size: int):
    """The sample's rows in batches of `size`, so a few dozen rows make enough tasks for both nodes."""
    records = list(read_records(str(sample_path("conversations.jsonl"))))[:rows]
    for start in range(0, len(records), size):
        yield AnnotateJob(records[start : start + size], 0, start, ("python_literal",), (), "llama3")


def test_annotated_batches_equal_the_inline_engine_in_order(engine):
    inline = list(InlineEngine().map_ordered(annotate_batch, _small_batches(60, 5)))
    on_ray = list(engine.map_ordered(annotate_batch, _small_batches(60, 5)))
    assert len(on_ray) == len(inline) == 12
    for a, b in zip(on_ray, inline, strict=True):
        assert a.equals(b)  # same rows, same token counts (the real tokenizer, loaded in each worker)
    rows = [r for table in on_ray for r in table.column("_row").to_pylist()]
    assert rows == list(range(60))
    assert sum(t.column("_output_tokens").to_pylist()[0] > 0 for t in on_ray) == 12


def _node_of(_: int) -> str:
    import time

    time.sleep(0.2)  # long enough that one node cannot take every task before the other starts
    return ray.get_runtime_context().get_node_id()


def test_describe_and_tasks_spread_over_both_nodes(engine):
    assert engine.describe() == {"engine": "ray", "workers": 2, "nodes": 2}
    nodes = set(engine.map_ordered(_node_of, range(8)))
    assert len(nodes) == 2


def _die(x: int) -> int:
    if x == 3:
        os._exit(1)  # the worker process dies mid-task, as an OOM kill would end it
    return x


def test_a_worker_that_dies_is_one_engine_error_not_a_hang(cluster, engine):
    fragile = RayEngine(address=cluster.address, retries=0)  # joins the driver's connection; retries cost seconds
    with pytest.raises(EngineError, match="a worker died while running a batch") as caught:
        list(fragile.map_ordered(_die, range(6)))
    assert "\n" not in str(caught.value)
    assert list(engine.map_ordered(_die, [0, 1, 2])) == [0, 1, 2]  # the cluster keeps serving


def _bad_row(x: int) -> int:
    if x == 2:
        raise DataError(f"row {x}: broken")
    return x


def test_an_error_raised_by_the_function_comes_back_as_itself(engine):
    with pytest.raises(DataError, match="row 2: broken"):
        list(engine.map_ordered(_bad_row, range(5)))


def _build(tmp_path: Path, name: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, HERMES_CACHE=str(tmp_path / f"cache-{name}"), PYTHONPATH=str(REPO))  # no cache hits
    out = tmp_path / name
    return subprocess.run(
        [str(BIN / "hermes-data"), "build", "demo", "--set", f"output={out}", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_build_on_the_cluster_and_on_a_local_ray_equals_the_local_build(cluster, tmp_path):
    local = _build(tmp_path, "local", "--workers", "1")  # the inline reference
    assert local.returncode == 0, local.stderr
    on_cluster = _build(tmp_path, "cluster", "--engine", "ray", "--address", cluster.address)
    assert on_cluster.returncode == 0, on_cluster.stderr
    # No address: a private one-CPU Ray instance, not the cluster this module runs (which `ray.init()` would join).
    on_local_ray = _build(tmp_path, "ray-local", "--engine", "ray", "--workers", "1")
    assert on_local_ray.returncode == 0, on_local_ray.stderr
    a = json.loads((tmp_path / "local" / "manifest.json").read_text())
    assert a["engine"] == {"engine": "local", "workers": 1}
    for name, engine in (("cluster", {"workers": 2, "nodes": 2}), ("ray-local", {"workers": 1, "nodes": 1})):
        b = json.loads((tmp_path / name / "manifest.json").read_text())
        assert b["content_sha256"] == a["content_sha256"]
        assert b["funnel"] == a["funnel"] and b["stats"] == a["stats"]
        assert b["engine"] == {"engine": "ray", **engine}
        for part in ("data", "rejected"):  # the same shard bytes; rejected rows' dedup details name the same ids
            files = sorted(p.name for p in (tmp_path / "local" / part).iterdir())
            assert files == sorted(p.name for p in (tmp_path / name / part).iterdir())
            for file in files:
                assert (tmp_path / name / part / file).read_bytes() == (tmp_path / "local" / part / file).read_bytes()


def _pieces_recipe(tmp_path: Path) -> Path:
    """Sources the workers read in pieces: a JSON Lines file of about 3 MB (byte ranges) with an id that repeats
    across them and a malformed line, and a Parquet file of several row groups."""
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(0)

    def words(n: int) -> str:
        return " ".join("".join(rng.choice("abcdefghiklmnoprstu") for _ in range(rng.randint(2, 8))) for _ in range(n))

    rows = [
        {
            "id": "repeated" if i % 1000 == 5 else f"r{i}",
            "category": rng.choice(["general", "coding"]),
            "conversations": [
                {"from": "human", "value": f"Question {i}: {words(8)}"},
                {"from": "gpt", "value": words(rng.randint(30, 90))},
            ],
        }
        for i in range(7_000)
    ]
    lines = [json.dumps(r) for r in rows]
    lines.insert(3_500, '{"conversations": [')
    (tmp_path / "chat.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = pa.Table.from_pylist(
        [{"id": f"p{i}", "conversations": r["conversations"]} for i, r in enumerate(rows[:5_000])]
    )
    pq.write_table(table, tmp_path / "more.parquet", row_group_size=1_200)
    recipe = {
        "name": "pieces",
        "sources": [
            {"path": str(tmp_path / "chat.jsonl"), "category_column": "category"},
            {"path": str(tmp_path / "more.parquet"), "category": "general"},
        ],
        "filters": {"min_tokens": 8},
        "dedup": {"exact": True, "near": {"threshold": 0.8}},
        "mixture": {"weights": {"general": 70, "coding": 30}, "unit": "tokens"},
        "shard_rows": 2_000,
    }
    path = tmp_path / "recipe.yaml"
    path.write_text(json.dumps(recipe), encoding="utf-8")
    return path


def test_sources_read_in_pieces_on_the_cluster_give_the_local_build(cluster, tmp_path):
    recipe = _pieces_recipe(tmp_path)

    def build(name: str, *args: str) -> Path:
        env = dict(os.environ, HERMES_CACHE=str(tmp_path / f"cache-{name}"), PYTHONPATH=str(REPO))
        out = tmp_path / name
        cmd = [str(BIN / "hermes-data"), "build", str(recipe), "--set", f"output={out}", *args]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        return out

    local, on_cluster = (
        build("local", "--workers", "1"),
        build("cluster", "--engine", "ray", "--address", cluster.address),
    )
    a, b = (json.loads((out / "manifest.json").read_text()) for out in (local, on_cluster))
    assert b["content_sha256"] == a["content_sha256"] and b["sources"] == a["sources"] and b["funnel"] == a["funnel"]
    assert a["sources"][0]["duplicate_ids"]["rows"] == 6 and a["sources"][0]["rows_unreadable"] == 1
    for part in ("data", "rejected"):
        files = sorted(p.name for p in (local / part).iterdir())
        assert len(files) >= (3 if part == "data" else 1)
        assert [(on_cluster / part / f).read_bytes() for f in files] == [(local / part / f).read_bytes() for f in files]


def test_an_address_nothing_answers_is_one_line_and_writes_nothing(tmp_path):
    done = _build(tmp_path, "bad", "--engine", "ray", "--address", "127.0.0.1:9")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "127.0.0.1:9" in lines[0] and "ray start --head" in lines[0], done.stderr
    assert not (tmp_path / "bad").exists()


def test_without_ray_installed_the_engine_is_one_line_error(tmp_path):
    # A Python where `import ray` fails, as on a machine without the extra.
    code = (
        "import sys; sys.modules['ray'] = None; from hermes_data.cli import main; "
        f"sys.argv = ['hermes-data', 'build', 'demo', '--engine', 'ray', '--set', 'output={tmp_path / 'x'}']; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(REPO))
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: --engine ray needs Ray: install the extra with pip install 'hermes-toolkit[ray]' (on every node)"
    ]
    assert not (tmp_path / "x").exists()


def _near_dup_table():
    """The sample's conversations and, for every third one, a copy whose answer lost one word and gained another:
    near duplicates the stage must find, spread over several batches so both nodes make keys."""
    import pyarrow as pa

    records = list(read_records(str(sample_path("conversations.jsonl"))))[:90]
    rows = []
    for i, record in enumerate(records):
        rows.append({"id": f"r{i}", "messages": record["messages"], "_model_rank": 0})
        if i % 3 == 0:
            messages = [dict(m) for m in record["messages"]]
            words = messages[-1]["content"].split(" ")
            messages[-1]["content"] = " ".join(words[1:] + ["indeed"])
            rows.append({"id": f"r{i}-copy", "messages": messages, "_model_rank": 1})
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("messages", pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))),
            ("_model_rank", pa.int32()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema).combine_chunks().to_batches(max_chunksize=16)


def test_near_dedup_on_the_cluster_finds_the_same_duplicates(engine):
    import pyarrow as pa

    from hermes_data.dedup.near import near_dedup_stage
    from hermes_data.dedup.spec import NearDedupSpec

    table = pa.Table.from_batches(_near_dup_table())
    spec = NearDedupSpec(threshold=0.8)
    inline = near_dedup_stage(table, spec, 0)
    on_ray = near_dedup_stage(table, spec, 0, engine)
    assert (~inline.keep).sum() >= 20  # the copies (long enough answers) were found...
    assert on_ray.keep.tolist() == inline.keep.tolist()  # ...and the same ones, naming the same kept rows
    assert on_ray.details == inline.details


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--address", "127.0.0.1:6379"], "--address joins a Ray cluster: add --engine ray"),
        (["--engine", "spark"], "--engine 'spark': use local or ray"),
        (["--engine", "ray", "--workers", "0"], "--workers 0: must be at least 1"),
    ],
)
def test_engine_flags_that_cannot_work_are_one_line_errors(tmp_path, args, message):
    done = _build(tmp_path, "flags", *args)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"error: {message}"]
    assert not (tmp_path / "flags").exists()
