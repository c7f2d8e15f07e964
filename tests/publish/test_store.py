"""Publishing to and loading from an fsspec store, in process: immutability, markers, integrity, pins."""

from __future__ import annotations

import json
import shutil

import pytest

from hermes_data.errors import DataError
from hermes_data.load import load_mix
from hermes_data.publish.fetch import pull, verify
from hermes_data.publish.fsspec_store import MARKER
from hermes_data.publish.integrity import IntegrityError
from hermes_data.publish.publisher import publish
from hermes_data.publish.versions import list_versions


@pytest.fixture
def store(tmp_path):
    return tmp_path / "store"


@pytest.fixture
def v1(tmp_path, make_folder):
    folder = tmp_path / "build-v1"
    return folder, make_folder(folder, n=5, prefix="one", shard_rows=2)


def _ref(store, version: str) -> str:
    return f"file://{store}/org/mix@{version}"


def test_publish_writes_version_folder_with_marker_last(store, v1):
    folder, manifest = v1
    published = publish(folder, "org/mix", "v1", to=str(store))
    version_dir = store / "org" / "mix" / "v1"
    assert published.location == f"file://{version_dir}" and published.revision == manifest["content_sha256"]
    files = sorted(p.relative_to(version_dir).as_posix() for p in version_dir.rglob("*") if p.is_file())
    assert files == sorted(
        [MARKER, "README.md", "manifest.json", "rejected/rejected-00000.parquet"]
        + [f"data/train-0000{i}-of-00003.parquet" for i in range(3)]
    )
    marker = json.loads((version_dir / MARKER).read_text())
    assert marker["content_sha256"] == manifest["content_sha256"] and marker["rows"] == 5
    assert sorted(p.name for p in (store / "org" / "mix").iterdir()) == ["v1"]  # no temporary prefix left


def test_existing_version_is_refused_and_untouched(store, v1, tmp_path, make_folder, snapshot_of):
    publish(v1[0], "org/mix", "v1", to=f"file://{store}")
    before = snapshot_of(store)
    other = tmp_path / "other"
    make_folder(other, n=3, prefix="other")
    with pytest.raises(DataError, match="already published"):
        publish(other, "org/mix", "v1", to=str(store))
    assert snapshot_of(store) == before


def test_load_returns_exactly_the_pinned_version(store, v1, tmp_path, make_folder):
    publish(v1[0], "org/mix", "v1", to=str(store))
    make_folder(tmp_path / "build-v2", n=4, prefix="two", shard_rows=4)
    publish(tmp_path / "build-v2", "org/mix", "v2", to=str(store))
    ds, resolved = load_mix(_ref(store, "v1"), cache_dir=tmp_path / "cache")
    assert ds["id"] == [f"one-{i}" for i in range(5)]
    assert resolved.revision == resolved.content_sha256 == v1[1]["content_sha256"]
    assert (resolved.kind, resolved.version) == ("store", "v1")
    # The printed reference loads the same rows again, and is pinned to them.
    again, _ = load_mix(str(resolved), cache_dir=tmp_path / "cache")
    assert again["id"] == ds["id"]
    assert [v.version for v in list_versions("org/mix", to=str(store))] == ["v1", "v2"]


def test_version_without_marker_is_invisible(store, v1, tmp_path):
    publish(v1[0], "org/mix", "v1", to=str(store))
    shutil.copytree(store / "org" / "mix" / "v1", store / "org" / "mix" / "v2")
    (store / "org" / "mix" / "v2" / MARKER).unlink()  # as if the publisher died before its last write
    (store / "org" / "mix" / ".tmp-v3-0123abcd" / "data").mkdir(parents=True)
    assert [v.version for v in list_versions("org/mix", to=str(store))] == ["v1"]
    with pytest.raises(DataError, match=r"not a published version \(complete versions: v1\)"):
        load_mix(_ref(store, "v2"), cache_dir=tmp_path / "cache")
    # ... and it is not overwritten either: the leftover must be looked at by a person.
    with pytest.raises(DataError, match="interrupted publish"):
        publish(v1[0], "org/mix", "v2", to=str(store))


def test_tampered_shard_fails_verify_load_and_pull(store, v1, tmp_path):
    publish(v1[0], "org/mix", "v1", to=str(store))
    shard = store / "org" / "mix" / "v1" / "data" / "train-00001-of-00003.parquet"
    shard.write_bytes(shard.read_bytes()[:-20] + b"\0" * 20)
    resolved, problems = verify(_ref(store, "v1"))
    assert problems and "train-00001-of-00003.parquet: sha256" in problems[0]
    with pytest.raises(IntegrityError, match="train-00001-of-00003.parquet: sha256"):
        load_mix(_ref(store, "v1"), cache_dir=tmp_path / "cache")
    with pytest.raises(IntegrityError):
        pull(_ref(store, "v1"), tmp_path / "pulled")
    assert not (tmp_path / "pulled").exists()


def test_swapped_manifest_is_caught_by_the_marker(store, v1, tmp_path, make_folder):
    publish(v1[0], "org/mix", "v1", to=str(store))
    other = make_folder(tmp_path / "other", n=2, prefix="x")
    # A consistent folder of other data dropped in place: files match their manifest, not the marker.
    target = store / "org" / "mix" / "v1"
    for name in ["manifest.json", "data", "rejected"]:
        shutil.rmtree(target / name) if (target / name).is_dir() else (target / name).unlink()
        src = tmp_path / "other" / name
        shutil.copytree(src, target / name) if src.is_dir() else shutil.copy(src, target / name)
    assert other["content_sha256"] != v1[1]["content_sha256"]
    with pytest.raises(IntegrityError, match="manifest.json was replaced"):
        load_mix(_ref(store, "v1"), cache_dir=tmp_path / "cache")


def test_content_pin_mismatch_is_refused(store, v1, tmp_path):
    publish(v1[0], "org/mix", "v1", to=str(store))
    with pytest.raises(IntegrityError, match="the reference pins"):
        load_mix(_ref(store, "v1") + "#content_sha256=" + "0" * 64, cache_dir=tmp_path / "cache")


def test_edited_folder_is_refused_before_anything_is_written(store, v1):
    folder, _ = v1
    shard = folder / "data" / "train-00000-of-00003.parquet"
    shard.write_bytes(shard.read_bytes() + b"x")
    with pytest.raises(DataError, match="does not match its manifest.*rebuild"):
        publish(folder, "org/mix", "v1", to=str(store))
    assert not store.exists()


def test_card_without_valid_header_is_refused(store, v1):
    folder, _ = v1
    card = folder / "README.md"
    card.write_text(card.read_text().replace("configs:", "confs:", 1))
    with pytest.raises(DataError, match="needs 'configs'"):
        publish(folder, "org/mix", "v1", to=str(store))
    card.write_text("# no header\n")
    with pytest.raises(DataError, match="no YAML header"):
        publish(folder, "org/mix", "v1", to=str(store))
    assert not store.exists()


def test_remote_store_is_copied_to_the_cache_and_verified(v1, tmp_path, monkeypatch):
    # memory:// is not the local filesystem: exercises the copy-then-move path and the cached download.
    monkeypatch.setenv("HERMES_CACHE", str(tmp_path / "hermes-cache"))
    root = f"memory://{tmp_path.name}"
    url = publish(v1[0], "org/mix", "v1", to=root).location
    assert url == f"memory:///{tmp_path.name}/org/mix/v1"
    ds, resolved = load_mix(f"{root}/org/mix@v1", cache_dir=tmp_path / "cache")
    assert ds.num_rows == 5 and resolved.content_sha256 == v1[1]["content_sha256"]
    assert (tmp_path / "hermes-cache" / "mixes" / resolved.content_sha256 / "manifest.json").is_file()
    with pytest.raises(DataError, match="already published"):
        publish(v1[0], "org/mix", "v1", to=root)
    assert verify(f"{root}/org/mix@v1")[1] == []


def test_load_a_build_folder_and_reject_other_splits(v1, tmp_path):
    folder, manifest = v1
    ds, resolved = load_mix(str(folder), cache_dir=tmp_path / "cache")
    assert ds.num_rows == 5 and resolved.kind == "folder" and resolved.revision == manifest["content_sha256"]
    with pytest.raises(DataError, match="one split"):
        load_mix(str(folder), split="test")
