"""End to end through the command line on a local fsspec root: build → publish → refuse → publish → load → verify."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hermes_data.load import load_mix

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return dict(os.environ, HERMES_CACHE=str(tmp_path / "hermes-cache"), NO_COLOR="1")


def _build_demo(output: Path, env: dict) -> dict:
    result = subprocess.run(
        [str(BIN / "hermes-data"), "build", "recipes/demo.yaml", "--set", f"output={output}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads((output / "manifest.json").read_text())


@pytest.mark.slow
def test_build_publish_refuse_publish_load_verify(tmp_path, env, run_cli, cli, make_folder, snapshot_of):
    store = tmp_path / "store"
    root = f"file://{store}"
    manifest_v1 = _build_demo(tmp_path / "demo", env)

    first = run_cli("publish", tmp_path / "demo", "--repo", "org/demo", "--version", "v1", "--to", root, env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().splitlines()[-1] == manifest_v1["content_sha256"]

    before = snapshot_of(store)
    again = run_cli("publish", tmp_path / "demo", "--repo", "org/demo", "--version", "v1", "--to", root, env=env)
    assert again.returncode == 2 and "already published" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1 and "Traceback" not in again.stderr
    assert snapshot_of(store) == before

    manifest_v2 = make_folder(tmp_path / "next", n=3, prefix="next")
    # The remaining steps run in this process (same `main`, same exit codes): the subprocess cost is in imports.
    code, _, err = cli("publish", tmp_path / "next", "--repo", "org/demo", "--version", "v2", "--to", str(store))
    assert code == 0, err

    code, out, err = cli("versions", "org/demo", "--to", root, "--json")
    assert code == 0, err
    versions = {v["version"]: v for v in json.loads(out)}
    assert versions["v1"]["rows"] == manifest_v1["stats"]["totals"]["rows"]
    assert versions["v1"]["tokens"] == manifest_v1["stats"]["totals"]["tokens"]
    assert versions["v2"]["revision"] == manifest_v2["content_sha256"] and versions["v1"]["date"]
    code, out, _ = cli("versions", "org/demo", "--to", root)
    assert [line.split()[0] for line in out.splitlines()] == ["v1", "v2"]
    assert out.splitlines()[0].endswith(manifest_v1["content_sha256"]) and " rows " in out

    ds, resolved = load_mix(f"{root}/org/demo@v1", cache_dir=tmp_path / "hf-cache")
    built_ids = pq.read_table(tmp_path / "demo" / "data").column("id").to_pylist()
    assert ds["id"] == built_ids and resolved.content_sha256 == manifest_v1["content_sha256"]

    code, out, _ = cli("pull", f"{root}/org/demo@v2", tmp_path / "pulled")
    assert code == 0 and manifest_v2["content_sha256"] in out
    assert json.loads((tmp_path / "pulled" / "manifest.json").read_text()) == manifest_v2

    shard = store / "org" / "demo" / "v1" / manifest_v1["shards"][0]["path"]
    shard.write_bytes(shard.read_bytes().replace(b"the", b"teh", 1))
    bad = run_cli("verify", f"{root}/org/demo@v1", env=env)
    assert bad.returncode == 1 and "sha256" in bad.stderr and manifest_v1["shards"][0]["path"] in bad.stderr
    code, out, _ = cli("verify", f"{root}/org/demo@v2")
    assert code == 0 and out.startswith("ok:")
    assert cli("verify", tmp_path / "pulled")[0] == 0


def test_bad_input_through_the_console_process(tmp_path, env, run_cli, snapshot_of):
    before = snapshot_of(tmp_path)
    result = run_cli("publish", tmp_path / "nope", "--repo", "org/mix", "--version", "../x", "--to", tmp_path, env=env)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "invalid version '../x'" in result.stderr
    assert snapshot_of(tmp_path) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["publish", "{folder}", "--repo", "org/mix", "--version", "../x"], "invalid version"),
        (["publish", "{folder}", "--repo", "org/my mix", "--version", "v1"], "invalid dataset name"),
        (["publish", "{folder}", "--repo", "", "--version", "v1"], "invalid dataset name"),
        (["publish", "{folder}", "--repo", "../x", "--version", "v1"], "invalid dataset name"),
        (["publish", "{tmp}/missing", "--repo", "org/mix", "--version", "v1"], "is not a folder"),
        (["publish", "{tmp}/empty", "--repo", "org/mix", "--version", "v1"], "has no manifest.json"),
        (["pull", "file://{tmp}/store/org/mix@v9", "{tmp}/dest"], "store root"),
        (["versions", "org/../mix", "--to", "{tmp}/store"], "invalid dataset name"),
        (["pull", "{folder}", "{folder}"], "exists and is not empty"),
        (["publish", "{folder}", "--repo", "org/mix", "--version", "v1", "--private"], "--private applies to the Hub"),
        (["verify", "{tmp}/missing@v1"], "no such folder (a store version needs a URL"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, cli, make_folder, snapshot_of, args, message):
    make_folder(tmp_path / "folder", n=2)
    (tmp_path / "empty").mkdir()
    before = snapshot_of(tmp_path)
    argv = [a.format(folder=tmp_path / "folder", tmp=tmp_path) for a in args]
    code, _, err = cli(*argv, "--to", str(tmp_path / "store")) if args[0] == "publish" else cli(*argv)
    assert code == 2, err
    assert message in err and len(err.strip().splitlines()) == 1
    assert snapshot_of(tmp_path) == before


def test_edited_folder_is_refused_before_the_hub_is_contacted(tmp_path, cli, make_folder):
    # In this process HF_ENDPOINT is the real Hub and there is no network: only a check that runs first can give
    # this message.
    make_folder(tmp_path / "folder", n=2)
    shard = tmp_path / "folder" / "data" / "train-00000-of-00001.parquet"
    shard.write_bytes(shard.read_bytes()[:-1])
    code, _, err = cli("publish", tmp_path / "folder", "--repo", "org/mix", "--version", "v1")
    assert code == 2 and "does not match its manifest" in err and "rebuild" in err
