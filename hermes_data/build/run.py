"""`run_build`: load tokenizer, curate, balance, write; and the plan that `--dry-run` prints."""

from __future__ import annotations

import time
from typing import NamedTuple

import pyarrow as pa
from rich.console import Console
from rich.table import Table

from hermes_data.build.mix import category_stats, mix
from hermes_data.build.pipeline import COMPACT_REJECTED_SCHEMA, curate
from hermes_data.build.recipe import BuildRecipe
from hermes_data.build.stages import stage_names
from hermes_data.build.text_store import Joined
from hermes_data.categories import CATEGORIES
from hermes_data.engine import Engine, InlineEngine
from hermes_data.io.sources import resolve_paths


class Balanced(NamedTuple):
    output: pa.Table  # the mixture, in output order
    rejected: pa.Table  # every dropped row with its stage and reason (curation's and the balance's), compact
    categories: dict
    totals: dict
    mixture: dict | None = None  # why the mix is the size it is (mixture/explain.py)


def run_build(recipe: BuildRecipe, console: Console | None = None, engine: Engine | None = None) -> dict:
    """Build the recipe's output folder and return its manifest. `engine` (hermes_data.engine, default this
    process) runs the per-batch work; the manifest records it beside, not inside, the hashed content."""
    from hermes_data.tokenizer import load_tokenizer

    console = console or Console()
    engine = engine or InlineEngine()
    start = time.perf_counter()
    tokenizer = load_tokenizer(recipe.tokenizer)
    curated = curate(recipe, tokenizer, console, engine)
    try:
        balanced = balance(recipe, curated)
        extra = {
            "cached_curation": curated.cached,
            "seconds": round(time.perf_counter() - start, 2),
            "engine": engine.describe(),
        }
        manifest = write_output(recipe, curated, balanced, extra=extra, engine=engine)
    finally:
        curated.text.close()  # the spilled text (text_store.py) is not needed past the write
    print_summary(console, recipe, manifest)
    return manifest


def balance(recipe: BuildRecipe, curated) -> Balanced:
    """The token-share mixture of the curated rows, its per-category stats, and all rejected rows."""
    paths = [s.path for s in recipe.sources]
    output, left_out, targets, explanation = mix(curated.table, recipe.mixture, recipe.seed, curated.funnel, paths)
    unit = recipe.mixture.unit if recipe.mixture else "tokens"
    categories, totals = category_stats(output, targets, unit)
    rejected = curated.rejected + ([left_out.cast(COMPACT_REJECTED_SCHEMA)] if left_out is not None else [])
    rejected_table = pa.concat_tables(rejected) if rejected else COMPACT_REJECTED_SCHEMA.empty_table()
    return Balanced(output, rejected_table, categories, totals, explanation)


def write_output(
    recipe: BuildRecipe, curated, balanced: Balanced, *, extra: dict | None = None, engine: Engine | None = None
) -> dict:
    """Write the build folder (atomically) and return its manifest; `engine`'s workers encode the shards."""
    from hermes_data.build.output import write_build

    return write_build(
        recipe.output,
        # Compact rows joined with their text a shard at a time (text_store.py): the text is never all in memory.
        kept=Joined(balanced.output, curated.text),
        rejected=Joined(balanced.rejected, curated.text),
        recipe=recipe.model_dump(mode="json"),
        recipe_sha256=recipe.section_sha256(),
        sources=curated.sources,
        categories=balanced.categories,
        funnel=curated.funnel.entries,
        totals=balanced.totals,
        shard_rows=recipe.shard_rows,
        license=recipe.license,
        extra={**(extra or {}), **({"mixture": balanced.mixture} if balanced.mixture else {})},
        map_ordered=engine.map_ordered if engine is not None and engine.workers > 1 else None,
    )


def print_summary(console: Console, recipe: BuildRecipe, manifest: dict) -> None:
    stats = manifest["stats"]
    table = Table(title=f"{recipe.name}: {stats['totals']['rows']:,} rows, {stats['totals']['tokens']:,} tokens")
    for col in ("category", "rows", "tokens", "output tokens", "share %", "target %"):
        table.add_column(col, justify="left" if col == "category" else "right")
    for slug, c in stats["categories"].items():
        target = "" if c.get("target") is None else f"{c['target']:.1f}"
        table.add_row(
            CATEGORIES[slug][0],
            f"{c['rows']:,}",
            f"{c['tokens']:,}",
            f"{c['output_tokens']:,}",
            f"{c['share']:.1f}",
            target,
        )
    console.print(table)
    if manifest.get("mixture"):
        from hermes_data.mixture.explain import describe_mixture

        for line in describe_mixture(manifest["mixture"]):
            console.print(line, soft_wrap=True)
    dropped = [e for e in manifest["funnel"] if e.get("action", "dropped") == "dropped"]
    if dropped:
        funnel = Table(title="filter funnel")
        for col in ("stage", "reason", "rows", "tokens"):
            funnel.add_column(col, justify="right" if col in ("rows", "tokens") else "left")
        for e in dropped:
            funnel.add_row(e["stage"], e["reason"], f"{e['rows']:,}", f"{e['tokens']:,}")
        console.print(funnel)
    for e in manifest["funnel"]:
        if e.get("action") == "repaired":
            console.print(f"repair {e['reason']}: {e['rows']:,} rows repaired and kept ({e['tokens']:,} tokens)")
        if e.get("action") == "not_checked":
            console.print(f"{e['stage']}: {e['rows']:,} rows not checked (the rules cover English only)")
    console.print(f"wrote {recipe.output} (content_sha256 {manifest['content_sha256'][:16]}…)")


def print_plan(console: Console, recipe: BuildRecipe) -> dict:
    """What a build would do: sources with row counts and filter overrides, the stages in order, the mixture; reads
    no tokens. Raises a RecipeError naming every weighted category no source has rows for, after the plan."""
    from collections import Counter

    from hermes_data.build.sources import iter_source
    from hermes_data.filters.per_source import describe_overrides
    from hermes_data.io.sources import SourceReport

    plan = {"name": recipe.name, "output": recipe.output, "sources": [], "stages": stage_names(recipe)}
    categories: Counter = Counter()
    for spec in recipe.sources:
        paths = resolve_paths(spec)
        report = SourceReport(path=spec.path, format=spec.format, resolved=",".join(paths))
        rows = 0
        for item in iter_source(spec, report, paths):
            rows += 1
            categories[item["category"]] += 1
        entry = {"path": spec.path, "files": paths, "rows": rows, "unreadable": report.rows_unreadable}
        plan["sources"].append({**entry, "filters": spec.filter_overrides()})
        console.print(
            f"source {spec.path}: {rows:,} rows ({report.rows_unreadable} unreadable) from {len(paths)} input(s)",
            soft_wrap=True,  # long paths must not break a line's figures apart (scripts grep this output)
        )
        if spec.filter_overrides():
            console.print(f"  filters for this source: {describe_overrides(spec.filter_overrides())}", soft_wrap=True)
    console.print("stages: " + " → ".join(plan["stages"]), soft_wrap=True)
    if recipe.mixture:
        console.print(
            f"mixture: unit={recipe.mixture.unit} total={recipe.mixture.total} "
            f"max_upsample={recipe.mixture.max_upsample} weights={recipe.mixture.weights}",
            soft_wrap=True,
        )
    console.print(f"output: {recipe.output} (not written: dry run)", soft_wrap=True)
    if recipe.mixture:
        from hermes_data.mixture.explain import check_categories_present

        check_categories_present(recipe.mixture.weights, categories)
    return plan
