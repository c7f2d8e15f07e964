from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


@pytest.fixture
def cli():
    """Run a console script (`hermes-data`, `hermes-train`) in a subprocess, as a user would."""

    def run(*args: str, script: str = "hermes-data", cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / script), *map(str, args)], capture_output=True, text=True, cwd=cwd)

    return run


@pytest.fixture
def fixtures() -> Path:
    return Path(__file__).resolve().parent.parent / "fixtures"
