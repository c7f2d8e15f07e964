"""The structures a recipe names by file: tool definitions (tool_episode's `tool_files`) and JSON Schemas
(json_mode's `json_schema: file.json`), read and checked when the recipe loads, so a bad file is one line before
anything runs."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from hermes_data.errors import RecipeError
from hermes_data.markup.problems import Problem
from hermes_data.markup.tool_calling import normalize_tools
from hermes_data.validate.schemas import compile_schema


def _read_json(path: str, field: str, *, lines: bool = False) -> object:
    """The JSON value of `path`; with `lines`, a `.jsonl` file is the list of its lines' values."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        if lines and path.endswith(".jsonl"):
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        return json.loads(text)
    except (OSError, ValueError) as exc:
        raise RecipeError(f"{field}: {path}: not a readable JSON file ({exc}); give a JSON file") from None


@lru_cache(maxsize=64)
def load_tool_files(paths: tuple[str, ...]) -> list[dict]:
    """The tools of `paths`, normalized like a row's: each file one definition, a list of them, or one per line
    (`.jsonl`, as the Berkeley function-calling leaderboard ships its function docs); a definition an
    OpenAI tool, a bare function ({name, description, parameters}) or a titled JSON Schema of the arguments (what
    pydantic's `model_json_schema()` writes: its title names the function)."""
    found: list = []
    for path in paths:
        value = _read_json(path, "tool_files", lines=True)
        found.extend(_as_function(v) for v in (value if isinstance(value, list) else [value]))
    tools, problems = normalize_tools(found)
    for tool in tools or []:
        problem = schema_problem(tool["function"].get("parameters", {"type": "object"}))
        if problem:
            problems.append(Problem("tools_invalid", f"{tool['function']['name']}: parameters: {problem}"))
    if problems or not tools:
        detail = problems[0].message if problems else "no tool definitions"
        raise RecipeError(f"tool_files: {detail}; each tool needs a name and JSON Schema parameters")
    return tools


def _as_function(value: object) -> object:
    if isinstance(value, dict) and "name" not in value and "function" not in value and "title" in value:
        schema = {k: v for k, v in value.items() if k not in ("title", "description")}
        return {"name": value["title"], "description": value.get("description", ""), "parameters": schema}
    return value


def schema_problem(schema: object) -> str | None:
    """Why `schema` is not a usable JSON Schema for JSON mode, or None."""
    if not isinstance(schema, dict):
        return f"a JSON Schema must be an object, not {type(schema).__name__}"
    return compile_schema(schema).error


def load_json_schema(value: dict | str, field: str) -> dict:
    """An inline schema, or the one in the file `value` names; RecipeError when it is not valid JSON Schema."""
    schema = _read_json(value, field) if isinstance(value, str) else value
    problem = schema_problem(schema)
    if problem:
        raise RecipeError(f"{field}: not a valid JSON Schema ({problem}); fix the schema")
    return schema
