"""Pre-flight checks of a training recipe, for a launcher (`sft`, `dpo`) to run once before it starts any process;
`eval` checks its checkpoints with the same model-config reader (models.read_config).

A user error found inside the workers (a dataset path that does not exist, a tokenizer that does not fit the model)
is raised by every rank at once: N tracebacks interleaved with torchrun's own failure report, where one line would
do. These checks cost seconds and no download of data or weights: they read the dataset's manifest, the tokenizer,
the model's config (built on the meta device, so any size), and look at the output location without writing to it.
Each failure is a `HermesError` (RecipeError/DataError) that `hermes-train`'s `main()` prints as one line, exit 2.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from hermes_data.errors import HermesError, RecipeError

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json")


def preflight(recipe, *, check_dataset: Callable[[str], object] | None = None) -> dict:
    """Raise the first user error the workers would hit; returns what was checked. `check_dataset(ref)` raises a
    DataError for a dataset the trainer cannot use (default: the reference resolves and its manifest verifies)."""
    import datasets

    from hermes_train.models import build_config, build_meta_model
    from hermes_train.tokenize import check_model_tokenizer

    datasets.disable_progress_bars()  # a bad dataset must be one line on the terminal, not progress bars and a line
    dataset = (check_dataset or _open_dataset)(recipe.dataset)
    tokenizer = load_recipe_tokenizer(recipe.model)
    config = build_config(recipe.model)  # RecipeError when model.name has no usable config
    check_model_tokenizer(build_meta_model(recipe.model, config), tokenizer)
    check_output(Path(recipe.output))
    resolved = getattr(dataset, "resolved", recipe.dataset)
    return {"dataset": str(resolved), "vocab": len(tokenizer), "output": recipe.output}


def _open_dataset(ref: str):
    from hermes_data.publish.fetch import open_ref

    return open_ref(ref)  # DataError naming the path or revision


def load_recipe_tokenizer(spec):
    """The recipe's tokenizer, or one RecipeError line (an empty folder is named as such; transformers' own
    multi-line reasons are folded into the line)."""
    from hermes_data.tokenizer import load_tokenizer

    folder = Path(spec.tokenizer).expanduser()
    if folder.is_dir() and not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise RecipeError(
            f"model.tokenizer: {spec.tokenizer} has no {' or '.join(TOKENIZER_FILES)}; point it at a saved tokenizer "
            "folder, a Hub name, or 'llama3' (built in)"
        )
    try:
        return load_tokenizer(spec.tokenizer, add_chatml_tokens=spec.add_chatml_tokens)
    except (HermesError, OSError, ValueError) as exc:
        reason = " ".join(str(exc).split())
        raise RecipeError(f"model.tokenizer: cannot load {spec.tokenizer!r} ({reason})") from None


def check_output(folder: Path, *, what: str = "output") -> None:
    """Raise unless `folder` is, or can be created as, a writable folder; creates nothing. `what` names the setting."""
    if folder.exists() and not folder.is_dir():
        raise RecipeError(f"{what}: {folder} is a file, not a folder; set {what} elsewhere")
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        raise RecipeError(f"{what}: {existing} is a file, so {folder} cannot be created; set {what} elsewhere")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise RecipeError(f"{what}: cannot write into {existing} (permission denied); set {what} to a writable folder")
