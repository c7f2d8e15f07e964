"""Recipe pieces that more than one recipe declares (build, pairs, generate), declared once: the category field and
the token-length and validity filters."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from hermes_data.categories import check_slug
from hermes_data.recipe.strict import Strict

# One category slug for every row of a source or task (None: the rows carry their own).
CategorySlug = Annotated[str | None, AfterValidator(partial(check_slug, what="category"))]


class LengthFilters(Strict):
    """The filters every dataset recipe starts with: token bounds on a row (a pair: on each of prompt+chosen and
    prompt+rejected; the upper bound is the trainer's max_length) and dropping rows with validator issues."""

    min_tokens: int = Field(default=16, ge=0)
    max_tokens: int = Field(default=8192, gt=0)
    drop_invalid: bool = True

    @model_validator(mode="after")
    def _range(self) -> LengthFilters:
        if self.min_tokens >= self.max_tokens:
            raise ValueError(f"min_tokens ({self.min_tokens}) must be below max_tokens ({self.max_tokens})")
        return self
