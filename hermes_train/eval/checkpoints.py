"""What can be evaluated: an `epoch-K/` export, a merged model, or a peft adapter on its base; and how to load it.

Checked before any model is loaded, so a wrong folder is one line and not a transformers traceback. An adapter is
merged into its base after loading (`merge_and_unload`): lm_eval and MT-Bench then score exactly the weights a merged
export would have, through one code path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hermes_data.errors import DataError

WEIGHTS = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")
ADAPTER_WEIGHTS = ("adapter_model.safetensors", "adapter_model.bin")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json")


@dataclass(frozen=True)
class Checkpoint:
    name: str  # its key in the scores file
    path: Path
    kind: str  # "model" or "adapter"
    base: str | None = None  # an adapter's base model (path or Hub id)

    def describe(self) -> dict[str, Any]:
        """Provenance for the scores file: the folder, its kind, and the facts of the run that wrote it."""
        facts: dict[str, Any] = {"path": str(self.path), "kind": self.kind}
        if self.base is not None:
            facts["base_model"] = self.base
        facts |= run_facts(self.path)
        return facts


def resolve_checkpoint(path: str | Path, name: str | None = None) -> Checkpoint:
    """A Checkpoint for `path`, or a DataError saying why the folder is not one."""
    path = Path(path)
    hint = "pass an epoch-K/ export, a merged model folder or a peft adapter folder"
    if not path.is_dir():
        raise DataError(f"{path}: no such checkpoint folder; {hint}")
    name = name or path.name
    if (path / "adapter_config.json").is_file():
        if not any((path / f).is_file() for f in ADAPTER_WEIGHTS):
            raise DataError(f"{path}: adapter_config.json but no adapter weights ({' or '.join(ADAPTER_WEIGHTS)})")
        try:
            base = json.loads((path / "adapter_config.json").read_text(encoding="utf-8"))["base_model_name_or_path"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DataError(f"{path}/adapter_config.json: no base_model_name_or_path ({exc!r})") from None
        if not isinstance(base, str) or not base:
            # A DPO run on a randomly initialized base (`model.config:`) has no base to name.
            raise DataError(f"{path}: the adapter names no base model; evaluate its merged export (epoch-K-merged/)")
        base_path = Path(base) if Path(base).is_absolute() else path.parent / base
        return Checkpoint(name, path.resolve(), "adapter", str(base_path.resolve()) if base_path.is_dir() else base)
    if not (path / "config.json").is_file() or not any((path / f).is_file() for f in WEIGHTS):
        raise DataError(f"{path}: not a model (needs config.json and {' or '.join(WEIGHTS[::2])}); {hint}")
    if not any((path / f).is_file() for f in TOKENIZER_FILES):
        raise DataError(f"{path}: no tokenizer saved with the model; save it with tokenizer.save_pretrained({path})")
    from hermes_train.models import read_config

    read_config(str(path), what=str(path))  # a config.json transformers cannot use is one line here, not at load
    return Checkpoint(name, path.resolve(), "model")


def run_facts(path: Path) -> dict[str, Any]:
    """The run and dataset behind a checkpoint, from the run.json beside it (SFT writes OUT/run.json next to
    OUT/epoch-K/), or in it (a DPO output folder); empty when neither exists."""
    for candidate in (path / "run.json", path.parent / "run.json"):
        if candidate.is_file():
            try:
                run = json.loads(candidate.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                return {"run_json": str(candidate), "run_json_error": "not valid JSON"}
            recipe = run.get("recipe") or {}
            facts = {"run_json": str(candidate), "run": recipe.get("name"), "recipe_sha256": run.get("recipe_sha256")}
            facts |= {"dataset": run.get("dataset"), "git": run.get("git")}
            return {key: value for key, value in facts.items() if value is not None}
    return {}


def load_checkpoint(checkpoint: Checkpoint, *, device: str, dtype: str = "auto"):
    """(model in eval mode on `device`, tokenizer); an adapter is loaded on its base and merged."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch_dtype = "auto" if dtype == "auto" else getattr(torch, dtype)
    source = checkpoint.base if checkpoint.kind == "adapter" else str(checkpoint.path)
    try:
        model = AutoModelForCausalLM.from_pretrained(source, dtype=torch_dtype)
    except OSError as exc:
        raise DataError(f"{checkpoint.path}: cannot load the model {source} ({str(exc).splitlines()[0]})") from None
    if checkpoint.kind == "adapter":
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(checkpoint.path)).merge_and_unload()
    has_tokenizer = any((checkpoint.path / f).is_file() for f in TOKENIZER_FILES)
    tokenizer = AutoTokenizer.from_pretrained(str(checkpoint.path) if has_tokenizer else source)
    return model.to(device).eval(), tokenizer


def pick_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
