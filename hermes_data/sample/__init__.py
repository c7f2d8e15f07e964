"""The embedded sample: original Hermes ShareGPT conversations shipped inside the package (see README.md here).

`conversations.jsonl` holds valid rows for all eight categories and drives the demo mixture and the tiny training
run; `defective.jsonl` holds one labelled row per validator error code (`expected_error`); `candidates.jsonl`
holds judged candidate replies (`meta.prompt_id`, `meta.judge`) that `hermes-data pairs pairs-demo` turns into
preference pairs.
"""

from __future__ import annotations

import pathlib
from importlib import resources

FILES = ("conversations.jsonl", "defective.jsonl", "candidates.jsonl")


def sample_path(name: str = "conversations.jsonl") -> pathlib.Path:
    """Filesystem path of a sample file; works from a source checkout and from an installed wheel."""
    if name not in FILES:
        raise ValueError(f"unknown sample file {name!r}; available: {', '.join(FILES)}")
    # Wheels install as plain directories, so the traversable is a real file; readers take a path, not a stream.
    return pathlib.Path(str(resources.files(__package__).joinpath(name)))
