"""Open a reference (Hub, store, folder), copy its files locally, verify them: what load, pull and verify share."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hermes_data.dataset.manifest import DATA_DIR, MANIFEST_NAME, REJECTED_DIR, read_manifest, verify_folder
from hermes_data.errors import DataError
from hermes_data.io.outputs import check_output_folder
from hermes_data.publish.integrity import IntegrityError, check_marker, require_clean
from hermes_data.publish.preflight import publish_files
from hermes_data.publish.refs import DatasetRef, ResolvedRef, parse_ref


@dataclass(frozen=True)
class Source:
    """An opened reference: what it resolved to, its manifest, and a local folder when it can be read in place."""

    ref: DatasetRef
    resolved: ResolvedRef
    manifest: dict
    folder: Path | None


def open_ref(text: str) -> Source:
    """Resolve `text` to an immutable revision and read its manifest (nothing else is downloaded)."""
    ref = parse_ref(text)
    opener = {"folder": _open_folder, "store": _open_store, "hub": _open_hub}[ref.kind]
    source = opener(ref, text)
    if ref.pin is not None and ref.pin != source.manifest["content_sha256"]:
        problem = f"content_sha256 is {source.manifest['content_sha256'][:16]}…, the reference pins {ref.pin[:16]}…"
        raise IntegrityError(str(source.resolved), [problem])
    return source


def _open_folder(ref: DatasetRef, text: str) -> Source:
    folder = Path(ref.root).resolve()
    if not folder.is_dir():
        hint = " (a store version needs a URL: file:///ROOT/ORG/NAME@VERSION)" if "@" in folder.name else ""
        what = "is not a folder" if folder.exists() else "does not exist: no such folder"
        raise DataError(f"{ref.root} {what}{hint}")
    manifest = _parse_manifest(folder / MANIFEST_NAME, str(folder))
    resolved = ResolvedRef("folder", str(folder), text, manifest["content_sha256"], manifest["content_sha256"])
    return Source(ref, resolved, manifest, folder)


def _open_store(ref: DatasetRef, text: str) -> Source:
    from hermes_data.publish.fsspec_store import FsspecStore

    store = FsspecStore(ref.root)
    store.check_root(writing=False)
    marker = store.require(ref.repo, ref.revision)
    url = f"{store.url(ref.repo)}@{ref.revision}"
    with tempfile.TemporaryDirectory() as tmp:
        store.download(ref.repo, ref.revision, [MANIFEST_NAME], Path(tmp))
        manifest = _parse_manifest(Path(tmp) / MANIFEST_NAME, url)
    check_marker(marker, manifest, url)
    content = manifest["content_sha256"]
    resolved = ResolvedRef("store", url, text, content, content, version=ref.revision)
    return Source(ref, resolved, manifest, store.local_folder(ref.repo, ref.revision))


def _open_hub(ref: DatasetRef, text: str) -> Source:
    from hermes_data.publish import hub

    commit = hub.resolve_commit(ref.repo, ref.revision)
    where = f"{ref.repo}@{commit[:12]}"
    try:
        manifest = _parse_manifest(hub.download_file(ref.repo, commit, MANIFEST_NAME), where)
    except FileNotFoundError as exc:
        raise DataError(f"{where} has no {MANIFEST_NAME}: not published by hermes-data") from exc
    resolved = ResolvedRef("hub", ref.repo, text, commit, manifest["content_sha256"], version=ref.revision)
    return Source(ref, resolved, manifest, None)


def _parse_manifest(path: Path, where: str) -> dict:
    """A manifest from anywhere, checked before any of its paths is used to read or write a file."""
    try:
        manifest = read_manifest(path.parent)
    except FileNotFoundError:
        raise DataError(f"{where} has no {MANIFEST_NAME}: not a complete hermes-data build") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IntegrityError(where, [f"{MANIFEST_NAME} is not valid JSON ({exc})"]) from exc
    required = ("content_sha256", "shards", "rejected")
    if not isinstance(manifest, dict) or any(key not in manifest for key in required):
        raise IntegrityError(where, [f"{MANIFEST_NAME} lacks one of {', '.join(required)}"])
    if not isinstance(manifest["shards"], list) or not isinstance(manifest["rejected"], list):
        raise IntegrityError(where, [f"{MANIFEST_NAME} has shards or rejected that are not lists"])
    for entry in [*manifest["shards"], *manifest["rejected"]]:
        path_in = PurePosixPath(str(entry.get("path", "")) if isinstance(entry, dict) else "")
        # A manifest from a store or the Hub names local paths we write to: never outside data/ and rejected/.
        if path_in.is_absolute() or ".." in path_in.parts or path_in.parts[:1] not in ((DATA_DIR,), (REJECTED_DIR,)):
            raise IntegrityError(
                where, [f"{MANIFEST_NAME} lists {str(path_in)!r}, not a file under data/ or rejected/"]
            )
    return manifest


def materialize(source: Source, dest: Path) -> None:
    """Copy every file of the version (shards, rejected rows, card, manifest) into the local folder `dest`."""
    files = publish_files(source.manifest)
    if source.folder is not None:
        for relative in files:
            (dest / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source.folder / relative, dest / relative)
    elif source.ref.kind == "store":
        from hermes_data.publish.fsspec_store import FsspecStore

        FsspecStore(source.ref.root).download(source.ref.repo, source.ref.revision, files, dest)
    else:
        from hermes_data.publish import hub

        hub.download(source.ref.repo, source.resolved.revision, files, dest)


def verify(text: str) -> tuple[ResolvedRef, list[str]]:
    """Re-hash a reference's files and rows against its manifest; (resolved reference, problems)."""
    source = open_ref(text)
    if source.folder is not None:
        return source.resolved, verify_folder(source.folder)
    with tempfile.TemporaryDirectory(prefix="hermes-verify-") as tmp:
        try:
            materialize(source, Path(tmp))
        except FileNotFoundError as exc:
            return source.resolved, [f"{exc.filename or exc} is missing (listed in manifest.json)"]
        return source.resolved, verify_folder(tmp)


def pull(text: str, dest: str | Path) -> ResolvedRef:
    """Copy a reference into the new folder `dest` and verify it there; nothing is left at `dest` on failure."""
    dest = check_output_folder(dest, what="DEST")
    if dest.exists() and any(dest.iterdir()):
        raise DataError(f"{dest} exists and is not empty; pull into a new folder")
    source = open_ref(text)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.pull-{secrets.token_hex(4)}")
    try:
        try:
            materialize(source, tmp)
        except FileNotFoundError as exc:
            raise IntegrityError(str(source.resolved), [f"{exc.filename or exc} is missing"]) from exc
        require_clean(str(source.resolved), verify_folder(tmp))
        if dest.exists():
            dest.rmdir()
        os.replace(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return source.resolved
