"""Render a pair folder's card (`README.md`) from its manifest with `datacards/pairs_card.md.j2`, in a sandbox.

The header is the Hub's YAML, dumped with PyYAML (as build/card.py does) so no string can break it; the figures are
prepared here so the template only lays them out.
"""

from __future__ import annotations

import yaml
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from hermes_data.categories import CATEGORIES
from hermes_data.dataset.card import DATA_FILES, cell, fence, num, pct, size_category
from hermes_data.resources import resource_dir

TEMPLATE = "pairs_card.md.j2"


def pairs_card_header(manifest: dict, license: str) -> dict:  # noqa: A002 - the Hub calls it license
    tags = ["hermes", "dpo", "preference"]
    if any(str(s.get("resolved") or s.get("path") or "").startswith("gen:") for s in manifest.get("sources", [])):
        tags.append("synthetic")
    return {
        "pretty_name": manifest["name"],
        "license": license,
        "task_categories": ["text-generation"],
        "size_categories": [size_category(int(manifest["stats"]["totals"]["rows"]))],
        "tags": tags,
        "configs": [{"config_name": "default", "data_files": [{"split": "train", "path": DATA_FILES}]}],
    }


def render_pairs_card(
    manifest: dict,
    license: str,  # noqa: A002 - the Hub calls it license
    *,
    repo: str | None = None,
    revision: str | None = None,
) -> str:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(resource_dir("datacards"))),
        autoescape=False,  # Markdown, not HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(num=num, pct=pct, cell=cell)
    recipe_yaml = yaml.safe_dump(manifest.get("recipe") or {}, sort_keys=False, allow_unicode=True)
    categories = [
        {"name": CATEGORIES[slug][0] if slug in CATEGORIES else slug, "slug": slug, **figures}
        for slug, figures in manifest["stats"]["categories"].items()
    ]
    return env.get_template(TEMPLATE).render(
        header_yaml=yaml.safe_dump(pairs_card_header(manifest, license), sort_keys=False, allow_unicode=True),
        name=manifest["name"],
        manifest=manifest,
        totals=manifest["stats"]["totals"],
        categories=categories,
        margins=manifest.get("margins") or {},
        funnel=[{"action": "dropped", **entry} for entry in manifest.get("funnel", [])],
        sources=manifest.get("sources", []),
        rows_rejected=sum(int(f.get("rows") or 0) for f in manifest.get("rejected", [])),
        repo=repo,
        revision=revision,
        recipe_yaml=recipe_yaml,
        fence=fence(recipe_yaml),
    )
