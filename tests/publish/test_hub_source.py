"""A published mix read back as a build source from the (fake) Hub: the build pins the tag to its commit."""

from __future__ import annotations

import json

import pytest
import yaml


@pytest.mark.slow
def test_build_reads_a_hub_source_pinned_to_its_commit(tmp_path, fake_hub, hub_env, run_cli, make_folder):
    make_folder(tmp_path / "b1", n=6, prefix="hub", shard_rows=4)
    published = run_cli("publish", tmp_path / "b1", "--repo", "org/src", "--version", "v1", env=hub_env)
    assert published.returncode == 0, published.stderr
    commit = fake_hub.repos["org/src"].tags["v1"]

    recipe = {
        "name": "from-hub",
        "sources": [{"path": "hub:org/src", "revision": "v1"}],
        "filters": {"min_tokens": 1},
        "dedup": {"exact": True, "near": None},
        "mixture": {"weights": {"general": 1}},
        "output": str(tmp_path / "out"),
    }
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(recipe), encoding="utf-8")
    env = {**hub_env, "HERMES_CACHE": str(tmp_path / "cache")}
    built = run_cli("build", tmp_path / "r.yaml", env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["sources"][0]["resolved"] == f"hub:org/src@{commit}"
    assert manifest["stats"]["totals"]["rows"] == 6

    missing = run_cli("build", tmp_path / "r.yaml", "--set", "sources=[{path: 'hub:org/none'}]", env=env)
    assert missing.returncode == 2 and "hub:org/none" in missing.stderr and "Traceback" not in missing.stderr
