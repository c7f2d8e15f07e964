"""The SFT loss: LM head and cross-entropy only on labelled positions, in chunks (DESIGN §8).

A packed 8192-token row of a 128,256-token vocabulary has 1 billion logits (4 GiB in fp32); most positions of a
Hermes row are prompt, system or tool text whose label is -100. So the model returns hidden states, the positions
whose next token is learned are gathered first, and the LM head plus cross-entropy run over them `chunk_size` at a
time. Each chunk runs under activation checkpointing, so its logits are freed after the forward and recomputed in the
backward: peak memory is one chunk of logits, not all of them.

The function returns the SUM of token losses and the number of loss tokens. The trainer divides the sum by the loss
tokens of the whole global batch (all ranks, all accumulation steps), so one process and N processes give the same
loss and gradients (DESIGN §8); a per-micro-batch mean would weight short answers more.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

from hermes_train.tokenize import IGNORE_INDEX


def labelled_hidden(hidden: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Hidden states `[N, H]` of the positions whose NEXT token is learned, and those tokens `[N]`.

    Position t predicts token t+1 (the causal shift `transformers` applies to unshifted labels); the last position of
    each row predicts nothing.
    """
    targets = labels[:, 1:]
    keep = targets != IGNORE_INDEX
    return hidden[:, :-1][keep], targets[keep]


def _chunk_loss(lm_head: torch.nn.Module, hidden: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    logits = lm_head(hidden).float()  # fp32 log-softmax: bf16 over 128K classes loses precision
    return F.cross_entropy(logits, targets, reduction="sum")


def chunked_lm_loss(
    hidden: torch.Tensor, labels: torch.Tensor, lm_head: torch.nn.Module, *, chunk_size: int = 4096
) -> tuple[torch.Tensor, int]:
    """(sum of token losses, number of loss tokens) for hidden states `[B, T, H]` and unshifted labels `[B, T]`.

    `lm_head` is called as a module (not through its weight) so FSDP's hooks gather a sharded head.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    states, targets = labelled_hidden(hidden, labels)
    total = hidden.new_zeros((), dtype=torch.float32)
    # At least one (possibly empty) chunk: a rank whose rows have no loss token must still call the head, or FSDP's
    # collectives for it would not match the other ranks' and the step would hang.
    for start in range(0, max(targets.numel(), 1), chunk_size):
        end = start + chunk_size
        total = total + checkpoint(_chunk_loss, lm_head, states[start:end], targets[start:end], use_reentrant=False)
    return total, int(targets.numel())
