"""Learning-rate schedules of the paper: linear warmup then cosine decay (SFT), linear warmup then linear decay (DPO).

SFT (DESIGN §8, from the paper): peak 7e-6 (3.5e-6 for 405B) reached after 300 warmup steps, then cosine decay to
`min_ratio * peak` at the last step. DPO: peak 3e-6 after 9 warmup steps, then linear decay. Both are multipliers for
`LambdaLR`, so the optimizer's `lr` is the peak and the scheduler's state dict resumes exactly.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Literal

Decay = Literal["cosine", "linear"]


def lr_factor(
    step: int, *, warmup_steps: int, total_steps: int, decay: Decay = "cosine", min_ratio: float = 0.0
) -> float:
    """Multiplier of the peak LR at optimizer step `step` (0-based): `step / warmup` up to 1 at `warmup_steps`, then
    decaying to `min_ratio` at `total_steps`."""
    if warmup_steps < 0 or total_steps < 1 or warmup_steps > total_steps:
        raise ValueError(f"need 0 <= warmup_steps ({warmup_steps}) <= total_steps ({total_steps}) and total_steps >= 1")
    if decay not in ("cosine", "linear"):
        raise ValueError(f"decay must be 'cosine' or 'linear', got {decay!r}")
    if step < warmup_steps:
        return step / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    shape = 0.5 * (1.0 + math.cos(math.pi * progress)) if decay == "cosine" else 1.0 - progress
    return min_ratio + (1.0 - min_ratio) * shape


def build_scheduler(optimizer, *, warmup_steps: int, total_steps: int, decay: Decay = "cosine", min_ratio: float = 0.0):
    """`torch.optim.lr_scheduler.LambdaLR` over `lr_factor`; call `scheduler.step()` after each optimizer step."""
    from torch.optim.lr_scheduler import LambdaLR

    lr_factor(0, warmup_steps=warmup_steps, total_steps=total_steps)  # fail on bad settings now, not at step 1
    factor = partial(lr_factor, warmup_steps=warmup_steps, total_steps=total_steps, decay=decay, min_ratio=min_ratio)
    return LambdaLR(optimizer, factor)
