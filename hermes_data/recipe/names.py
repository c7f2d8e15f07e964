"""What a recipe argument or a source path names: a file, a shipped recipe (`demo`, `pairs-demo`), or a file of
the embedded sample (`sample:conversations.jsonl`). One place, so every command resolves them alike."""

from __future__ import annotations

from pathlib import Path

from hermes_data.errors import RecipeError

SAMPLE_PREFIX = "sample:"
# Source paths that are not files next to the recipe: Hub datasets and the embedded sample.
NOT_LOCAL = ("hub:", "hf://", SAMPLE_PREFIX)


def resolve_recipe(arg: str) -> Path:
    """The recipe file a command argument names: a path when it looks like one or exists, else a shipped recipe."""
    from hermes_data.resources import recipe_path

    path = Path(arg)
    if path.exists() or arg.endswith((".yaml", ".yml")) or "/" in arg:
        return path
    return recipe_path(arg)


def resolve_sample(source_path: str, origin: str = "sources", default: str = "conversations.jsonl") -> Path:
    """The file of the embedded sample that `sample:NAME` names; a name not in it is one line listing the files."""
    from hermes_data.sample import FILES, sample_path

    name = source_path[len(SAMPLE_PREFIX) :] or default
    if name not in FILES:
        known = ", ".join(f"{SAMPLE_PREFIX}{f}" for f in FILES)
        raise RecipeError(f"{origin}: {source_path!r} is not a file of the embedded sample; use one of {known}")
    return sample_path(name)


def check_sources(paths: list[str], origin: str) -> None:
    """Resolve every `sample:` source now, so a typo is a recipe error before anything is read."""
    for i, path in enumerate(paths):
        if path.startswith(SAMPLE_PREFIX):
            resolve_sample(path, f"{origin}: sources.{i}.path")


def resolve_local(source_path: str, base: Path) -> str:
    """A source path as the reader gets it: relative files resolve against the recipe's folder (a recipe and its
    data travel together); Hub ids and sample names are left as written."""
    if source_path.startswith(NOT_LOCAL) or Path(source_path).is_absolute():
        return source_path
    return str(base / source_path)
