"""`run_pairs`: load the tokenizer, curate, write; and the plan that `--dry-run` prints."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from hermes_data.pairs.pipeline import build_stages
from hermes_data.pairs.recipe import PairsRecipe
from hermes_data.pairs.record import PAIR_FIELDS, PAIR_SCHEMA, REJECTED_CANDIDATE_SCHEMA, REJECTED_PAIR_SCHEMA


def run_pairs(recipe: PairsRecipe, console: Console | None = None) -> dict:
    """Build the recipe's pair folder and return its manifest."""
    from hermes_data.pairs.output import write_pairs
    from hermes_data.pairs.pipeline import curate_pairs
    from hermes_data.pairs.stats import category_figures, margin_figures, pair_totals
    from hermes_data.tokenizer import load_tokenizer

    console = console or Console()
    tokenizer = load_tokenizer(recipe.tokenizer)
    curated = curate_pairs(recipe, tokenizer, console)
    table = curated.table
    manifest = write_pairs(
        recipe.output,
        kept=table.select(list(PAIR_FIELDS)).cast(PAIR_SCHEMA),
        rejected_pairs=curated.rejected_pairs.select(REJECTED_PAIR_SCHEMA.names).cast(REJECTED_PAIR_SCHEMA),
        rejected_candidates=curated.rejected_candidates.select(REJECTED_CANDIDATE_SCHEMA.names).cast(
            REJECTED_CANDIDATE_SCHEMA
        ),
        recipe=recipe.model_dump(mode="json"),
        recipe_sha256=recipe.sha256(),
        sources=curated.sources,
        categories=category_figures(table),
        funnel=curated.funnel.entries,
        totals=pair_totals(table, num_candidates=curated.num_candidates, num_pairs_read=_pairs_read(curated)),
        margins=margin_figures(table),
        shard_rows=recipe.shard_rows,
        license=recipe.license,
    )
    print_summary(console, manifest, recipe.output)
    return manifest


def _pairs_read(curated) -> int:
    return sum(s["rows_read"] for s in curated.sources if str(s["format"]).startswith("pairs"))


def print_summary(console: Console, manifest: dict, output: str) -> None:
    totals = manifest["stats"]["totals"]
    table = Table(title=f"{manifest['name']}: {totals['rows']:,} pairs, {totals['tokens']:,} tokens")
    for col in ("category", "pairs", "share %", "mean margin"):
        table.add_column(col, justify="left" if col == "category" else "right")
    for slug, c in manifest["stats"]["categories"].items():
        margin = "" if c["mean_margin"] is None else f"{c['mean_margin']:.2f}"
        table.add_row(slug, f"{c['rows']:,}", f"{c['share']:.1f}", margin)
    console.print(table)
    if manifest["funnel"]:
        funnel = Table(title="funnel")
        for col in ("stage", "reason", "rows", "tokens"):
            funnel.add_column(col, justify="right" if col in ("rows", "tokens") else "left")
        for e in manifest["funnel"]:
            funnel.add_row(e["stage"], e["reason"], f"{e['rows']:,}", f"{e['tokens']:,}")
        console.print(funnel)
    console.print(f"wrote {output} (content_sha256 {manifest['content_sha256'][:16]}…)", soft_wrap=True)


def print_plan(console: Console, recipe: PairsRecipe) -> dict:
    """What a run would do: sources with kinds and row counts, the stages in order; counts no tokens."""
    from hermes_data.pairs.sources import read_sources

    inputs = read_sources(recipe.sources)
    stages = ["read", "candidates", "pairing", *(s.name for s in build_stages(recipe) if s.name != "read"), "write"]
    plan = {"name": recipe.name, "output": recipe.output, "sources": [r.as_dict() for r in inputs.reports]}
    plan["stages"] = stages
    for report in inputs.reports:
        console.print(
            f"source {report.path} ({report.format}): {report.rows_read:,} rows ({report.rows_unreadable} unreadable)",
            soft_wrap=True,
        )
    console.print(
        f"candidates: {len(inputs.candidates):,}; pairs read: {len(inputs.pairs):,}; min_margin {recipe.min_margin}, "
        f"max_pairs_per_prompt {recipe.max_pairs_per_prompt}",
        soft_wrap=True,
    )
    console.print("stages: " + " → ".join(stages), soft_wrap=True)
    console.print(f"output: {recipe.output} (not written: dry run)", soft_wrap=True)
    return plan
