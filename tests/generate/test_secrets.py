"""The API key reaches the server and nothing else: not the output folder, the journal, the logs or error messages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fakeopenai import ECHO_AUTH

from hermes_data.generate.recipe import load_generate_recipe

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-test-SECRET-4242-do-not-leak"
TASKS = [
    {"name": "tools", "category": "tool_use", "count": 4},
    {"name": "general", "category": "general", "seeds": ["Explain photosynthesis to a ten-year-old."]},
]


def _run(recipe: Path, key: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HERMES_TEST_KEY": key, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "hermes_data.cli", "generate", str(recipe)],  # progress bar on: its text is checked too
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _files_contain(folder: Path, needle: bytes) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


@pytest.mark.slow
def test_key_never_leaks_even_when_the_server_echoes_it(fake_server, write_recipe, tmp_path):
    faults = ("429", "500", "malformed", "empty", ECHO_AUTH)
    server = fake_server(api_key=KEY, fault_rate=0.3, faults=faults, seed=5)
    path = write_recipe(server, TASKS, endpoint={"api_key_env": "HERMES_TEST_KEY"})
    done = _run(path, KEY)
    assert done.returncode == 0, done.stderr
    assert any(e["fault"] == ECHO_AUTH for e in server.log)  # the server did quote the Authorization header
    assert KEY not in done.stdout + done.stderr
    assert _files_contain(tmp_path, KEY.encode()) == []  # output folder, failures.jsonl, manifest, journal, recipe
    failures = (Path(load_generate_recipe(path).output) / "failures.jsonl").read_text()
    assert "bad request from Bearer ***" in failures  # the echoed key shows up redacted


@pytest.mark.slow
def test_wrong_key_error_names_the_variable_not_the_key(fake_server, write_recipe):
    server = fake_server(api_key=KEY)
    path = write_recipe(server, TASKS, endpoint={"api_key_env": "HERMES_TEST_KEY"})
    wrong = "sk-wrong-SECRET-7777"
    done = _run(path, wrong)
    assert done.returncode == 2
    assert "401" in done.stderr and "$HERMES_TEST_KEY" in done.stderr
    assert wrong not in done.stdout + done.stderr and "Traceback" not in done.stderr
