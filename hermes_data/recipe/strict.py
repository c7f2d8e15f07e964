"""The strict pydantic base of every recipe, and its validation errors as one line naming the field.

An unknown key lists the allowed ones at that level (`filters: unknown key 'min_token'; allowed keys: …`), so a
typo is fixed without opening the docs.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from hermes_data.errors import RecipeError


class Strict(BaseModel):
    """A recipe section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


def parse_model(model: type[BaseModel], data: dict[str, Any], origin: str) -> BaseModel:
    """Validate `data` as `model`; the first error becomes `origin: field.path: what is wrong`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RecipeError(describe(model, exc, origin)) from None


def describe(model: type[BaseModel], exc: ValidationError, origin: str) -> str:
    errors = exc.errors()
    first = errors[0]
    loc = [p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
    field = ".".join(str(p) for p in loc) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    if first["type"] == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        hint = f"; allowed keys: {', '.join(allowed)}" if allowed else ""
        return f"{origin}: unknown key '{field}'{hint}{more}"
    value = first.get("input")
    shown = "" if isinstance(value, dict | list) or value is None else f" (got {value!r})"
    msg = first["msg"].removeprefix("Value error, ")
    return f"{origin}: {field}: {msg}{shown}{more}"


def _allowed_keys(model: type[BaseModel], loc: list) -> list[str]:
    """Field names of the model found by following `loc` through nested models, lists and dicts."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = current.model_fields.get(part) if _is_model(current) else None
        current = _inner_model(field.annotation) if field else None
    return sorted(current.model_fields) if _is_model(current) else []


def _is_model(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, BaseModel)


def _inner_model(annotation: Any) -> Any:
    if _is_model(annotation):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
