"""The one reference parser (DESIGN §7): precedence, name rules, content pins, and what a resolved ref prints."""

from __future__ import annotations

import pytest

from hermes_data.errors import DataError
from hermes_data.publish.refs import ResolvedRef, check_repo_id, check_version, parse_ref

PIN = "a" * 64


@pytest.mark.parametrize(
    ("text", "kind", "repo", "revision", "root"),
    [
        ("hf://datasets/org/mix@v1", "hub", "org/mix", "v1", None),
        ("hub:org/mix@refs/convert/parquet", "hub", "org/mix", "refs/convert/parquet", None),
        ("hub:org/mix", "hub", "org/mix", "main", None),
        ("org/mix@" + "0" * 40, "hub", "org/mix", "0" * 40, None),
        ("org/mix", "hub", "org/mix", "main", None),
        ("file:///data/store/org/mix@v1", "store", "org/mix", "v1", "file:///data/store"),
        ("s3://bucket/mixes/org/mix@2024-08-15", "store", "org/mix", "2024-08-15", "s3://bucket/mixes"),
        ("./org/mix", "folder", None, None, "org/mix"),
        ("/abs/build", "folder", None, None, "/abs/build"),
    ],
)
def test_parse_ref_kinds(text, kind, repo, revision, root):
    ref = parse_ref(text)
    assert (ref.kind, ref.repo, ref.revision, ref.root) == (kind, repo, revision, root)


def test_existing_path_beats_hub_name(tmp_path, monkeypatch):
    # Rule 3 before rule 4: `org/mix` is a folder when one exists under that name.
    (tmp_path / "org" / "mix").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert parse_ref("org/mix").kind == "folder"
    assert parse_ref("org/other").kind == "hub"


def test_hub_prefix_beats_existing_path(tmp_path, monkeypatch):
    (tmp_path / "hub:org").mkdir()
    monkeypatch.chdir(tmp_path)
    assert parse_ref("hub:org/mix").kind == "hub"


@pytest.mark.parametrize(
    "text",
    [
        "",
        " org/mix",
        "nodelimiter",
        "org/mix/extra@v1",
        "hub:org/../mix",
        "hub:org/mix@../../etc",
        "org/mix@bad rev",
        "file:///store/org/mix",  # a store needs a version
        "file:///store/org/mix@../x",
        "file://org/mix@v1",  # no root
        "org/mix#content_sha256=123",
    ],
)
def test_bad_references_raise_one_clear_error(text):
    with pytest.raises(DataError) as info:
        parse_ref(text)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", ["../x", "org/../x", "org/ x", "org/", "/mix", "", "org/mix/x", "org/-mix", "o--g/m"])
def test_invalid_repo_ids(name):
    with pytest.raises(DataError, match="invalid dataset name"):
        check_repo_id(name)


@pytest.mark.parametrize("version", ["../x", "..", ".hidden", "v 1", "", "a/b", "x" * 65, "v1\n", "ab" * 20])
def test_invalid_versions(version):
    with pytest.raises(DataError, match="invalid version"):
        check_version(version)


@pytest.mark.parametrize("version", ["v1", "2024-08-15", "1.0.2", "v3_rc1"])
def test_valid_versions(version):
    assert check_version(version) == version


def test_content_pin_is_parsed_and_printed_back():
    ref = parse_ref(f"file:///s/org/mix@v1#content_sha256={PIN}")
    assert (ref.kind, ref.revision, ref.pin) == ("store", "v1", PIN)
    assert parse_ref("org/mix@v1").pin is None


def test_resolved_ref_string_is_a_pinned_reference():
    hub = ResolvedRef("hub", "org/mix", "org/mix@v1", "c" * 40, PIN, version="v1")
    again = parse_ref(str(hub))
    assert (again.kind, again.repo, again.revision, again.pin) == ("hub", "org/mix", "c" * 40, PIN)
    store = ResolvedRef("store", "file:///s/org/mix@v1", "x", PIN, PIN, version="v1")
    assert parse_ref(str(store)).root == "file:///s"
    assert hub.to_dict()["revision"] == "c" * 40
