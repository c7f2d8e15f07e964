from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BIN = Path(sys.executable).parent


@pytest.fixture
def build_sources(tmp_path):
    """`hermes-data build` in a subprocess over `sources` (files in tmp_path), every filter that could get in the way
    of a small fixture off: no refusals, no dedup, no mixture, min_tokens 1; `settings` are more recipe keys. Returns
    the process and the output."""

    def run(name: str, sources: list[dict], **settings) -> tuple[subprocess.CompletedProcess, Path]:
        out = tmp_path / "out"
        recipe = {
            "name": name,
            "sources": sources,
            "filters": {"min_tokens": 1, "refusals": False},
            "dedup": {"exact": False, "near": None},
            "mixture": None,
            "output": str(out),
            **settings,
        }
        (tmp_path / "recipe.yaml").write_text(yaml.safe_dump(recipe), encoding="utf-8")
        env = {**os.environ, "HERMES_CACHE": str(tmp_path / "cache")}
        result = subprocess.run(
            [str(BIN / "hermes-data"), "build", "recipe.yaml"], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        return result, out

    return run
