"""One recipe toolkit for `hermes_data`: strict models, YAML files with line numbers, `--set` overrides that reach
list items, and recipe/sample names resolved in one place. Every mistake is one RecipeError line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from hermes_data.recipe.names import (
    NOT_LOCAL,
    SAMPLE_PREFIX,
    check_sources,
    resolve_local,
    resolve_recipe,
    resolve_sample,
)
from hermes_data.recipe.overrides import apply_overrides, parse_overrides
from hermes_data.recipe.strict import Strict, describe, parse_model
from hermes_data.recipe.yaml_file import load_yaml

__all__ = [
    "NOT_LOCAL",
    "SAMPLE_PREFIX",
    "Strict",
    "apply_overrides",
    "check_sources",
    "describe",
    "load_yaml",
    "parse_model",
    "parse_overrides",
    "read_recipe",
    "resolve_local",
    "resolve_recipe",
    "resolve_sample",
]

M = TypeVar("M", bound=BaseModel)


def read_recipe(model: type[M], path: str | Path, overrides: dict[str, Any] | None = None) -> M:
    """The file at `path` with `overrides` applied, validated as `model`."""
    data = load_yaml(path)
    apply_overrides(data, overrides)
    return parse_model(model, data, str(path))
