"""The project's cache folder: `$HERMES_CACHE`, else `~/.cache/hermes-toolkit`."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    return Path(os.environ.get("HERMES_CACHE") or Path.home() / ".cache" / "hermes-toolkit")


def cache_folder(*parts: str) -> Path:
    """A folder under the cache, created if absent. A cache that cannot be written (a file in the way, a read-only
    or full disk) is a one-line user error naming it, not a traceback."""
    from hermes_data.errors import DataError

    folder = cache_root().joinpath(*parts)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(
            f"cannot create the cache folder {folder} ({exc.strerror or exc}); set HERMES_CACHE to a writable folder "
            "(default ~/.cache/hermes-toolkit)"
        ) from None
    return folder
