"""Sequence log-probabilities and the sigmoid DPO loss.

`sequence_logps` is the SFT loss's layout (hermes_train/loss.py) with a per-row sum: hidden states of the positions
whose next token is learned are gathered first, and the LM head plus log-softmax run over them `chunk_size` at a time
under activation checkpointing, so a 128K vocabulary never materializes logits for prompt or padding positions.

DPO (Rafailov et al. 2023, eq. 7) with rewards r = beta * (log pi(y|x) - log pi_ref(y|x)):

    loss = -(1 - eps) * log sigmoid(r_chosen - r_rejected) - eps * log sigmoid(r_rejected - r_chosen)

`eps` is the label smoothing of conservative DPO (0 by default, the paper's plain sigmoid loss). The function returns
per-pair losses: the trainer sums them and divides by the number of pairs in the whole global batch.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

from hermes_train.loss import labelled_hidden
from hermes_train.tokenize import IGNORE_INDEX


def _chunk_logps(lm_head: torch.nn.Module, hidden: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    logits = lm_head(hidden).float()  # fp32 log-softmax: bf16 over 128K classes loses precision
    return torch.log_softmax(logits, dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)


def sequence_logps(
    hidden: torch.Tensor, labels: torch.Tensor, lm_head: torch.nn.Module, *, chunk_size: int = 4096
) -> torch.Tensor:
    """Per-row sums `[B]` of the log-probabilities of the learned tokens, for hidden states `[B, T, H]` and unshifted
    labels `[B, T]` (position t predicts token t+1)."""
    states, targets = labelled_hidden(hidden, labels)
    keep = labels[:, 1:] != IGNORE_INDEX
    rows = torch.arange(labels.shape[0], device=labels.device).unsqueeze(1).expand_as(keep)[keep]
    pieces = []
    for start in range(0, max(targets.numel(), 1), chunk_size):
        end = start + chunk_size
        pieces.append(checkpoint(_chunk_logps, lm_head, states[start:end], targets[start:end], use_reentrant=False))
    token_logps = torch.cat(pieces)
    return torch.zeros(labels.shape[0], dtype=torch.float32, device=hidden.device).index_add(0, rows, token_logps)


def dpo_loss(
    policy_chosen: torch.Tensor,
    policy_rejected: torch.Tensor,
    reference_chosen: torch.Tensor,
    reference_rejected: torch.Tensor,
    *,
    beta: float = 0.1,
    label_smoothing: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(per-pair losses `[P]`, chosen rewards `[P]`, rejected rewards `[P]`); rewards are detached, for logging."""
    chosen_rewards = beta * (policy_chosen - reference_chosen)
    rejected_rewards = beta * (policy_rejected - reference_rejected)
    margin = chosen_rewards - rejected_rewards
    losses = -(1 - label_smoothing) * F.logsigmoid(margin) - label_smoothing * F.logsigmoid(-margin)
    return losses, chosen_rewards.detach(), rejected_rewards.detach()
