"""Compiled JSON Schema validators, cached by the schema's JSON text.

Checking a schema against its meta-schema costs far more than validating one call with it, and real data repeats
the same tool definitions and JSON-mode schemas across many rows, so each distinct schema is checked and compiled
once per process.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError
from jsonschema.validators import validator_for
from referencing.exceptions import Unresolvable

MAX_ERRORS = 3  # validation errors quoted per call or answer; more only make the message longer


class CompiledSchema:
    """A checked schema: `error` says why it is not valid JSON Schema, else `validate` lists violations."""

    __slots__ = ("error", "_validator")

    def __init__(self, schema: Any) -> None:
        self.error: str | None = None
        self._validator = None
        cls = validator_for(schema, default=Draft202012Validator) if isinstance(schema, dict) else None
        if cls is None:
            self.error = f"a schema must be an object, not {type(schema).__name__}"
            return
        try:
            cls.check_schema(schema)
        except SchemaError as exc:
            self.error = f"{_clip(exc.message)} (at {_path(exc.absolute_path) or 'the top level'})"
            return
        self._validator = cls(schema)

    def violations(self, instance: Any) -> list[str]:
        """Messages of the first few validation errors in path order; [] when `instance` is valid."""
        if self._validator is None:
            return []
        try:
            errors = sorted(self._validator.iter_errors(instance), key=lambda e: (list(map(str, e.path)), e.message))
        except (Unresolvable, ValidationError) as exc:  # a $ref that points nowhere: the schema's fault
            return [f"schema cannot be applied: {exc}"]
        shown = [f"{_path(e.absolute_path)}: {_clip(e.message)}" for e in errors[:MAX_ERRORS]]
        if len(errors) > MAX_ERRORS:  # on the last message: callers prefix each one ("arguments/x: …")
            shown[-1] += f" (and {len(errors) - MAX_ERRORS} more)"
        return shown


def compile_schema(schema: Any) -> CompiledSchema:
    """The cached compiled form of `schema` (keyed by its JSON text, so equal schemas share one validator)."""
    try:
        key = json.dumps(schema, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return CompiledSchema(schema)
    return _compile_cached(key)


@lru_cache(maxsize=8192)
def _compile_cached(key: str) -> CompiledSchema:
    return CompiledSchema(json.loads(key))


def _path(path) -> str:
    """`/a/0/b` for a nested location, "" for the top level (callers prefix what the instance is)."""
    return "".join(f"/{p}" for p in path)


def _clip(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
