"""The SFT recipe (issue 6): one strict YAML file per run, validated before any process starts.

The shared settings (model, batch sizes, precision, FSDP, launch, checkpoints, output) and the loading rules are
`hermes_train.recipe.TrainRecipe`'s; this adds SFT's optimizer (AdamW, the paper's settings), epochs and evaluation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from hermes_train.eval.suite import EvalSpec
from hermes_train.recipe import Strict, TrainRecipe, load_train_recipe


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


class SFTRecipe(TrainRecipe):
    """A batch row is a packed row of `max_length` tokens."""

    epochs: int = Field(default=4, ge=1)
    optimizer: OptimizerSpec = OptimizerSpec()
    eval: EvalSpec | None = None  # score each epoch-K/ export after training and select one (issue 8)


def load_sft_recipe(path: str | Path, overrides: dict[str, Any] | None = None) -> SFTRecipe:
    """Read and validate an SFT recipe (paths resolve as `recipe.load_train_recipe` says)."""
    return load_train_recipe(SFTRecipe, path, overrides)
