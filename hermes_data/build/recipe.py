"""The build recipe (issue 3): a declarative YAML file, validated strictly.

Unknown keys are errors that list the allowed ones; every error names the field. Defaults follow the paper.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_serializer,
    model_validator,
)

from hermes_data.categories import PAPER_SHARES, check_slug
from hermes_data.dedup.spec import DedupSpec
from hermes_data.errors import FormatError, RecipeError
from hermes_data.filters.refusal_config import RefusalsSettings
from hermes_data.formats import FORMATS
from hermes_data.formats.column_map import column_map
from hermes_data.recipe import Strict, check_sources, read_recipe, resolve_local
from hermes_data.recipe.fields import CategorySlug, LengthFilters
from hermes_data.validate.repair import REPAIRS


class FiltersSpec(LengthFilters):
    refusals: bool | RefusalsSettings = True  # true: the rules; an object picks the method (filters/refusal_config.py)
    empty_turns: bool = True
    template_placeholder: bool = True  # drop replies with unrendered `{{name}}` (filters/template_placeholder.py)
    model_priority: list[str] = []


# `model_priority` ranks models answering the same prompt across every source, so it has one value per build.
_NOT_PER_SOURCE = ("model_priority",)


class _SourceFiltersBase(Strict):
    @model_validator(mode="before")
    @classmethod
    def _not_per_source(cls, data: Any) -> Any:
        for key in _NOT_PER_SOURCE:
            if isinstance(data, dict) and key in data:
                raise ValueError(f"{key} ranks models across all sources, so it is set once, in the top-level filters")
        return data

    @model_serializer(mode="wrap")
    def _only_set(self, handler: Any) -> dict:
        # The keys the recipe wrote, not every key as null: the manifest's recipe and the cache key show the override.
        return {k: v for k, v in handler(self).items() if k in self.model_fields_set and v is not None}


def _optional(field: Any) -> Any:
    annotation = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
    return (annotation | None, None)


# A source's `filters`: any key of FiltersSpec (but `_NOT_PER_SOURCE`), same types and bounds, none required. Made
# from FiltersSpec so that a new filter setting is overridable per source without a second list to keep in step.
SourceFilters = create_model(
    "SourceFilters",
    __base__=_SourceFiltersBase,
    **{name: _optional(field) for name, field in FiltersSpec.model_fields.items() if name not in _NOT_PER_SOURCE},
)


class ReasoningSpec(Strict):
    """What to do with assistant reasoning a source carries (`reasoning_content`, kept in `meta` by the readers)."""

    mode: Literal["keep", "render", "drop"] = "keep"  # keep: meta only; render: into the answer text; drop: remove
    tag: str = "THINKING"  # render: the Hermes reasoning tag (paper §2.1) put before the answer

    @field_validator("tag")
    @classmethod
    def _hermes_tag(cls, v: str) -> str:
        from hermes_data.markup.reasoning import REASONING_TAGS

        if v not in REASONING_TAGS:
            raise ValueError(f"tag {v!r} is not a Hermes reasoning tag; use one of {', '.join(REASONING_TAGS)}")
        return v


class SourceSpec(Strict):
    """One input: a file, folder, glob, or a Hub dataset (`hub:org/name`)."""

    path: str
    format: Literal[FORMATS] | None = None  # type: ignore[valid-type]
    config: str | None = None  # Hub dataset config
    revision: str | None = None  # Hub revision (tag, branch or commit)
    split: str = "train"
    category: CategorySlug = None
    category_column: str | None = None  # a field of the input rows (kept in meta) holding the source's category
    category_map: dict[str, str] | None = None  # source value -> slug
    model: str | None = None
    limit: int | None = Field(default=None, gt=0)  # read at most this many rows (trying a recipe on big sources)
    # How the rows' columns, turn keys and role names map onto a known layout (formats/column_map.py).
    columns: dict[str, str] | None = None
    roles: dict[str, str] | None = None
    filters: SourceFilters | None = None  # this source's own filter settings over the recipe's `filters`

    def filter_overrides(self) -> dict:
        """The filter settings this source sets itself (key -> value as JSON), empty when none."""
        return self.filters.model_dump(mode="json") if self.filters else {}

    # Rows with images/audio (meta.non_text_parts): dropped as `non_text_content`, or kept with only their text parts.
    non_text: Literal["drop", "keep"] = "drop"
    reasoning: ReasoningSpec = ReasoningSpec()

    @model_validator(mode="after")
    def _column_map(self) -> SourceSpec:
        try:
            column_map(self.columns, self.roles)
        except FormatError as exc:
            raise ValueError(str(exc)) from None
        return self

    @field_validator("category_map")
    @classmethod
    def _map_slugs(cls, v: dict[str, str] | None) -> dict[str, str] | None:
        for source_value, slug in (v or {}).items():
            check_slug(slug, f"category_map[{source_value!r}] ->")
        return v

    @model_validator(mode="after")
    def _one_category_rule(self) -> SourceSpec:
        if self.category and (self.category_column or self.category_map):
            raise ValueError("give either category, or category_column with category_map, not both")
        if self.category_map and not self.category_column:
            self.category_column = "category"  # the common case: the source's own `category` field
        return self


class MixtureSpec(Strict):
    weights: dict[str, float] = dict(PAPER_SHARES)
    unit: Literal["tokens", "output_tokens", "rows"] = "tokens"
    total: float | None = Field(default=None, gt=0)
    max_upsample: float = Field(default=1.0, ge=1.0)

    @field_validator("weights")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        for slug, weight in v.items():
            check_slug(slug, "weights key")
            if weight < 0:
                raise ValueError(f"weight of {slug!r} is negative ({weight:g}); weights are shares >= 0")
        if not any(w > 0 for w in v.values()):
            raise ValueError("all weights are zero; give at least one category a positive share")
        return v


class BuildRecipe(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    seed: int = 0
    tokenizer: str = "llama3"
    license: str = "other"
    sources: list[SourceSpec] = Field(min_length=1)
    repair: list[Literal[REPAIRS]] = []  # type: ignore[valid-type]
    filters: FiltersSpec = FiltersSpec()
    dedup: DedupSpec = DedupSpec()
    mixture: MixtureSpec | None = MixtureSpec()
    shard_rows: int = Field(default=50_000, gt=0)
    output: str

    def source_filters(self) -> list[FiltersSpec]:
        """Each source's filter settings: the recipe's `filters` with the source's own keys over them. A combination
        that is invalid only together (min_tokens above the recipe's max_tokens) is a RecipeError naming the source's
        key."""
        merged = []
        for index, source in enumerate(self.sources):
            own = source.filter_overrides()
            if not own:
                merged.append(self.filters)
                continue
            try:
                merged.append(FiltersSpec.model_validate({**self.filters.model_dump(), **own}))
            except ValidationError as exc:
                error = exc.errors()[0]
                key = next((str(p) for p in error["loc"] if str(p) in own), next(iter(own)))
                raise RecipeError(
                    f"sources.{index}.filters.{key}: {error['msg'].removeprefix('Value error, ')} (with the recipe's "
                    "filters under it); change the source's filters or the recipe's"
                ) from None
        return merged

    def section_sha256(self, *sections: str) -> str:
        """Hash of the named sections of the resolved recipe (cache keys, the manifest's recipe_sha256)."""
        dumped = self.model_dump(mode="json")
        picked = {s: dumped[s] for s in sections} if sections else dumped
        return hashlib.sha256(json.dumps(picked, sort_keys=True).encode()).hexdigest()


def load_recipe(path: str | Path, overrides: dict | None = None) -> BuildRecipe:
    """Read and validate a build recipe.

    Relative source paths resolve against the recipe's folder (a recipe and its data travel together); `output`
    resolves against the working directory, so a recipe shipped inside the package never writes into it.
    """
    path = Path(path)
    recipe = read_recipe(BuildRecipe, path, overrides)
    check_sources([s.path for s in recipe.sources], str(path))
    try:
        recipe.source_filters()
    except RecipeError as exc:
        raise RecipeError(f"{path}: {exc}") from None
    base = path.resolve().parent
    for source in recipe.sources:
        source.path = resolve_local(source.path, base)
    recipe.output = str(Path(recipe.output).resolve())
    return recipe
