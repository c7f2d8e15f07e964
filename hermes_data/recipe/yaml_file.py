"""A recipe file as a mapping; a YAML mistake is one line with the file and the line it is on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hermes_data.errors import RecipeError
from hermes_data.io.user_files import read_text


def load_yaml(path: str | Path) -> dict[str, Any]:
    """The recipe at `path`; a missing, unreadable, non-UTF-8 or non-mapping file is a RecipeError naming it."""
    path = Path(path)
    text = read_text(path, what="recipe", error=RecipeError)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RecipeError(f"{path}{_at(exc)}: not valid YAML ({_problem(exc)})") from None
    if not isinstance(data, dict):
        raise RecipeError(f"{path}: a recipe is a YAML mapping of settings (key: value lines), got {_kind(data)}")
    return data


def parse_yaml_value(text: str, origin: str) -> Any:
    """One value written in YAML (a `--set` value); a mistake is one line naming `origin`."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RecipeError(f"{origin}: not a valid YAML value ({_problem(exc)}); quote it if it is plain text") from None


def _at(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f":{mark.line + 1}" if mark is not None else ""


def _problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context, mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    # The context is where the unfinished thing began (`[` opened on line 2, found the end of the file on line 9).
    return f"{problem}, {context} on line {mark.line + 1}" if context and mark is not None else problem


def _kind(data: Any) -> str:
    return "an empty file" if data is None else f"a {type(data).__name__}"
