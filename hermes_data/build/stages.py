"""The build's curation stages, in order, made once from the recipe: the run (`pipeline.curate`), `--dry-run`
(`run.print_plan`) and the funnel all come from this list. Each stage's adapter lives with its filter
(hermes_data/filters/…, hermes_data/dedup/…); adding a filter is one module there and one entry here.
"""

from __future__ import annotations

from hermes_data.build.recipe import BuildRecipe
from hermes_data.stages import Stage


def build_stages(recipe: BuildRecipe, engine=None) -> list[Stage]:
    """The stages in order; `engine` (optional) runs near-dedup's per-batch signatures."""
    from hermes_data.dedup.exact import exact_dedup_stage
    from hermes_data.dedup.near import near_dedup_stage
    from hermes_data.filters.category import category_filter
    from hermes_data.filters.empty_turns import empty_turns_filter
    from hermes_data.filters.invalid import invalid_filter
    from hermes_data.filters.length import length_filter
    from hermes_data.filters.model_priority import model_priority_filter
    from hermes_data.filters.refusals import refusals_stage

    f, near = recipe.filters, recipe.dedup.near
    stages = [Stage("category", category_filter)]
    if f.empty_turns:
        stages.append(Stage("empty_turns", empty_turns_filter))
    stages.append(Stage("length", lambda t: length_filter(t, min_tokens=f.min_tokens, max_tokens=f.max_tokens)))
    if f.drop_invalid:
        stages.append(Stage("invalid", invalid_filter))
    if f.refusals:
        stages.append(Stage("refusals", lambda t: refusals_stage(t, f.refusals)))
    if f.model_priority:
        stages.append(Stage("model_priority", model_priority_filter))
    if recipe.dedup.exact:
        stages.append(Stage("dedup_exact", exact_dedup_stage))
    if near:
        stages.append(Stage("dedup_near", lambda t: near_dedup_stage(t, near, recipe.seed, engine)))
    return stages


def stage_names(recipe: BuildRecipe) -> list[str]:
    """Every step of a build in order, for `--dry-run`: reading and annotating, then `build_stages`, then the
    mixture and the write."""
    head = ["read", *(["repair"] if recipe.repair else []), "validate", "count_tokens"]
    tail = ["balance"] * bool(recipe.mixture) + ["write"]
    return [*head, *(s.name for s in build_stages(recipe)), *tail]
