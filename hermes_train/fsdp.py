"""FSDP2 sharding and the globally normalized SFT backward (DESIGN §8), for any Hugging Face decoder-only model.

Layout (torchtitan's order): `fully_shard` on every decoder layer, then on the root, which holds the embeddings,
the final norm and the LM head. The root is `CausalLMWithLoss`, whose forward runs the backbone AND the chunked loss:
the loss calls the LM head once per chunk, and the number of chunks differs between ranks, so the head must not be a
unit of its own (each call would be an all-gather, and ranks with different call counts deadlock). Inside the root's
forward its parameters are already gathered, so any number of chunks is free.

Loss normalization: the loss is the sum of token losses over the whole global batch divided by its number of loss
tokens. FSDP averages gradients over ranks (a sum divided by the world size; gloo has no PREMUL_SUM, so
`set_gradient_divide_factor(1)` is no option on CPU), so each rank back-propagates `sum * world_size / global_tokens`.
1 and N processes then compute the same gradients (tests/train/test_fsdp.py checks it on 2 gloo processes).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.distributed as dist
from torch import nn

from hermes_train.loss import chunked_lm_loss
from hermes_train.tokenize import IGNORE_INDEX


class CausalLMWithLoss(nn.Module):
    """A causal LM whose forward returns `(sum of token losses, loss tokens)` instead of logits."""

    def __init__(self, model: nn.Module, *, chunk_size: int = 4096):
        super().__init__()
        self.model = model
        self.chunk_size = chunk_size

    def forward(
        self, input_ids: torch.Tensor, labels: torch.Tensor, position_ids: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, int]:
        # No attention mask on purpose: packed rows are kept apart through position_ids (collate.py).
        out = self.model.get_decoder()(input_ids=input_ids, position_ids=position_ids, use_cache=False)
        head = self.model.get_output_embeddings()
        return chunked_lm_loss(out.last_hidden_state, labels, head, chunk_size=self.chunk_size)


def decoder_layers(model: nn.Module) -> nn.ModuleList:
    layers = getattr(model.get_decoder(), "layers", None)
    if not isinstance(layers, nn.ModuleList):
        raise TypeError(f"{type(model).__name__}: its decoder has no `layers` ModuleList to shard per layer")
    return layers


def apply_fsdp(
    wrapped: CausalLMWithLoss,
    *,
    param_dtype: torch.dtype | None = None,
    reduce_dtype: torch.dtype | None = torch.float32,
    cpu_offload: bool = False,
    reshard_after_forward: bool = True,
) -> CausalLMWithLoss:
    """Shard in place: one FSDP2 unit per decoder layer, then the root. Needs an initialized process group."""
    from torch.distributed.fsdp import CPUOffloadPolicy, MixedPrecisionPolicy, OffloadPolicy, fully_shard

    options = {
        "mp_policy": MixedPrecisionPolicy(param_dtype=param_dtype, reduce_dtype=reduce_dtype),
        "offload_policy": CPUOffloadPolicy() if cpu_offload else OffloadPolicy(),
    }
    for layer in decoder_layers(wrapped.model):
        fully_shard(layer, reshard_after_forward=reshard_after_forward, **options)
    fully_shard(wrapped, **options)
    return wrapped


def shard_for_recipe(wrapped: torch.nn.Module, recipe, device: torch.device) -> torch.nn.Module:
    """`apply_fsdp` with a training recipe's precision and `fsdp:` options, then allocate this rank's shards (empty)
    on the device, or in host memory under CPU offload; the caller fills them. SFT and DPO recipes alike."""
    apply_fsdp(
        wrapped,
        param_dtype=torch.bfloat16 if recipe.precision == "bf16" else None,
        cpu_offload=recipe.fsdp.cpu_offload,
        reshard_after_forward=recipe.fsdp.reshard_after_forward,
    )
    return wrapped.to_empty(device="cpu" if recipe.fsdp.cpu_offload else device)


def _world_size() -> int:
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def _all_reduce_sum(value: torch.Tensor) -> torch.Tensor:
    if _world_size() > 1:
        dist.all_reduce(value)
    return value


def num_loss_tokens(micro_batches: Sequence[dict[str, torch.Tensor]]) -> int:
    """Loss tokens of the global batch: this rank's micro-batches summed over all ranks (causal shift applied)."""
    device = micro_batches[0]["labels"].device if micro_batches else None  # NCCL reduces only GPU tensors
    local = sum(int((batch["labels"][:, 1:] != IGNORE_INDEX).sum()) for batch in micro_batches)
    return int(_all_reduce_sum(torch.tensor(local, dtype=torch.long, device=device)))


def backward_global_batch(model: nn.Module, micro_batches: Sequence[dict[str, torch.Tensor]]) -> dict[str, float]:
    """Forward and backward over this rank's micro-batches of one optimizer step; gradients end up as those of the
    global batch's mean token loss. Returns that loss and the global loss-token count, for logging.

    Every rank must pass the same number of micro-batches (each is one forward with its collectives)."""
    global_tokens = num_loss_tokens(micro_batches)
    scale = _world_size() / max(global_tokens, 1)
    loss_sum = None
    for batch in micro_batches:
        total, _ = model(input_ids=batch["input_ids"], labels=batch["labels"], position_ids=batch["position_ids"])
        (total * scale).backward()
        loss_sum = total.detach() if loss_sum is None else loss_sum + total.detach()
    if loss_sum is None:
        raise ValueError("no micro-batches for this optimizer step")
    loss = _all_reduce_sum(loss_sum) / max(global_tokens, 1)
    return {"loss": float(loss), "tokens": global_tokens}


def clip_gradients(model: torch.nn.Module, max_norm: float | None) -> float:
    """Clip to `max_norm` (none: only measure); the norm is over the full, unsharded gradients."""
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm if max_norm is not None else float("inf"))
    norm = norm.full_tensor() if hasattr(norm, "full_tensor") else norm
    return float(norm)
