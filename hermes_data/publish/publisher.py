"""`publish`: a checked build folder to the Hub (`to="hf"`) or to an fsspec store (any other `to`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hermes_data.dataset.card import render_card
from hermes_data.errors import DataError
from hermes_data.publish.preflight import CARD_NAME, check_card, check_folder, check_names, publish_files

HUB = "hf"


@dataclass(frozen=True)
class Published:
    """Where a version went: `location` is the Hub repo id or the store URL; `revision` the commit id (Hub) or
    the content hash (store)."""

    kind: str
    location: str
    version: str
    revision: str
    content_sha256: str


def publish(
    folder: str | Path,
    repo: str,
    version: str,
    *,
    to: str = HUB,
    private: bool = False,
    message: str | None = None,
) -> Published:
    """Publish the build `folder` as `repo` (ORG/NAME) version `version`; refuses an existing version."""
    check_names(repo, version)
    folder = Path(folder)
    manifest = check_folder(folder)
    files = publish_files(manifest)
    content = manifest["content_sha256"]
    if to == HUB:
        from hermes_data.publish import hub

        card = _hub_card(manifest, repo, version)
        check_card(card, manifest)
        summary = message or f"Publish {version}: {manifest['stats']['totals']['rows']} rows, content {content[:12]}"
        commit = hub.publish_to_hub(folder, files, card, repo, version, private=private, message=summary)
        return Published("hub", repo, version, commit, content)
    if private:
        raise DataError("--private applies to the Hub only; a store's access is set by its own permissions")
    from hermes_data.publish.fsspec_store import FsspecStore

    card_path = folder / CARD_NAME
    if not card_path.is_file():
        raise DataError(f"{card_path} is missing; rebuild the folder")
    check_card(card_path.read_text(encoding="utf-8"), manifest)
    store = FsspecStore(to)
    store.check_root(writing=True)
    url = store.publish(folder, files, repo, version, marker_for(manifest, message))
    return Published("store", url, version, content, content)


def _hub_card(manifest: dict, repo: str, version: str) -> str:
    """The Hub copy's card: re-rendered so its loading snippet names this repo and version."""
    from jinja2 import TemplateError

    if manifest.get("kind") == "pairs":  # a preference-pair folder (hermes-data pairs) has its own card
        from hermes_data.pairs.card import render_pairs_card as render
    else:
        render = render_card
    try:
        return render(manifest, manifest.get("license") or "other", repo=repo, revision=version)
    except (KeyError, TypeError, ValueError, TemplateError) as exc:
        raise DataError(f"cannot render the dataset card from manifest.json ({exc!r}); rebuild the folder") from exc


def marker_for(manifest: dict, message: str | None) -> dict:
    """What a store's completion marker records: enough to list versions without opening their manifests."""
    totals = manifest["stats"]["totals"]
    return {
        "content_sha256": manifest["content_sha256"],
        "rows": totals.get("rows"),
        "tokens": totals.get("tokens"),
        "built_at": manifest.get("created_at"),
        "message": message or "",
        "files": {entry["path"]: entry["sha256"] for entry in [*manifest["shards"], *manifest["rejected"]]},
    }
