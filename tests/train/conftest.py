"""Fixtures shared by the training tests: one small demo build per session (the CLI runs train on it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run a console script of this venv; a failure shows the end of its stderr."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="session")
def cli():
    """`cli("hermes-train", "sft", …, cwd=…)`: run_cli for the test modules (conftest is not importable from them)."""
    return run_cli


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> Path:
    """`hermes-data build demo` cut to 4,000 tokens: 8 packed rows of 512 tokens, 4 steps at global batch 2."""
    folder = tmp_path_factory.mktemp("demo")
    run_cli("hermes-data", "build", str(ROOT / "recipes" / "demo.yaml"), "--set", f"output={folder / 'build'}",
            "--set", "mixture.total=4000", cwd=folder)  # fmt: skip
    return folder / "build"
