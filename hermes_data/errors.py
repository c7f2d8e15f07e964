"""The project's exception hierarchy.

User mistakes raise a subclass of `HermesError`; the CLI prints its message as one line and exits 2, never with a
traceback. Messages name the thing (file and line, row id, recipe field) and what to do about it.
"""

from __future__ import annotations


class HermesError(Exception):
    """Base class of every error a user can cause and fix."""


class RecipeError(HermesError):
    """A recipe that does not parse or validate; the message names the field."""


class DataError(HermesError):
    """Input data that cannot be read: missing file, undecodable row, unknown format."""


class FormatError(DataError):
    """Input whose format is unknown or ambiguous."""


def where(path: object, line: int | None = None) -> str:
    """`path:line` prefix for error messages (line is 1-based, as editors show it)."""
    return f"{path}:{line}" if line is not None else str(path)


def with_article(word: str) -> str:
    """`a tool`, `an assistant`, `an int`: the article goes by the first letter, which fits the words messages use
    (roles and Python type names)."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
