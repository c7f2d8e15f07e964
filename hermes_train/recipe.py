"""What every training recipe shares (SFT and DPO): strict sections, the run settings, world-size checks, loading.

Precedence: field defaults (the paper's, DESIGN §8) < the YAML file < `--set key=value` on the command line. Unknown
keys are errors that list the allowed ones; cross-field checks name the setting to change. Each trainer's recipe
(`sft/config.py`, `dpo/config.py`) subclasses `TrainRecipe` and adds its own sections and defaults.

A step whose loss or gradient norm is not finite stops the run with an error naming the step, before the optimizer
applies it, so no checkpoint or export ever holds the weights it would have produced (guard.py).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hermes_data.errors import RecipeError
from hermes_data.recipe_errors import load_yaml, parse_model, set_dotted
from hermes_train.tokenize import OVERFLOWS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelSpec(Strict):
    """The base model: `name` (Hub id or local path, loaded with `from_pretrained`) or `config` (keyword arguments of
    `LlamaConfig`, for a randomly initialized model: the tiny CPU run and memory planning)."""

    name: str | None = None
    config: dict[str, Any] | None = None
    tokenizer: str = "llama3"  # built-in Llama 3.1 + ChatML on reserved ids (DESIGN §6), or a Hub name/path
    add_chatml_tokens: bool = False
    attn_implementation: str = "sdpa"  # "flash_attention_2" on GPU with flash-attn installed

    @model_validator(mode="after")
    def _one_source(self) -> ModelSpec:
        if (self.name is None) == (self.config is None):
            raise ValueError("give exactly one of model.name (Hub id or path) or model.config (random init)")
        return self


class FSDPSpec(Strict):
    """FSDP2: `fully_shard` per decoder layer, then the root (fsdp.apply_fsdp)."""

    cpu_offload: bool = False  # parameters, gradients and optimizer states in host memory (405B's smallest setup)
    reshard_after_forward: bool = True


class LaunchSpec(Strict):
    """Where the recipe is meant to run; `--nproc/--nnodes` override it. Also the world size of `--dry-run`."""

    nnodes: int = Field(default=1, ge=1)
    nproc_per_node: int = Field(default=1, ge=1)


class TrainRecipe(Strict):
    """The settings of any run; a batch "row" is a packed row for SFT and a pair for DPO."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    seed: int = 0
    model: ModelSpec
    dataset: str  # a load_mix reference: build folder, `file://ROOT/org/name@v3`, or `org/name@rev` (DESIGN §7)
    max_length: int = Field(default=8192, ge=2)
    overflow: Literal[OVERFLOWS] = "drop"  # type: ignore[valid-type]
    micro_batch_size: int = Field(default=1, ge=1)  # rows per forward, per rank
    global_batch_size: int = Field(default=64, ge=1)  # rows per optimizer step, all ranks
    max_steps: int | None = Field(default=None, ge=1)  # stop early (smoke runs, tests); the schedule keeps its length
    precision: Literal["bf16", "fp32"] = "bf16"
    gradient_checkpointing: bool = True
    fsdp: FSDPSpec = FSDPSpec()
    launch: LaunchSpec = LaunchSpec()
    loss_chunk_size: int = Field(default=4096, ge=1)
    checkpoint_every: int = Field(default=500, ge=1)  # optimizer steps between step-N/ checkpoints
    log_every: int = Field(default=1, ge=1)  # optimizer steps between metrics.jsonl lines
    progress_every: int = Field(default=10, ge=1)  # steps between console progress lines when stdout is no terminal
    output: str

    def check_world(self, world_size: int) -> int:
        """Accumulation steps for `world_size` ranks; an uneven split names the settings to change."""
        rows_per_step = self.micro_batch_size * world_size
        if self.global_batch_size % rows_per_step:
            raise RecipeError(
                f"global_batch_size ({self.global_batch_size}) must be a multiple of micro_batch_size "
                f"({self.micro_batch_size}) x world size ({world_size}); change global_batch_size or --nproc"
            )
        return self.global_batch_size // rows_per_step

    def export_dtype(self):
        """The dtype of exported weights: bf16 as the base models ship, or fp32 for an fp32 run."""
        import torch

        return torch.bfloat16 if self.precision == "bf16" else torch.float32

    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """`key=value` pairs from the command line; values are YAML (`lr=1e-3` is a float, `fsdp.cpu_offload=true`)."""
    import yaml

    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise RecipeError(f"--set {pair!r}: expected key=value, e.g. --set optimizer.lr=1e-5")
        try:
            out[key.strip()] = yaml.safe_load(value)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or "not valid YAML"
            raise RecipeError(f"--set {pair!r}: the value is not valid YAML ({problem}); quote or close it") from None
    return out


R = TypeVar("R", bound=TrainRecipe)


def load_train_recipe(cls: type[R], path: str | Path, overrides: dict[str, Any] | None = None) -> R:
    """Read and validate a recipe of type `cls`. A relative `dataset` or `model.name` that exists next to the recipe
    resolves against the recipe's folder (otherwise it stays as written: a path from the working directory or a Hub
    id); `output` resolves against the working directory."""
    path = Path(path)
    try:
        data = load_yaml(path)
    except UnicodeDecodeError:
        raise RecipeError(f"{path}: not a UTF-8 text file; a recipe is a YAML file") from None
    except IsADirectoryError:
        raise RecipeError(f"{path}: a folder, not a recipe file; pass the recipe YAML") from None
    set_dotted(data, overrides or {})
    recipe = parse_model(cls, data, str(path))
    base = path.resolve().parent
    if not Path(recipe.dataset).is_absolute() and (base / recipe.dataset).exists():
        recipe.dataset = str(base / recipe.dataset)
    name = recipe.model.name
    if name is not None and not Path(name).is_absolute() and (base / name).exists():
        recipe.model.name = str(base / name)
    recipe.output = str(Path(recipe.output).resolve())
    return recipe
