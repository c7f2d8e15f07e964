"""The project's cache folder: `$HERMES_CACHE`, else `~/.cache/hermes-toolkit`."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    return Path(os.environ.get("HERMES_CACHE") or Path.home() / ".cache" / "hermes-toolkit")
