"""`list_versions`: the published versions of ORG/NAME on the Hub (its tags) or in a store (complete versions)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from hermes_data.dataset.manifest import MANIFEST_NAME
from hermes_data.publish.publisher import HUB
from hermes_data.publish.refs import check_repo_id


@dataclass(frozen=True)
class VersionInfo:
    """One version. `revision` is the commit id (Hub) or the content hash (store); `date` the publish date."""

    version: str
    date: str
    rows: int | None
    tokens: int | None
    revision: str
    content_sha256: str | None


def list_versions(repo: str, *, to: str = HUB) -> list[VersionInfo]:
    """Versions of `repo`, oldest first; an incomplete store version or a tag without a manifest shows no counts."""
    check_repo_id(repo)
    found = _hub_versions(repo) if to == HUB else _store_versions(repo, to)
    return sorted(found, key=lambda info: (info.date, info.version))


def _store_versions(repo: str, root: str) -> list[VersionInfo]:
    from hermes_data.publish.fsspec_store import FsspecStore

    store = FsspecStore(root)
    store.check_root(writing=False)
    return [
        VersionInfo(
            version=name,
            date=str(marker.get("published_at") or ""),
            rows=marker.get("rows"),
            tokens=marker.get("tokens"),
            revision=str(marker.get("content_sha256") or ""),
            content_sha256=marker.get("content_sha256"),
        )
        for name, marker in store.versions(repo).items()
    ]


def _hub_versions(repo: str) -> list[VersionInfo]:
    from hermes_data.errors import DataError
    from hermes_data.publish import hub

    infos = []
    for tag, commit in hub.list_tags(repo).items():
        try:
            manifest = json.loads(hub.download_file(repo, commit, MANIFEST_NAME).read_text(encoding="utf-8"))
            totals = manifest["stats"]["totals"]
        except (DataError, FileNotFoundError, ValueError, KeyError, TypeError):
            manifest, totals = {}, {}  # a tag someone made by hand: list it, without figures
        infos.append(
            VersionInfo(
                version=tag,
                date=hub.commit_date(repo, commit),
                rows=totals.get("rows"),
                tokens=totals.get("tokens"),
                revision=commit,
                content_sha256=manifest.get("content_sha256"),
            )
        )
    return infos
