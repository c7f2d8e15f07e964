"""JSON, or the Python literal that real data writes instead (DESIGN §4).

NousResearch/hermes-function-calling-v1 writes many tool lists, calls and JSON-mode schemas with `str(dict)`:
single quotes, `True`, `None`. Those parse with `ast.literal_eval`, which evaluates literals only (never `eval`),
and are then rewritten as JSON by the repair step.
"""

from __future__ import annotations

import ast
import json

# Literals that are not JSON values: sets, bytes, complex numbers, and dicts keyed by non-strings.
_JSON_SCALARS = (str, int, float, bool, type(None))


def loads_json_or_literal(text: str) -> tuple[object, bool]:
    """`(value, was_python_literal)` for JSON text, or for a Python literal that stands for a JSON value.

    Raises ValueError (with the JSON parser's message) when the text is neither.
    """
    try:
        return json.loads(text), False
    except json.JSONDecodeError as exc:
        json_error = exc
    except RecursionError:
        raise ValueError("nested too deeply to parse") from None
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise ValueError(f"not JSON ({json_error}) nor a Python literal") from None
    try:
        return _as_json_value(value), True
    except TypeError as exc:
        raise ValueError(f"Python literal that has no JSON form ({exc})") from None


def _as_json_value(value: object) -> object:
    """Tuples become lists; anything JSON cannot hold raises TypeError."""
    if isinstance(value, _JSON_SCALARS):
        return value
    if isinstance(value, (list, tuple)):
        return [_as_json_value(item) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("dict keys must be strings")
        return {key: _as_json_value(item) for key, item in value.items()}
    raise TypeError(f"{type(value).__name__} value")


def dumps(value: object) -> str:
    """The JSON text Hermes markup uses: default separators, non-ASCII kept as is."""
    return json.dumps(value, ensure_ascii=False)
