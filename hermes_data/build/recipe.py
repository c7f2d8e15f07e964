"""The build recipe (issue 3): a declarative YAML file, validated strictly.

Unknown keys are errors that list the allowed ones; every error names the field. Defaults follow the paper.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from hermes_data.categories import PAPER_SHARES, SLUGS
from hermes_data.filters.refusal_config import RefusalsSettings
from hermes_data.formats import FORMATS
from hermes_data.recipe import Strict, check_sources, read_recipe, resolve_local

REPAIRS = ("python_literal",)


def _check_slug(value: str | None, what: str) -> str | None:
    if value is not None and value not in SLUGS:
        raise ValueError(f"{what} {value!r} is not a category; use one of {', '.join(SLUGS)}")
    return value


class SourceSpec(Strict):
    """One input: a file, folder, glob, or a Hub dataset (`hub:org/name`)."""

    path: str
    format: Literal[FORMATS] | None = None  # type: ignore[valid-type]
    config: str | None = None  # Hub dataset config
    revision: str | None = None  # Hub revision (tag, branch or commit)
    split: str = "train"
    category: str | None = None
    category_column: str | None = None  # a field of the input rows (kept in meta) holding the source's category
    category_map: dict[str, str] | None = None  # source value -> slug
    model: str | None = None
    limit: int | None = Field(default=None, gt=0)  # read at most this many rows (trying a recipe on big sources)

    @field_validator("category")
    @classmethod
    def _slug(cls, v: str | None) -> str | None:
        return _check_slug(v, "category")

    @field_validator("category_map")
    @classmethod
    def _map_slugs(cls, v: dict[str, str] | None) -> dict[str, str] | None:
        for source_value, slug in (v or {}).items():
            _check_slug(slug, f"category_map[{source_value!r}] ->")
        return v

    @model_validator(mode="after")
    def _one_category_rule(self) -> SourceSpec:
        if self.category and (self.category_column or self.category_map):
            raise ValueError("give either category, or category_column with category_map, not both")
        if self.category_map and not self.category_column:
            self.category_column = "category"  # the common case: the source's own `category` field
        return self


class FiltersSpec(Strict):
    min_tokens: int = Field(default=16, ge=0)
    max_tokens: int = Field(default=8192, gt=0)
    drop_invalid: bool = True
    refusals: bool | RefusalsSettings = True  # true: the rules; an object picks the method (filters/refusal_config.py)
    empty_turns: bool = True
    model_priority: list[str] = []

    @model_validator(mode="after")
    def _range(self) -> FiltersSpec:
        if self.min_tokens >= self.max_tokens:
            raise ValueError(f"min_tokens ({self.min_tokens}) must be below max_tokens ({self.max_tokens})")
        return self


class NearDedupSpec(Strict):
    threshold: float = Field(default=0.8, gt=0, le=1)
    num_perm: int = Field(default=128, ge=16, le=1024)
    ngram: int = Field(default=5, ge=1, le=20)


class DedupSpec(Strict):
    exact: bool = True
    near: NearDedupSpec | None = NearDedupSpec()


class MixtureSpec(Strict):
    weights: dict[str, float] = dict(PAPER_SHARES)
    unit: Literal["tokens", "output_tokens", "rows"] = "tokens"
    total: float | None = Field(default=None, gt=0)
    max_upsample: float = Field(default=1.0, ge=1.0)

    @field_validator("weights")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        for slug, weight in v.items():
            _check_slug(slug, "weights key")
            if weight < 0:
                raise ValueError(f"weight of {slug!r} is negative ({weight}); weights are shares >= 0")
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
    base = path.resolve().parent
    for source in recipe.sources:
        source.path = resolve_local(source.path, base)
    recipe.output = str(Path(recipe.output).resolve())
    return recipe
