"""The SFT recipe (issue 6): one strict YAML file per run, validated before any process starts.

Precedence: field defaults (the paper's, DESIGN §8) < the YAML file < `--set key=value` on the command line. Unknown
keys are errors that list the allowed ones; cross-field checks name the setting to change.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hermes_data.errors import RecipeError
from hermes_data.recipe_errors import load_yaml, parse_model, set_dotted
from hermes_train.eval.suite import EvalSpec
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


class OptimizerSpec(Strict):
    """AdamW with the paper's SFT settings: weight decay 0.01, peak 7e-6 (3.5e-6 for 405B), 300 warmup steps, cosine."""

    lr: float = Field(default=7e-6, gt=0)
    weight_decay: float = Field(default=0.01, ge=0)
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = Field(default=1e-8, gt=0)
    warmup_steps: int = Field(default=300, ge=0)
    decay: Literal["cosine", "linear"] = "cosine"
    min_lr_ratio: float = Field(default=0.0, ge=0, le=1)
    max_grad_norm: float | None = Field(default=1.0, gt=0)


class FSDPSpec(Strict):
    """FSDP2: `fully_shard` per decoder layer, then the root (fsdp.apply_fsdp)."""

    cpu_offload: bool = False  # parameters, gradients and optimizer states in host memory (405B's smallest setup)
    reshard_after_forward: bool = True


class LaunchSpec(Strict):
    """Where the recipe is meant to run; `--nproc/--nnodes` override it. Also the world size of `--dry-run`."""

    nnodes: int = Field(default=1, ge=1)
    nproc_per_node: int = Field(default=1, ge=1)


class SFTRecipe(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    seed: int = 0
    model: ModelSpec
    dataset: str  # a load_mix reference: build folder, `file://ROOT/org/name@v3`, or `org/name@rev` (DESIGN §7)
    max_length: int = Field(default=8192, ge=2)
    overflow: Literal[OVERFLOWS] = "drop"  # type: ignore[valid-type]
    micro_batch_size: int = Field(default=1, ge=1)  # packed rows per forward, per rank
    global_batch_size: int = Field(default=64, ge=1)  # packed rows per optimizer step, all ranks
    epochs: int = Field(default=4, ge=1)
    max_steps: int | None = Field(default=None, ge=1)  # stop early (smoke runs, tests); the schedule keeps its length
    optimizer: OptimizerSpec = OptimizerSpec()
    precision: Literal["bf16", "fp32"] = "bf16"
    gradient_checkpointing: bool = True
    fsdp: FSDPSpec = FSDPSpec()
    launch: LaunchSpec = LaunchSpec()
    loss_chunk_size: int = Field(default=4096, ge=1)
    checkpoint_every: int = Field(default=500, ge=1)  # optimizer steps between step-N/ checkpoints
    log_every: int = Field(default=1, ge=1)
    output: str
    eval: EvalSpec | None = None  # score each epoch-K/ export after training and select one (issue 8)

    def check_world(self, world_size: int) -> int:
        """Accumulation steps for `world_size` ranks; an uneven split names the settings to change."""
        rows_per_step = self.micro_batch_size * world_size
        if self.global_batch_size % rows_per_step:
            raise RecipeError(
                f"global_batch_size ({self.global_batch_size}) must be a multiple of micro_batch_size "
                f"({self.micro_batch_size}) x world size ({world_size}); change global_batch_size or --nproc"
            )
        return self.global_batch_size // rows_per_step

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
        out[key.strip()] = yaml.safe_load(value)
    return out


def load_sft_recipe(path: str | Path, overrides: dict[str, Any] | None = None) -> SFTRecipe:
    """Read and validate an SFT recipe. A relative `dataset` or `model.name` that exists next to the recipe resolves
    against the recipe's folder; `output` resolves against the working directory."""
    path = Path(path)
    data = load_yaml(path)
    set_dotted(data, overrides or {})
    recipe = parse_model(SFTRecipe, data, str(path))
    base = path.resolve().parent
    if (base / recipe.dataset).exists() and not Path(recipe.dataset).is_absolute():
        recipe.dataset = str(base / recipe.dataset)
    recipe.output = str(Path(recipe.output).resolve())
    return recipe
