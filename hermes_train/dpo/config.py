"""The DPO recipe (issue 7): one strict YAML file per run, validated before any process starts.

Defaults are the paper's DPO settings (DESIGN §8): a LoRA adapter r=32, alpha=16, dropout 0.05 on every linear layer
of the decoder; sigmoid DPO loss with beta 0.1; RMSProp, peak LR 3e-6, 9 warmup steps then linear decay; NEFTune
alpha 5. Precedence: field defaults < the YAML file < `--set key=value`. The model, FSDP and launch sections are the
SFT recipe's, so an SFT run's settings carry over.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from hermes_data.errors import RecipeError
from hermes_data.recipe_errors import load_yaml, parse_model, set_dotted
from hermes_train.sft.config import FSDPSpec, LaunchSpec, ModelSpec, Strict
from hermes_train.tokenize import OVERFLOWS

# Every linear layer of a Llama decoder layer. The LM head is left out on purpose: it is 128,256 x hidden (a third
# of the 8B model's non-embedding size in one matrix), peft's own "all-linear" excludes it too, and the paper's
# "all linear layers" is the usual QLoRA-style reading (attention and MLP projections).
LLAMA_LINEAR_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


class LoRASpec(Strict):
    """The adapter the policy trains; the reference is the same weights with it disabled."""

    r: int = Field(default=32, ge=1)
    alpha: float = Field(default=16, gt=0)
    dropout: float = Field(default=0.05, ge=0, lt=1)
    target_modules: list[str] = Field(default_factory=lambda: list(LLAMA_LINEAR_MODULES), min_length=1)


class DPOLossSpec(Strict):
    """Sigmoid DPO (Rafailov et al. 2023); `label_smoothing` > 0 is the conservative DPO of Mitchell (2023)."""

    beta: float = Field(default=0.1, gt=0)
    label_smoothing: float = Field(default=0.0, ge=0, lt=0.5)


class RMSPropSpec(Strict):
    """RMSProp with the paper's DPO schedule: peak 3e-6 after 9 warmup steps, then linear decay."""

    lr: float = Field(default=3e-6, gt=0)
    alpha: float = Field(default=0.99, gt=0, lt=1)  # torch's smoothing constant (its default)
    eps: float = Field(default=1e-8, gt=0)
    weight_decay: float = Field(default=0.0, ge=0)
    momentum: float = Field(default=0.0, ge=0)
    warmup_steps: int = Field(default=9, ge=0)
    decay: Literal["cosine", "linear"] = "linear"
    min_lr_ratio: float = Field(default=0.0, ge=0, le=1)
    max_grad_norm: float | None = Field(default=1.0, gt=0)


class DPORecipe(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    seed: int = 0
    model: ModelSpec  # the base: an SFT epoch-K/ export, a Hub id, or `config:` (random init, tiny CPU run)
    lora: LoRASpec = LoRASpec()
    dpo: DPOLossSpec = DPOLossSpec()
    neftune_alpha: float | None = Field(default=5.0, gt=0)  # null: no NEFTune (the paper's Table 4 comparison)
    dataset: str  # a preference-pair folder or reference, loaded with load_mix (DESIGN §2 pair record)
    eval_fraction: float = Field(default=0.05, ge=0, lt=1)  # held-out pairs, never trained on
    max_length: int = Field(default=8192, ge=2)  # tokens of prompt + one reply
    overflow: Literal[OVERFLOWS] = "drop"  # type: ignore[valid-type]
    micro_batch_size: int = Field(default=1, ge=1)  # pairs per forward, per rank (2x rows: chosen and rejected)
    global_batch_size: int = Field(default=64, ge=1)  # pairs per optimizer step, all ranks
    epochs: int = Field(default=1, ge=1)
    max_steps: int | None = Field(default=None, ge=1)  # stop early (smoke runs); the schedule keeps its length
    eval_every: int | None = Field(default=None, ge=1)  # optimizer steps between evaluations (always at epoch end)
    optimizer: RMSPropSpec = RMSPropSpec()
    precision: Literal["bf16", "fp32"] = "bf16"
    gradient_checkpointing: bool = True
    fsdp: FSDPSpec = FSDPSpec()
    launch: LaunchSpec = LaunchSpec()
    loss_chunk_size: int = Field(default=4096, ge=1)
    merge: bool = False  # also write epoch-K-merged/ (base + adapter folded in, a plain HF model)
    log_every: int = Field(default=1, ge=1)
    output: str

    def check_world(self, world_size: int) -> int:
        """Accumulation steps for `world_size` ranks; an uneven split names the settings to change."""
        pairs_per_step = self.micro_batch_size * world_size
        if self.global_batch_size % pairs_per_step:
            raise RecipeError(
                f"global_batch_size ({self.global_batch_size}) must be a multiple of micro_batch_size "
                f"({self.micro_batch_size}) x world size ({world_size}); change global_batch_size or --nproc"
            )
        return self.global_batch_size // pairs_per_step

    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def load_dpo_recipe(path: str | Path, overrides: dict[str, Any] | None = None) -> DPORecipe:
    """Read and validate a DPO recipe. A relative `dataset` or `model.name` that exists next to the recipe resolves
    against the recipe's folder; `output` resolves against the working directory."""
    path = Path(path)
    data = load_yaml(path)
    set_dotted(data, overrides or {})
    recipe = parse_model(DPORecipe, data, str(path))
    base = path.resolve().parent
    if not Path(recipe.dataset).is_absolute() and (base / recipe.dataset).exists():
        recipe.dataset = str(base / recipe.dataset)
    name = recipe.model.name
    if name is not None and not Path(name).is_absolute() and (base / name).exists():
        recipe.model.name = str(base / name)
    recipe.output = str(Path(recipe.output).resolve())
    return recipe
