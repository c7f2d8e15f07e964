"""Per-rank memory of an FSDP2 SFT run, estimated from a model config built on the meta device (for `--dry-run`).

What each term assumes (FSDP2 as `fsdp.apply_fsdp` sets it up, AdamW, bf16 compute):
- parameters, gradients, optimizer: fp32 master weights, fp32 gradients (`reduce_dtype`) and AdamW's two fp32
  moments, each sharded over the world: 4 + 4 + 8 = 16 bytes per parameter / world size. With CPU offload these
  live in host memory instead.
- gathered: while a layer computes, its full bf16 weights exist on the device, and FSDP prefetches the next one: two
  layers, plus the root's embeddings, final norm and LM head (the root is gathered for the whole step), plus the fp32
  unsharded gradients of one layer before its reduce-scatter.
- activations (bf16, FlashAttention, no seq² scores): per decoder layer and token about 10·h + 4·kv + 8·i bytes
  (norm outputs, q/k/v, attention output, gate/up/product of the SwiGLU MLP). With activation checkpointing only each
  layer's input (2·h bytes per token) is kept, plus one layer's full set during its recompute.
- logits: one chunk of the chunked loss, `chunk_size` × vocabulary × (4 fp32 logits + 4 their gradient + 2 bf16).

It is an estimate for planning (the allocator's fragmentation and communication buffers come on top), not a bound.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

GIB = 1024**3
PARAM_BYTES, GRAD_BYTES, ADAM_BYTES = 4, 4, 8  # fp32 master weights, fp32 grads, AdamW exp_avg + exp_avg_sq
COMPUTE_BYTES = 2  # bf16


@dataclass(frozen=True)
class ModelSize:
    num_params: int
    num_layer_params: int  # one decoder layer
    num_root_params: int  # embeddings, final norm, LM head: everything outside the decoder layers


@dataclass(frozen=True)
class MemoryEstimate:
    """GiB per rank."""

    parameters: float
    gradients: float
    optimizer: float
    gathered: float
    activations: float
    logits: float
    device_total: float
    host_total: float

    def as_dict(self) -> dict[str, float]:
        return {key: round(value, 2) for key, value in asdict(self).items()}


def model_size(config) -> ModelSize:
    """Parameter counts of `AutoModelForCausalLM.from_config(config)`, built on the meta device (no memory, ~1 s)."""
    import torch
    from transformers import AutoModelForCausalLM

    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    layers = model.get_decoder().layers
    num_params = sum(p.numel() for p in model.parameters())
    num_layer = max(sum(p.numel() for p in layer.parameters()) for layer in layers)
    num_in_layers = sum(p.numel() for p in layers.parameters())
    return ModelSize(num_params, num_layer, num_params - num_in_layers)


def estimate_memory(
    config,
    *,
    world_size: int,
    micro_batch_tokens: int,
    activation_checkpointing: bool = True,
    cpu_offload: bool = False,
    chunk_size: int = 4096,
    size: ModelSize | None = None,
) -> MemoryEstimate:
    """Memory per rank for `micro_batch_tokens` tokens per forward (micro-batch rows × max_length)."""
    size = size or model_size(config)
    shard = size.num_params / world_size
    parameters, gradients, optimizer = (shard * n / GIB for n in (PARAM_BYTES, GRAD_BYTES, ADAM_BYTES))
    gathered = (2 * size.num_layer_params + size.num_root_params) * COMPUTE_BYTES
    gathered = (gathered + size.num_layer_params * GRAD_BYTES) / GIB
    activations = _activations(config, micro_batch_tokens, activation_checkpointing) / GIB
    logits = min(chunk_size, micro_batch_tokens) * config.vocab_size * (4 + 4 + COMPUTE_BYTES) / GIB
    states = parameters + gradients + optimizer
    working = gathered + activations + logits
    return MemoryEstimate(
        parameters=parameters,
        gradients=gradients,
        optimizer=optimizer,
        gathered=gathered,
        activations=activations,
        logits=logits,
        device_total=working + (0.0 if cpu_offload else states),
        host_total=states if cpu_offload else 0.0,
    )


def _activations(config, tokens: int, checkpointing: bool) -> float:
    hidden, layers = config.hidden_size, config.num_hidden_layers
    heads = config.num_attention_heads
    head_dim = getattr(config, "head_dim", None) or hidden // heads
    kv_dim = (getattr(config, "num_key_value_heads", None) or heads) * head_dim
    per_layer = tokens * (10 * hidden + 4 * kv_dim + 8 * config.intermediate_size)
    if checkpointing:
        return layers * tokens * hidden * COMPUTE_BYTES + per_layer
    return layers * per_layer
