"""The Hub path over real HTTP: `huggingface_hub` and `datasets` unchanged, `HF_ENDPOINT` pointed at the fake Hub.

Each Hub call runs in a subprocess, because both libraries read `HF_ENDPOINT` and their cache folders at import.
"""

from __future__ import annotations

import json

import pytest

REPO = "org/mix"
SNIPPET = """
import json, dataclasses, hermes_data
from hermes_data.publish.fetch import verify
from hermes_data.publish.versions import list_versions
results = {}
for ref in %(refs)r:
    result = results[ref] = {}
    try:
        ds, resolved = hermes_data.load_mix(ref)
        result["ids"], result["resolved"] = list(ds["id"]), resolved.to_dict()
    except Exception as exc:
        result["error"] = [type(exc).__name__, str(exc)]
    try:
        result["verify"] = verify(ref)[1]
    except Exception as exc:
        result["verify"] = [type(exc).__name__, str(exc)]
results["versions"] = [dataclasses.asdict(v) for v in list_versions(%(repo)r)]
print(json.dumps(results))
"""


def _files_at(hub, tag: str) -> dict[str, bytes]:
    repo = hub.repos[REPO]
    return repo.commits[repo.tags[tag]].files


def _publish(run_cli, env, folder, version, *extra):
    return run_cli("publish", folder, "--repo", REPO, "--version", version, *extra, env=env)


@pytest.mark.slow
def test_publish_and_load_over_http(tmp_path, fake_hub, hub_env, run_cli, run_python, make_folder, fake_token):
    v1 = make_folder(tmp_path / "b1", n=5, prefix="one", shard_rows=2)
    first = _publish(run_cli, hub_env, tmp_path / "b1", "v1", "--private")
    assert first.returncode == 0, first.stderr
    commit_v1 = fake_hub.repos[REPO].tags["v1"]
    assert first.stdout.strip().splitlines()[-1] == commit_v1  # the commit id is printed
    files = _files_at(fake_hub, "v1")
    assert files["manifest.json"] == (tmp_path / "b1" / "manifest.json").read_bytes()
    assert sorted(p for p in files if p.startswith("data/")) == [e["path"] for e in v1["shards"]]
    assert b'load_mix("org/mix@v1")' in files["README.md"] and fake_hub.repos[REPO].private

    main_before = fake_hub.repos[REPO].branches["main"]
    again = _publish(run_cli, hub_env, tmp_path / "b1", "v1")
    assert again.returncode == 2 and "already published" in again.stderr
    assert fake_hub.repos[REPO].tags["v1"] == commit_v1 and fake_hub.repos[REPO].branches["main"] == main_before

    make_folder(tmp_path / "b2", n=2, prefix="two", shard_rows=10)
    second = _publish(run_cli, hub_env, tmp_path / "b2", "v2", "--message", "second mix")
    assert second.returncode == 0, second.stderr
    # v1's extra shards are deleted on main in the v2 commit, or the card's glob would mix the two versions.
    assert sorted(p for p in _files_at(fake_hub, "v2") if p.startswith("data/")) == [
        "data/train-00000-of-00001.parquet"
    ]

    loaded = run_python(SNIPPET % {"refs": [f"{REPO}@v1"], "repo": REPO}, hub_env)
    assert loaded.returncode == 0, loaded.stderr
    results = json.loads(loaded.stdout.strip().splitlines()[-1])
    result = results[f"{REPO}@v1"]
    assert result["ids"] == [f"one-{i}" for i in range(5)]
    assert result["resolved"]["revision"] == commit_v1 and result["resolved"]["content_sha256"] == v1["content_sha256"]
    assert result["verify"] == []
    assert [(v["version"], v["rows"], v["revision"]) for v in results["versions"]] == [
        ("v1", 5, commit_v1),
        ("v2", 2, fake_hub.repos[REPO].tags["v2"]),
    ]

    # The token came from HF_TOKEN and reached the server, yet no file anywhere holds it.
    assert fake_hub.tokens_seen == {fake_token}
    for path in tmp_path.rglob("*"):
        assert not path.is_file() or fake_token.encode() not in path.read_bytes(), path
    stored = [
        content for repo in fake_hub.repos.values() for c in repo.commits.values() for content in c.files.values()
    ]
    assert all(fake_token.encode() not in content for content in stored)
    assert all(fake_token not in p.stdout + p.stderr for p in (first, again, second, loaded))


def test_tampered_or_incomplete_hub_copy_fails_load_and_verify(tmp_path, fake_hub, hub_env, run_python, make_folder):
    # Seed the fake Hub directly (as if published earlier): v1 has a shard corrupted on the server, v0 lacks one.
    manifest = make_folder(tmp_path / "b1", n=4, prefix="one", shard_rows=2)
    folder = tmp_path / "b1"
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    shard = manifest["shards"][1]["path"]
    files[shard] = files[shard].replace(b"one", b"0ne")
    repo = fake_hub.create(REPO)
    commit = repo.add_commit(files, "v1", repo.branches["main"])
    repo.branches["main"] = repo.tags["v1"] = commit.oid
    repo.tags["handmade"] = commit.parent  # a tag without a manifest: listed, without figures
    incomplete = repo.add_commit({p: c for p, c in files.items() if p != shard}, "v0", commit.oid)
    repo.tags["v0"] = incomplete.oid

    checked = run_python(SNIPPET % {"refs": [f"{REPO}@v1", f"{REPO}@v0", f"{REPO}@handmade"], "repo": REPO}, hub_env)
    assert checked.returncode == 0, checked.stderr
    results = json.loads(checked.stdout.strip().splitlines()[-1])
    tampered, missing, foreign = results[f"{REPO}@v1"], results[f"{REPO}@v0"], results[f"{REPO}@handmade"]
    assert tampered["error"][0] == "IntegrityError" and f"{shard}: sha256" in tampered["error"][1]
    assert f"hf://datasets/{REPO}@{commit.oid}" in tampered["error"][1]
    assert tampered["verify"] and shard in tampered["verify"][0]
    assert missing["error"][0] == "IntegrityError" and f"{shard} is missing" in missing["error"][1]
    assert missing["verify"] and shard in missing["verify"][0] and "missing" in missing["verify"][0]
    assert foreign["error"] == [
        "DataError",
        f"{REPO}@{commit.parent[:12]} has no manifest.json: not published by hermes-data",
    ]
    assert {(v["version"], v["rows"]) for v in results["versions"]} == {("v1", 4), ("v0", 4), ("handmade", None)}
