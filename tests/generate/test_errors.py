"""A failing `generate` leaves nothing behind and says why in one line (issue 12): bad seeds, an unreachable server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from conftest import endpoint

ROOT = Path(__file__).resolve().parents[2]


def _hermes_data(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from hermes_data.cli import main; main()", *map(str, args)],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _free_port() -> int:
    with socket.socket() as sock:  # bound then closed: nothing listens there while the test runs
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_bad_seed_file_creates_no_journal(fake_server, write_recipe, tmp_path):
    server = fake_server()
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_text('{"prompt": "fine"}\n{not json\n', encoding="utf-8")
    path = write_recipe(server, [{"name": "general", "category": "general", "seeds": str(seeds)}])
    done = _hermes_data("generate", path, "--no-progress")
    assert done.returncode == 2, done.stderr
    assert f"{seeds}:2: not valid JSON" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recipe.yaml", "seeds.jsonl"]  # no journal, no output
    assert server.log == []


def test_no_request_reaching_the_endpoint_is_an_error_and_writes_no_output(fake_server, write_recipe, tmp_path):
    server = fake_server()  # only for the endpoint's shape; the recipe points at a port where nothing listens
    down = endpoint(server, base_url=f"http://127.0.0.1:{_free_port()}/v1", max_attempts=2)
    tasks = [
        {"name": "general", "category": "general", "seeds": ["Explain how tides work.", "Describe a sonnet."]},
        {"name": "judge", "generator": "judge", "input": "general"},
    ]
    path = write_recipe(None, tasks, endpoints={"teacher": down})
    done = _hermes_data("generate", path, "--no-progress")
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no request reached an endpoint (2 connection_error)" in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recipe.yaml"]  # no output folder, no empty journal


def test_a_reachable_endpoint_that_fails_some_items_still_writes_the_output(fake_server, write_recipe, tmp_path):
    server = fake_server(fault_rate=1.0, faults=("500",), seed=1)  # every request answered, with an error
    path = write_recipe(server, [{"name": "general", "category": "general", "seeds": ["Explain how tides work."]}])
    done = _hermes_data("generate", path, "--no-progress")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "manifest.json").is_file()
