"""The DPO recipe (issue 7): one strict YAML file per run, validated before any process starts.

Defaults are the paper's DPO settings (DESIGN §8): a LoRA adapter r=32, alpha=16, dropout 0.05 on every linear layer
of the decoder; sigmoid DPO loss with beta 0.1; RMSProp, peak LR 3e-6, 9 warmup steps then linear decay; NEFTune
alpha 5. The shared settings (model, batch sizes, precision, FSDP, launch, checkpoints, output) and the loading rules
are `hermes_train.recipe.TrainRecipe`'s, as for SFT, so an SFT run's settings carry over.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from hermes_train.recipe import Strict, TrainRecipe, load_train_recipe

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


class DPORecipe(TrainRecipe):
    """A batch row is a preference pair (two sequences: prompt + chosen, prompt + rejected)."""

    lora: LoRASpec = LoRASpec()
    dpo: DPOLossSpec = DPOLossSpec()
    neftune_alpha: float | None = Field(default=5.0, gt=0)  # null: no NEFTune (the paper's Table 4 comparison)
    eval_fraction: float = Field(default=0.05, ge=0, lt=1)  # held-out pairs, never trained on
    epochs: int = Field(default=1, ge=1)
    eval_every: int | None = Field(default=None, ge=1)  # optimizer steps between evaluations (always at epoch end)
    optimizer: RMSPropSpec = RMSPropSpec()
    merge: bool = False  # also write epoch-K-merged/ (base + adapter folded in, a plain HF model)
    # Count the bytes of every parameter storage alive after step 1 (walks gc.get_objects(): seconds on a big
    # process), into run.json's parameter_bytes; the test that proves base + adapter are held once turns it on.
    measure_parameter_bytes: bool = False


def load_dpo_recipe(path: str | Path, overrides: dict[str, Any] | None = None) -> DPORecipe:
    """Read and validate a DPO recipe (paths resolve as `recipe.load_train_recipe` says). `model` is the base: an
    SFT epoch-K/ export, a Hub id, or `config:` (random init, tiny CPU run); `dataset` a preference-pair folder."""
    return load_train_recipe(DPORecipe, path, overrides)
