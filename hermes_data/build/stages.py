"""The build's curation stages, in order, made once from the recipe: the run (`pipeline.curate`), `--dry-run`
(`run.print_plan`) and the funnel all come from this list. Each stage's adapter lives with its filter
(hermes_data/filters/…, hermes_data/dedup/…); adding a filter is one module there and one entry here.

A filter's setting may differ per source (`sources[].filters`): the stage is in the list when any source runs it,
and `filters.per_source.by_source` gives each source's rows its own setting (a source that turns it off keeps them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hermes_data.build.recipe import BuildRecipe, FiltersSpec
from hermes_data.stages import Stage


def build_stages(recipe: BuildRecipe, engine=None) -> list[Stage]:
    """The stages in order; `engine` (hermes_data.engine) runs the refusal rules and the per-row parts of
    near-dedup on its workers, batch by batch."""
    from hermes_data.dedup.exact import exact_dedup_stage
    from hermes_data.dedup.near import near_dedup_stage
    from hermes_data.filters.category import category_filter
    from hermes_data.filters.empty_turns import empty_turns_filter
    from hermes_data.filters.invalid import invalid_filter
    from hermes_data.filters.length import length_filter
    from hermes_data.filters.model_priority import model_priority_filter
    from hermes_data.filters.non_text import non_text_filter
    from hermes_data.filters.refusals import refusals_stage
    from hermes_data.filters.template_placeholder import template_placeholder_filter

    per_source = recipe.source_filters()
    f, near = recipe.filters, recipe.dedup.near
    stages = [Stage("category", category_filter), Stage("content", non_text_filter)]

    def add(name: str, setting: Callable[[FiltersSpec], Any], run: Callable) -> None:
        """A filter stage; `setting(filters)` is its setting for one source (None/False: off there)."""
        from hermes_data.filters.per_source import any_on, by_source

        settings = [setting(s) for s in per_source]
        if any_on(settings):
            stages.append(Stage(name, lambda t: by_source(t, settings, run)))

    add("empty_turns", lambda s: s.empty_turns, lambda t, _: empty_turns_filter(t))
    add(
        "length",
        lambda s: (s.min_tokens, s.max_tokens),
        lambda t, v: length_filter(t, min_tokens=v[0], max_tokens=v[1]),
    )
    add("invalid", lambda s: s.drop_invalid, lambda t, _: invalid_filter(t))
    add("refusals", lambda s: s.refusals, _on_workers(refusals_stage, engine))
    add("template_placeholder", lambda s: s.template_placeholder, lambda t, _: template_placeholder_filter(t))
    if f.model_priority:
        stages.append(Stage("model_priority", model_priority_filter))
    if recipe.dedup.exact:
        stages.append(Stage("dedup_exact", exact_dedup_stage))
    if near:
        stages.append(Stage("dedup_near", lambda t: near_dedup_stage(t, near, recipe.seed, engine)))
    return stages


def _on_workers(stage: Callable, engine) -> Callable:
    """`stage(table, setting)` per record batch on `engine`'s workers when it is a rule over each row alone; model
    methods (a classifier, an LLM judge) decide here, once over the whole table (one model, one journal)."""
    from functools import partial

    from hermes_data.stages.batches import verdict_on_batches

    def run(table, setting):
        rules_only = setting is True or getattr(setting, "method", None) == "rules"
        if engine is None or engine.workers == 1 or not rules_only:
            return stage(table, setting)
        return verdict_on_batches(engine, partial(stage, settings=setting), table)

    return run


def stage_names(recipe: BuildRecipe) -> list[str]:
    """Every step of a build in order, for `--dry-run`: reading and annotating, then `build_stages`, then the
    mixture and the write."""
    head = ["read", *(["repair"] if recipe.repair else []), "validate", "count_tokens"]
    tail = ["balance"] * bool(recipe.mixture) + ["write"]
    return [*head, *(s.name for s in build_stages(recipe)), *tail]
