"""Render a pair folder's card (`README.md`) from its manifest with `datacards/pairs_card.md.j2`, in a sandbox.

The header is the Hub's YAML and the template's common variables come from the dataset card's helpers
(dataset/card.py); the figures only pairs have (margins, sources as reported) are added here.
"""

from __future__ import annotations

from hermes_data.dataset.card import common_context, hub_header, render_template

TEMPLATE = "pairs_card.md.j2"


def pairs_card_header(manifest: dict, license: str) -> dict:  # noqa: A002 - the Hub calls it license
    tags = ["hermes", "dpo", "preference"]
    if any(str(s.get("resolved") or s.get("path") or "").startswith("gen:") for s in manifest.get("sources", [])):
        tags.append("synthetic")
    return hub_header(manifest, license, tags)


def render_pairs_card(
    manifest: dict,
    license: str,  # noqa: A002 - the Hub calls it license
    *,
    repo: str | None = None,
    revision: str | None = None,
) -> str:
    context = common_context(manifest, pairs_card_header(manifest, license), repo=repo, revision=revision)
    context |= {"margins": manifest.get("margins") or {}, "sources": manifest.get("sources", [])}
    return render_template(TEMPLATE, context)
