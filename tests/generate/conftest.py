from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # fakeopenai is a helper module of these tests, not a package

from fakeopenai import FakeOpenAI  # noqa: E402


@pytest.fixture
def fake_server():
    """Start FakeOpenAI servers with the given options; all are stopped after the test."""
    started: list[FakeOpenAI] = []

    def start(**options) -> FakeOpenAI:
        server = FakeOpenAI(**options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def endpoint(server: FakeOpenAI, **overrides) -> dict:
    """An endpoint for the fake server with fast backoff and a short timeout (tests stay quick)."""
    return {
        "base_url": server.base_url,
        "model": "fake-model",
        "api_key_env": None,
        "timeout_s": 1.0,
        "backoff_base_s": 0.01,
        "backoff_max_s": 0.05,
        **overrides,
    }


@pytest.fixture
def write_recipe(tmp_path):
    def write(server: FakeOpenAI | None, tasks: list[dict], name: str = "gen-test", **top) -> Path:
        endpoints = top.pop("endpoints", None) or {"teacher": endpoint(server, **top.pop("endpoint", {}))}
        recipe = {
            "name": name,
            "seed": 0,
            "endpoints": endpoints,
            "tasks": tasks,
            "output": str(tmp_path / "out"),
            **top,
        }
        path = tmp_path / "recipe.yaml"
        path.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def generate_process():
    """Start `hermes-data generate RECIPE --no-progress` as a process of its own (so a test can SIGKILL it)."""
    root = HERE.parents[1]

    def start(recipe: Path) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "hermes_data.cli", "generate", str(recipe), "--no-progress"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(root)},
        )

    return start
