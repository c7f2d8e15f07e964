"""Versions in any fsspec store (local path, `file://`, `s3://`, `gs://`, …): `ROOT/ORG/NAME/VERSION/`.

Publishing writes the files under a hidden temporary prefix `ROOT/ORG/NAME/.tmp-VERSION-<random>/`, moves it to
`VERSION/`, and only then writes the completion marker `_COMPLETE.json` into it. Readers list and load only versions
whose marker is present and parses, so a crashed or in-flight publish is invisible (object stores have no atomic
folder rename: their "move" is copy-then-delete, which is why visibility hangs on the marker, not on the folder).
A version folder that exists in any state, complete or not, is never written to again.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import datetime, timezone
from pathlib import Path

import fsspec
from fsspec.implementations.local import LocalFileSystem

from hermes_data.errors import DataError
from hermes_data.io.outputs import check_store_root
from hermes_data.publish.refs import check_repo_id, check_version

MARKER = "_COMPLETE.json"
TMP_PREFIX = ".tmp-"


class FsspecStore:
    """One store root. Paths inside are `ROOT/ORG/NAME/VERSION/` plus the marker."""

    def __init__(self, root: str) -> None:
        if not root or not root.strip():
            raise DataError("empty store root; give a path or a URL such as file:///data/mixes or s3://bucket/mixes")
        self.fs, self.root = fsspec.core.url_to_fs(root)
        self.root = self.root.rstrip("/") or "/"
        self.is_local = isinstance(self.fs, LocalFileSystem)

    def check_root(self, *, writing: bool) -> None:
        """A local root must be a folder (to publish: a place one can be made); remote roots answer for themselves."""
        if self.is_local:
            check_store_root(self.root, writing=writing)

    def url(self, repo: str, version: str | None = None) -> str:
        """The URL of a dataset (or one version of it) as users write it in a reference."""
        path = self._path(repo, version)
        return f"file://{path}" if self.is_local else self.fs.unstrip_protocol(path)

    def _path(self, repo: str, version: str | None = None) -> str:
        check_repo_id(repo)
        base = f"{self.root.rstrip('/')}/{repo}"
        return f"{base}/{check_version(version)}" if version is not None else base

    # -- reading ------------------------------------------------------------------------------------------------

    def marker(self, repo: str, version: str) -> dict | None:
        """The version's completion marker, or None when the version is absent or incomplete."""
        try:
            data = json.loads(self.fs.cat_file(f"{self._path(repo, version)}/{MARKER}"))
        except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None

    def versions(self, repo: str) -> dict[str, dict]:
        """Complete versions of `repo` → their markers (incomplete and temporary folders are left out)."""
        try:
            entries = self.fs.ls(self._path(repo), detail=True)
        except FileNotFoundError:
            return {}
        found = {}
        for entry in entries:
            name = entry["name"].rstrip("/").rsplit("/", 1)[-1]
            if entry["type"] != "directory" or name.startswith("."):
                continue
            marker = self.marker(repo, name)
            if marker is not None:
                found[name] = marker
        return found

    def require(self, repo: str, version: str) -> dict:
        """The marker of a complete version; `DataError` naming the versions that do exist otherwise."""
        marker = self.marker(repo, version)
        if marker is None:
            known = ", ".join(sorted(self.versions(repo))) or "none"
            raise DataError(f"{self.url(repo, version)} is not a published version (complete versions: {known})")
        return marker

    def local_folder(self, repo: str, version: str) -> Path | None:
        """The version's folder when the store is on the local filesystem (read in place, no copy)."""
        return Path(self._path(repo, version)) if self.is_local else None

    def download(self, repo: str, version: str, files: list[str], dest: Path) -> None:
        """Copy the listed files of a version into the local folder `dest`."""
        base = self._path(repo, version)
        for relative in files:
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            self.fs.get_file(f"{base}/{relative}", str(target))

    # -- writing ------------------------------------------------------------------------------------------------

    def check_free(self, repo: str, version: str) -> None:
        """Refuse a version that exists in any state: published versions are immutable."""
        final = self._path(repo, version)
        if not self.fs.exists(final):
            return
        if self.marker(repo, version) is not None:
            raise DataError(f"{self.url(repo, version)} is already published; versions are immutable, choose a new one")
        raise DataError(
            f"{self.url(repo, version)} exists but has no {MARKER}: an interrupted publish. "
            "Check nobody is publishing it right now, delete that folder, and publish again"
        )

    def publish(self, folder: Path, files: list[str], repo: str, version: str, marker: dict) -> str:
        """Write `files` of the local `folder` as `repo`/`version`; the marker goes last. Returns the version URL."""
        self.check_free(repo, version)
        final = self._path(repo, version)
        tmp = f"{self._path(repo)}/{TMP_PREFIX}{version}-{secrets.token_hex(4)}"
        try:
            for relative in files:
                if self.is_local:
                    self.fs.makedirs(f"{tmp}/{relative}".rsplit("/", 1)[0], exist_ok=True)
                self.fs.put_file(str(folder / relative), f"{tmp}/{relative}")
            self._move(tmp, final, repo, version)
        except BaseException:
            if self.fs.exists(tmp):
                self.fs.rm(tmp, recursive=True)
            raise
        stamped = {**marker, "repo": repo, "version": version, "published_at": _now()}
        self._write_marker(final, json.dumps(stamped, indent=2, sort_keys=True) + "\n")
        return self.url(repo, version)

    def _move(self, tmp: str, final: str, repo: str, version: str) -> None:
        self.check_free(repo, version)  # again: another publisher may have finished meanwhile
        if self.is_local:
            # rename(2) refuses a non-empty target, so a racing publisher cannot be overwritten.
            try:
                os.rename(tmp, final)
            except OSError as exc:
                raise DataError(f"{self.url(repo, version)} appeared while publishing; it was left untouched") from exc
        else:
            self.fs.mv(tmp, final, recursive=True)

    def _write_marker(self, final: str, text: str) -> None:
        if self.is_local:
            # A marker that is half written must never parse: write aside, then rename into place.
            aside = f"{final}/.{MARKER}.{secrets.token_hex(4)}"
            Path(aside).write_text(text, encoding="utf-8")
            os.replace(aside, f"{final}/{MARKER}")
        else:
            self.fs.pipe_file(f"{final}/{MARKER}", text.encode("utf-8"))  # object stores write a key atomically


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
