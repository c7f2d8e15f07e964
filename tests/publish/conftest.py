"""Fixtures for publish/load tests: small build folders, the fake Hub, and the CLI in or out of process."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hermes_data.build.output import REJECTED_SCHEMA, write_build
from hermes_data.record import make_record, records_to_table

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
# Never a real token: the tests grep every written file for it.
FAKE_TOKEN = "hf_fAkEtOkEn0123456789abcdefNEVERWRITTEN"


def _load_fakehub():
    # --import-mode=importlib puts no test folder on sys.path: load the helper module by its path.
    spec = importlib.util.spec_from_file_location("publish_fakehub", HERE / "fakehub.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fakehub = _load_fakehub()


def records(n: int, prefix: str) -> list[dict]:
    return [
        make_record(
            [{"role": "user", "content": f"{prefix} question {i}"}, {"role": "assistant", "content": f"{prefix} {i}"}],
            id=f"{prefix}-{i}",
            category="general",
            source="file:chat.jsonl",
        )
        for i in range(n)
    ]


def write_folder(path: Path, n: int = 5, prefix: str = "row", shard_rows: int = 2) -> dict:
    """A real build folder (through the build's own writer) with `n` rows in shards of `shard_rows`."""
    totals = {"rows": n, "tokens": 10 * n, "input_tokens": 4 * n, "output_tokens": 6 * n}
    return write_build(
        path,
        kept=records_to_table(records(n, prefix)),
        rejected=REJECTED_SCHEMA.empty_table(),
        recipe={"name": "mix", "seed": 0, "mixture": {"unit": "tokens", "weights": {"general": 100.0}}},
        recipe_sha256="0" * 64,
        sources=[{"path": "chat.jsonl", "format": "sharegpt", "resolved": "file:chat.jsonl", "rows_read": n}],
        categories={"general": totals | {"share": 100.0, "target": 100.0}},
        funnel=[],
        totals=totals,
        shard_rows=shard_rows,
        license="apache-2.0",
    )


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under root with its size and mtime: equal snapshots mean nothing was written."""
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()
    }


@pytest.fixture
def fake_hub():
    with fakehub.FakeHub() as hub:
        yield hub


@pytest.fixture
def hub_env(fake_hub, tmp_path) -> dict[str, str]:
    """Environment for a subprocess that talks to the fake Hub through the real clients."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_"))}
    return env | {
        "HF_ENDPOINT": fake_hub.url,
        "HF_HUB_DISABLE_XET": "1",  # the Xet upload protocol is out of reach offline; fakehub answers "regular"
        "HF_TOKEN": FAKE_TOKEN,
        "HF_HOME": str(tmp_path / "hf-home"),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HERMES_CACHE": str(tmp_path / "hermes-cache"),
        "NO_COLOR": "1",
    }


@pytest.fixture
def run_cli():
    """`hermes-data …` (the console script) in a subprocess; returns the CompletedProcess."""

    def run(*args: object, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
        command = [str(BIN / "hermes-data"), *map(str, args)]
        return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=120)

    return run


@pytest.fixture
def run_python():
    """A Python snippet in a subprocess (fresh imports, so HF_ENDPOINT and the caches come from `env`)."""

    def run(code: str, env: dict) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)

    return run


@pytest.fixture
def make_folder():
    return write_folder


@pytest.fixture
def snapshot_of():
    return snapshot


@pytest.fixture
def fake_token() -> str:
    return FAKE_TOKEN


@pytest.fixture
def cli(data_cli):
    """`hermes-data …` in this process (tests/conftest.py::data_cli): (exit code, stdout, stderr)."""
    return data_cli
