"""NEFTune (Jain et al. 2023) for the policy's training forward only, scaled by each sample's own length.

The paper trains DPO with NEFTune alpha 5: uniform noise in [-1, 1] times `alpha / sqrt(L * d)` is added to the input
embeddings, where d is the hidden size and L the sequence length. We do not use TRL's hook
(`trl.trainer.utils.neftune_post_forward_hook`, also `transformers`' `activate_neftune`), for two reasons:

- it takes L from the padded batch (`output.size(1)`), so a short reply padded to a long neighbour gets too little
  noise, and a packed row of many samples gets the noise of one long one; here L is each row's real token count;
- it fires on every forward of the embedding module in training mode, and with a LoRA reference (the same model,
  adapter disabled) the reference log-probs are computed by that module too, so they carry noise and the DPO
  margin is measured against a moving target unless they are precomputed. Here noise is added only inside
  `NEFTune.policy_forward(lengths)`, which the trainer enters for the policy's training forward and never for the
  reference forward; eval mode (`module.training` False) never gets noise either.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn


class NEFTune:
    """A forward hook on the input embedding module; inert outside `policy_forward`."""

    def __init__(self, embedding: nn.Module, alpha: float, *, generator: torch.Generator | None = None):
        if alpha <= 0:
            raise ValueError(f"NEFTune alpha must be positive, got {alpha}")
        self.alpha = alpha
        self.generator = generator
        self._lengths: torch.Tensor | None = None
        self._handle = embedding.register_forward_hook(self._hook)

    @contextmanager
    def policy_forward(self, lengths: torch.Tensor) -> Iterator[None]:
        """Noise on the embeddings of forwards inside this block; `lengths[b]` is row b's real token count (the
        rest of the row is padding and gets none)."""
        self._lengths = lengths
        try:
            yield
        finally:
            self._lengths = None

    def remove(self) -> None:
        self._handle.remove()

    def _hook(self, module: nn.Module, args: tuple, output: torch.Tensor) -> torch.Tensor | None:
        if self._lengths is None or not module.training:
            return None
        return output + self.noise(output, self._lengths)

    def noise(self, embeds: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Noise `[B, T, d]` for embeddings `[B, T, d]`: uniform(-1, 1) * alpha / sqrt(L_b * d) on row b's first L_b
        positions, zero on its padding."""
        rows, width, dim = embeds.shape
        lengths = lengths.to(embeds.device)
        uniform = torch.rand(embeds.shape, generator=self.generator, dtype=torch.float32, device=embeds.device)
        scale = self.alpha / torch.sqrt(lengths.float().clamp(min=1) * dim)  # [B]
        real = torch.arange(width, device=embeds.device).unsqueeze(0) < lengths.unsqueeze(1)  # [B, T]
        noise = (uniform * 2 - 1) * scale.view(rows, 1, 1) * real.unsqueeze(-1)
        return noise.to(embeds.dtype)
