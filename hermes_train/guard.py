"""Guard the step (torchtitan checks the loss before the optimizer step): a non-finite loss or gradient norm stops
the run before the optimizer applies it, and no checkpoint or export is written from non-finite weights.

The loss and the gradient norm are the same number on every rank (the loss is all-reduced, the norm is over the full
gradients), so every rank stops at the same step and no collective is left waiting. The weight check before a save
is an all-reduce of one flag, so the ranks agree there too.
"""

from __future__ import annotations

import math

import torch
import torch.distributed as dist

from hermes_data.errors import HermesError


class NonFiniteError(HermesError):
    """A training step produced a NaN or infinite loss, gradient norm or weight."""


def check_step(step: int, loss: float, grad_norm: float) -> None:
    """Raise before optimizer step `step` is applied when its loss or gradient norm is not finite."""
    values = (("loss", loss), ("grad norm", grad_norm))
    bad = [f"{name} is {value}" for name, value in values if not math.isfinite(value)]
    if bad:
        raise NonFiniteError(
            f"step {step}: {' and '.join(bad)}; stopped before applying it (outputs hold the last finite step). "
            "Lower optimizer.lr, set optimizer.max_grad_norm, or use precision: fp32"
        )


def check_weights(model: torch.nn.Module, step: int, what: str) -> None:
    """Raise instead of writing `what` (a checkpoint, an export) when any rank holds a non-finite parameter.
    Collective: every rank calls it."""
    finite = all(bool(torch.isfinite(_local(p)).all()) for p in model.parameters())
    flag = torch.tensor([0.0 if finite else 1.0], device=next(model.parameters()).device)
    if dist.is_available() and dist.is_initialized():
        dist.all_reduce(flag)
    if flag.item():
        raise NonFiniteError(f"step {step}: the weights are not finite; {what} not written. Lower optimizer.lr")


def _local(param: torch.Tensor) -> torch.Tensor:
    return param.to_local() if hasattr(param, "to_local") else param
