"""Seeds streamed from a Hub dataset through `datasets` streaming, against the local fake Hub (tests/publish): the
run reads only what `--limit` needs and stores no copy of the dataset."""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]


def _fakehub():
    # --import-mode=importlib puts no test folder on sys.path: load the publish tests' fake Hub by its path.
    spec = importlib.util.spec_from_file_location("generate_fakehub", ROOT / "tests" / "publish" / "fakehub.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_hub_seeds_are_streamed_and_limited(fake_server, write_recipe, tmp_path):
    server = fake_server()
    with _fakehub().FakeHub() as hub:
        repo = hub.create("org/seeds")
        buf = io.BytesIO()
        table = pa.table({"question": [f"Question {i}?" for i in range(200)], "id": list(range(200))})
        pq.write_table(table, buf, row_group_size=20)
        files = {".gitattributes": b"", "data/train-00000-of-00001.parquet": buf.getvalue()}
        repo.branches["main"] = repo.add_commit(files, "seeds", repo.branches["main"]).oid
        task = {"name": "chat", "category": "content_generation", "seeds": {"hub": "org/seeds", "column": "question"}}
        path = write_recipe(server, [task])
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_"))}
        env |= {"HF_ENDPOINT": hub.url, "HF_HUB_DISABLE_XET": "1", "HF_HOME": str(tmp_path / "hf-home")}
        env |= {"PYTHONPATH": str(ROOT), "HF_HUB_DISABLE_TELEMETRY": "1"}
        command = [sys.executable, "-m", "hermes_data.cli", "generate", str(path), "--limit", "4", "--no-progress"]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    rows = pq.read_table(tmp_path / "out" / "data").to_pylist()
    assert [r["messages"][-2]["content"] for r in rows] == [f"Question {i}?" for i in range(4)]
    cached = [p for p in (tmp_path / "hf-home").rglob("*") if p.is_file() and p.suffix in (".parquet", ".arrow")]
    assert cached == []  # streamed: no download of the dataset into the cache
