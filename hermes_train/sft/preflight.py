"""Pre-flight checks of an SFT recipe, for the launcher to run once before it starts any process.

A user error found inside the workers (a dataset path that does not exist, a tokenizer that does not fit the model)
is raised by every rank at once: N tracebacks interleaved with torchrun's own failure report, where one line would
do. These checks cost seconds and no download of data or weights: they read the dataset's manifest (`open_ref`), the
tokenizer, the model's config (built on the meta device, so any size), and probe that the output folder is writable.
Each failure is a `HermesError` (RecipeError/DataError) that `hermes-train`'s `main()` prints as one line, exit 2.
"""

from __future__ import annotations

import os
from pathlib import Path

from hermes_data.errors import RecipeError


def preflight(recipe) -> dict:
    """Raise the first user error the workers would hit; returns what was checked (for `--dry-run` style output)."""
    from hermes_data.publish.fetch import open_ref
    from hermes_data.tokenizer import load_tokenizer
    from hermes_train.sft.models import build_config, build_meta_model
    from hermes_train.tokenize import check_model_tokenizer

    source = open_ref(recipe.dataset)  # DataError naming the path or revision
    try:
        tokenizer = load_tokenizer(recipe.model.tokenizer, add_chatml_tokens=recipe.model.add_chatml_tokens)
    except (OSError, ValueError) as exc:
        raise RecipeError(f"model.tokenizer: cannot load {recipe.model.tokenizer!r} ({exc})") from None
    config = build_config(recipe.model)  # RecipeError when model.name has no readable config
    check_model_tokenizer(build_meta_model(recipe.model, config), tokenizer)
    _check_writable(Path(recipe.output))
    return {"dataset": str(source.resolved), "vocab": len(tokenizer), "output": recipe.output}


def _check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".preflight-{os.getpid()}"
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or exc
        raise RecipeError(f"output: cannot write into {folder} ({reason}); set output to a writable folder") from None
