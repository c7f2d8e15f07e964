"""The `dedup:` section of build and pairs recipes: exact dedup on or off, and near-dedup's MinHash settings."""

from __future__ import annotations

from pydantic import Field

from hermes_data.recipe import Strict


class NearDedupSpec(Strict):
    threshold: float = Field(default=0.8, gt=0, le=1)
    num_perm: int = Field(default=128, ge=16, le=1024)
    ngram: int = Field(default=5, ge=1, le=20)


class DedupSpec(Strict):
    exact: bool = True
    near: NearDedupSpec | None = NearDedupSpec()
