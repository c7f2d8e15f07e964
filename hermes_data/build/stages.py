"""The build's curation stages, in order, made once from the recipe: the run (`pipeline.curate`), `--dry-run`
(`run.print_plan`) and the funnel all come from this list. Each stage's adapter lives with its filter
(hermes_data/filters/…, hermes_data/dedup/…); adding a filter is one module there and one entry here.

A filter's setting may differ per source (`sources[].filters`): the stage is in the list when any source runs it,
and `filters.per_source.by_source` gives each source's rows its own setting (a source that turns it off keeps them).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from hermes_data.build.recipe import BuildRecipe, FiltersSpec
from hermes_data.stages import Stage


def build_stages(recipe: BuildRecipe, engine=None) -> list[Stage]:
    """The stages in order; `engine` (hermes_data.engine) runs the refusal rules and the per-row parts of
    near-dedup on its workers, batch by batch."""
    from hermes_data.dedup.exact import exact_dedup_stage
    from hermes_data.filters.category import category_filter
    from hermes_data.filters.empty_turns import empty_turns_filter
    from hermes_data.filters.invalid import invalid_filter
    from hermes_data.filters.model_priority import model_priority_filter
    from hermes_data.filters.non_text import non_text_filter
    from hermes_data.filters.refusals import refusals_stage
    from hermes_data.filters.template_placeholder import template_placeholder_filter

    per_source = recipe.source_filters()
    f, near = recipe.filters, recipe.dedup.near
    stages = [Stage("category", category_filter), Stage("content", non_text_filter)]

    def add(name: str, setting: Callable[[FiltersSpec], Any], run: Callable, text: str = "", on=None) -> None:
        """A filter stage; `setting(filters)` is its setting for one source (None/False: off there). `run(rows,
        setting)` is a top-level function, so the stage pickles and can run on `on`'s workers."""
        from hermes_data.filters.per_source import any_on, by_source

        settings = [setting(s) for s in per_source]
        if any_on(settings):
            stages.append(Stage(name, partial(by_source, settings=settings, run=run), text=text, engine=on))

    add("empty_turns", lambda s: s.empty_turns, partial(_setting_free, fn=empty_turns_filter), text="rows")
    add("length", lambda s: (s.min_tokens, s.max_tokens), _length)
    add("invalid", lambda s: s.drop_invalid, partial(_setting_free, fn=invalid_filter), text="rows")
    # The rules judge each reply alone: batch by batch on the workers. A model (classifier, LLM judge) decides
    # here, over every row at once (one model, one journal).
    rules_only = all(_rules_only(s.refusals) for s in per_source)
    text, on = ("rows", engine) if rules_only else ("table", None)
    add("refusals", lambda s: s.refusals, refusals_stage, text=text, on=on)
    placeholders = partial(_setting_free, fn=template_placeholder_filter)
    add("template_placeholder", lambda s: s.template_placeholder, placeholders, text="rows")
    if f.model_priority:
        stages.append(Stage("model_priority", model_priority_filter))
    if recipe.dedup.exact:
        stages.append(Stage("dedup_exact", exact_dedup_stage))
    if near:
        stages.append(Stage("dedup_near", partial(_near, spec=near, seed=recipe.seed, engine=engine), text="stream"))
    return stages


def _rules_only(setting) -> bool:
    return not setting or setting is True or getattr(setting, "method", None) == "rules"


def _length(table, limits):
    from hermes_data.filters.length import length_filter

    return length_filter(table, min_tokens=limits[0], max_tokens=limits[1])


def _setting_free(table, _setting, *, fn):
    """A filter whose only setting is on or off: `by_source` passes the setting, `fn(table)` needs none (a partial
    of this with a module-level `fn` still pickles, so the stage could run on workers)."""
    return fn(table)


def _near(table, chunks=None, *, spec, seed, engine):
    from hermes_data.dedup.near import near_dedup_stage

    return near_dedup_stage(table, spec, seed, engine, chunks)


def stage_names(recipe: BuildRecipe) -> list[str]:
    """Every step of a build in order, for `--dry-run`: reading and annotating, then `build_stages`, then the
    mixture and the write."""
    head = ["read", *(["repair"] if recipe.repair else []), "validate", "count_tokens"]
    tail = ["balance"] * bool(recipe.mixture) + ["write"]
    return [*head, *(s.name for s in build_stages(recipe)), *tail]
