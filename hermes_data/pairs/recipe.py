"""The pairs recipe (`hermes-data pairs RECIPE`): sources of judged candidates or pair files, the margin, filters,
dedup and the output, validated strictly (unknown keys are errors that list the allowed ones)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from hermes_data.dedup.spec import DedupSpec
from hermes_data.formats import FORMATS
from hermes_data.pairs.readers import PAIR_FORMATS
from hermes_data.recipe import SAMPLE_PREFIX, Strict, check_sources, read_recipe, resolve_local
from hermes_data.recipe.fields import CategorySlug, LengthFilters

__all__ = ["SAMPLE_PREFIX", "PairSourceSpec", "PairsRecipe", "load_pairs_recipe"]


class PairSourceSpec(Strict):
    """One input: judged candidates (conversation records, as `hermes-data generate` writes them) or a pair file."""

    path: str
    kind: Literal["candidates", "pairs"] | None = None  # detected from the first row's keys when omitted
    format: Literal[FORMATS + PAIR_FORMATS] | None = None  # type: ignore[valid-type]
    config: str | None = None  # Hub dataset config
    revision: str | None = None
    split: str = "train"
    category: CategorySlug = None  # one slug for every pair of this source
    limit: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _format_fits_kind(self) -> PairSourceSpec:
        if self.kind == "pairs" and self.format and self.format not in PAIR_FORMATS:
            raise ValueError(f"format {self.format!r} is a conversation format; pair files are {PAIR_FORMATS}")
        if self.kind == "candidates" and self.format and self.format not in FORMATS:
            raise ValueError(f"format {self.format!r} is a pair container; candidates are read as {FORMATS}")
        return self


class PairFiltersSpec(LengthFilters):
    """min_tokens/max_tokens bound each of prompt+chosen and prompt+rejected (max: the DPO trainer's max_length);
    drop_invalid drops a pair with validator issues in either conversation."""


class PairsRecipe(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    seed: int = 0
    tokenizer: str = "llama3"
    license: str = "other"
    sources: list[PairSourceSpec] = Field(min_length=1)
    min_margin: float = Field(default=1.0, gt=0)  # judge points (1-10 scale) between chosen and rejected
    max_pairs_per_prompt: int = Field(default=1, ge=1)  # 1: the best against the lowest-scored reply
    filters: PairFiltersSpec = PairFiltersSpec()
    dedup: DedupSpec = DedupSpec()
    shard_rows: int = Field(default=50_000, gt=0)
    output: str

    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def load_pairs_recipe(path: str | Path, overrides: dict | None = None) -> PairsRecipe:
    """Read and validate a pairs recipe; relative source paths resolve against the recipe's folder, `output`
    against the working directory (as for build recipes)."""
    path = Path(path)
    recipe = read_recipe(PairsRecipe, path, overrides)
    check_sources([s.path for s in recipe.sources], str(path))
    base = path.resolve().parent
    for source in recipe.sources:
        source.path = resolve_local(source.path, base)
    recipe.output = str(Path(recipe.output).resolve())
    return recipe
