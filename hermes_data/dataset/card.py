"""Render a build's dataset card (`README.md`) from its manifest with the Jinja2 template in `datacards/`.

The template runs in a sandbox (it ships as an editable file); numbers and the YAML header are prepared here so the
template only lays them out. The header is dumped with PyYAML rather than templated, so no recipe or source string
can break the Hub's metadata.
"""

from __future__ import annotations

import re

import yaml
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from hermes_data.categories import CATEGORIES
from hermes_data.resources import resource_dir

TEMPLATE = "dataset_card.md.j2"
DATA_FILES = "data/train-*.parquet"
# The Hub's size_categories buckets, by number of rows.
SIZE_BUCKETS = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
    (10_000_000_000, "1B<n<10B"),
    (100_000_000_000, "10B<n<100B"),
    (1_000_000_000_000, "100B<n<1T"),
]


def size_category(rows: int) -> str:
    return next((label for bound, label in SIZE_BUCKETS if rows < bound), "n>1T")


def card_header(manifest: dict, license: str) -> dict:  # noqa: A002 - the Hub calls it license
    """The card's YAML metadata in the Hub's format."""
    tags = ["hermes", "sft"]
    if any(_is_generated(source) for source in manifest.get("sources", [])):
        tags.append("synthetic")
    if manifest["stats"]["categories"].get("tool_use", {}).get("rows"):
        tags.append("function-calling")
    return hub_header(manifest, license, tags)


def hub_header(manifest: dict, license: str, tags: list[str]) -> dict:  # noqa: A002 - the Hub calls it license
    """The Hub's YAML metadata of a dataset folder (build or pairs): name, license, size bucket, tags, train split."""
    return {
        "pretty_name": manifest["name"],
        "license": license,
        "task_categories": ["text-generation"],
        "size_categories": [size_category(int(manifest["stats"]["totals"]["rows"]))],
        "tags": tags,
        "configs": [{"config_name": "default", "data_files": [{"split": "train", "path": DATA_FILES}]}],
    }


def _is_generated(source: dict) -> bool:
    return any(str(source.get(key) or "").startswith("gen:") for key in ("path", "resolved", "revision"))


def render_card(
    manifest: dict,
    license: str,  # noqa: A002 - the Hub calls it license
    *,
    repo: str | None = None,
    revision: str | None = None,
) -> str:
    """The card for a build; publish passes `repo` and `revision` so the loading snippet names this exact version."""
    return render_template(TEMPLATE, card_context(manifest, license, repo=repo, revision=revision))


def render_template(template: str, context: dict) -> str:
    """Render `datacards/<template>` in a Jinja2 sandbox (the templates ship as editable files) with the card
    filters `num`, `pct` and `cell`."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(resource_dir("datacards"))),
        autoescape=False,  # Markdown, not HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(num=num, pct=pct, cell=cell)
    return env.get_template(template).render(**context)


def card_context(manifest: dict, license: str, *, repo: str | None, revision: str | None) -> dict:  # noqa: A002
    """The template's variables, precomputed from the manifest."""
    totals = manifest["stats"]["totals"]
    recipe = manifest.get("recipe") or {}
    return {
        **common_context(manifest, card_header(manifest, license), repo=repo, revision=revision),
        "input_pct": _share(totals.get("input_tokens", 0), totals.get("tokens", 0)),
        "output_pct": _share(totals.get("output_tokens", 0), totals.get("tokens", 0)),
        "unit": (recipe.get("mixture") or {}).get("unit", "tokens"),
        "rows_read": sum(int(s.get("rows_read") or 0) for s in manifest.get("sources", [])),
        "sources": _source_rows(manifest.get("sources", []), recipe.get("sources") or []),
        "filter_overrides": _filter_overrides(recipe.get("sources") or []),
        "mixture_lines": _mixture_lines(manifest.get("mixture")),
    }


def common_context(manifest: dict, header: dict, *, repo: str | None, revision: str | None) -> dict:
    """The variables every card template uses (build and pairs): header, totals, categories, funnel, rejected rows,
    the loading snippet's repo and revision, and the resolved recipe with a fence that cannot end early."""
    recipe_yaml = yaml.safe_dump(manifest.get("recipe") or {}, sort_keys=False, allow_unicode=True)
    return {
        "header_yaml": yaml.safe_dump(header, sort_keys=False, allow_unicode=True),
        "name": manifest["name"],
        "manifest": manifest,
        "totals": manifest["stats"]["totals"],
        "categories": [
            {"name": CATEGORIES[slug][0] if slug in CATEGORIES else slug, "slug": slug, **figures}
            for slug, figures in manifest["stats"]["categories"].items()
        ],
        "funnel": [{"action": "dropped", **entry} for entry in manifest.get("funnel", [])],
        "rows_rejected": sum(int(f.get("rows") or 0) for f in manifest.get("rejected", [])),
        "repo": repo,
        "revision": revision,
        "recipe_yaml": recipe_yaml,
        "fence": fence(recipe_yaml),
    }


def _source_rows(sources: list[dict], specs: list[dict]) -> list[dict]:
    """One table row per source; the category comes from the recipe's source spec when the report lacks it."""
    specs = specs if len(specs) == len(sources) else [{}] * len(sources)
    rows = []
    for source, spec in zip(sources, specs, strict=True):
        merged = {**spec, **{k: v for k, v in source.items() if v is not None}}
        category = merged.get("category") or (
            f"by `{merged['category_column']}`" if merged.get("category_column") else ""
        )
        rows.append(
            {
                "path": merged.get("path", ""),
                "format": merged.get("format") or "auto",
                "revision": merged.get("resolved") or merged.get("revision") or "",
                "category": category,
                "rows_read": merged.get("rows_read"),
                "rows_unreadable": merged.get("rows_unreadable"),
            }
        )
    return rows


def _filter_overrides(specs: list[dict]) -> list[dict]:
    """The sources that set filters of their own (`sources[].filters`) and what they set."""
    from hermes_data.filters.per_source import describe_overrides

    return [
        {"path": spec.get("path", ""), "filters": describe_overrides(spec["filters"])}
        for spec in specs
        if spec.get("filters")
    ]


def _mixture_lines(explanation: dict | None) -> list[str]:
    """The binding category and what the budget left out, as sentences (mixture/explain.py)."""
    if not explanation:
        return []
    from hermes_data.mixture.explain import describe_mixture

    return describe_mixture(explanation)


def _share(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def fence(text: str) -> str:
    """A backtick fence longer than any backtick run inside `text`, so the code block cannot end early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def num(value: object) -> str:
    return "" if value is None else f"{int(value):,}"


def pct(value: object) -> str:
    return "–" if value is None else f"{float(value):.1f}"


def cell(value: object) -> str:
    """Text safe inside a Markdown table cell."""
    return "" if value is None else str(value).replace("|", "\\|").replace("\r", " ").replace("\n", " ")
