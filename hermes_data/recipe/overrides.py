"""`--set key=value` overrides: values parsed as YAML, dotted keys that reach nested settings and list items.

`--set sources.0.limit=10` sets `limit` of the first source; `--set filters.min_tokens=8` creates `filters` when the
recipe leaves it out. Later overrides win. Each mistake is one line naming the `--set` it comes from.
"""

from __future__ import annotations

import re
from typing import Any

from hermes_data.errors import RecipeError
from hermes_data.recipe.yaml_file import parse_yaml_value


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """`["a.b=1", "name=x"]` as `{"a.b": 1, "name": "x"}`, each value read as YAML (`[a, b]` is a list)."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise RecipeError(f"--set {item!r}: expected key=value, e.g. --set output=out/demo")
        out[key.strip()] = parse_yaml_value(value, f"--set {item}")
    return out


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any] | None) -> None:
    """Apply parsed overrides to a recipe mapping in place."""
    for dotted, value in (overrides or {}).items():
        _set(data, dotted, value)


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node: Any = data
    for depth, part in enumerate(parts):
        here = ".".join(parts[:depth]) or "the recipe"
        if isinstance(node, list):
            key: int | str = _index(part, node, dotted, here)
        elif isinstance(node, dict):
            key = part
        else:
            raise RecipeError(f"--set {dotted}: {here} is {node!r}, not a mapping or a list; set {here} itself")
        if depth == len(parts) - 1:
            node[key] = value
            return
        if isinstance(node, dict) and node.get(key) is None:
            node[key] = {}  # absent or null (`mixture: null`): the override creates the section
        node = node[key]


def _index(part: str, items: list, dotted: str, here: str) -> int:
    if not re.fullmatch(r"-?[0-9]+", part):
        raise RecipeError(f"--set {dotted}: {here} is a list; name an item by its index, e.g. {here}.0")
    index = int(part)
    if not -len(items) <= index < len(items):
        last = f"0 to {len(items) - 1}" if items else "none: the list is empty"
        raise RecipeError(f"--set {dotted}: {here} has {len(items)} item(s), no {here}.{part} (indexes {last})")
    return index
