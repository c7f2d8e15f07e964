"""Hugging Face export of an FSDP2-sharded model that never holds the whole model on one rank.

`export_hf` walks the model's state dict one tensor at a time: every rank takes part in gathering that tensor
(`DTensor.full_tensor()`, in the export dtype so the collective moves half the bytes for bf16), rank 0 keeps it in the
current safetensors shard and writes the shard once it reaches `max_shard_size`; the other ranks drop it at once. Rank
0 therefore holds at most one shard plus one tensor (the largest is the embedding: 4.2 GB in bf16 for 405B), against
the whole model (810 GB in bf16 for 405B) for `get_model_state_dict(full_state_dict=True)`.

The folder is what `save_pretrained` writes and `AutoModelForCausalLM.from_pretrained` reads: `model.safetensors` or
`model-0000K-of-0000N.safetensors` with `model.safetensors.index.json`, `config.json` (with the export dtype),
`generation_config.json` and the tokenizer. It is written into `NAME.tmp/` and renamed to `NAME/` last, so a folder
called `NAME/` is always complete. Tied weights (`tie_word_embeddings`) are one Parameter under two names; it is
written once, under the first name, as `save_pretrained` does.

Models whose checkpoint keys differ from their module names (transformers 5.x converts some MoE checkpoints at load
time) would need `revert_weight_conversion`; the Llama-family decoders trained here have none.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn

DEFAULT_MAX_SHARD_BYTES = 5 * 2**30  # save_pretrained's shard size before transformers 5 raised it to 50 GB
INDEX_FILE = "model.safetensors.index.json"


def export_hf(
    model: nn.Module,
    tokenizer,
    final: str | Path,
    *,
    dtype: torch.dtype = torch.float32,
    max_shard_size: int = DEFAULT_MAX_SHARD_BYTES,
) -> dict:
    """Write `final/` (collective: every rank calls it). `model` is the sharded `CausalLMWithLoss` or the Hugging Face
    model inside it. Returns `{"model_bytes", "peak_bytes", "num_shards"}`: `peak_bytes` is the most tensor bytes
    rank 0 held at once, the figure that stays bounded by `max_shard_size` plus the largest tensor."""
    from hermes_train.fsdp import CausalLMWithLoss

    hf_model = model.model if isinstance(model, CausalLMWithLoss) else model
    tensors = export_tensors(hf_model)
    sizes = [(name, tensor.numel() * _itemsize(tensor, dtype)) for name, tensor in tensors.items()]
    shards = plan_shards(sizes, max_shard_size)
    final = Path(final)
    tmp = final.with_name(final.name + ".tmp")
    is_writer = _rank() == 0
    if is_writer:
        shutil.rmtree(tmp, ignore_errors=True)  # an export that died half-way
        tmp.mkdir(parents=True)
    stats = {"model_bytes": sum(size for _, size in sizes), "peak_bytes": 0, "num_shards": len(shards)}
    weight_map: dict[str, str] = {}
    for index, names in enumerate(shards):
        filename = _shard_name(index, len(shards))
        shard: dict[str, torch.Tensor] = {}
        for name in names:
            full = gather_tensor(tensors[name], dtype)  # collective: all ranks, same order
            if is_writer:
                shard[name] = full
                weight_map[name] = filename
                held = sum(t.numel() * t.element_size() for t in shard.values())
                stats["peak_bytes"] = max(stats["peak_bytes"], held)
            del full
        if is_writer:
            _save_shard(shard, tmp / filename)
        del shard
    if is_writer:
        if len(shards) > 1:
            index = {"metadata": {"total_size": stats["model_bytes"]}, "weight_map": weight_map}
            (tmp / INDEX_FILE).write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
        _save_configs(hf_model, tmp, dtype)
        if tokenizer is not None:
            tokenizer.save_pretrained(tmp)
        shutil.rmtree(final, ignore_errors=True)
        os.rename(tmp, final)
    _barrier()
    return stats


def export_tensors(hf_model: nn.Module) -> dict[str, torch.Tensor]:
    """The state dict's tensors (sharded DTensors as they are: nothing is gathered), each shared tensor once."""
    seen: set[int] = set()
    out = {}
    for name, tensor in hf_model.state_dict(keep_vars=True).items():
        if id(tensor) in seen:  # tied embeddings: lm_head.weight is model.embed_tokens.weight
            continue
        seen.add(id(tensor))
        out[name] = tensor
    return out


def plan_shards(sizes: list[tuple[str, int]], max_shard_size: int) -> list[list[str]]:
    """Consecutive names grouped into shards of at most `max_shard_size` bytes (a larger tensor gets its own)."""
    shards: list[list[str]] = []
    current: list[str] = []
    current_size = 0
    for name, size in sizes:
        if current and current_size + size > max_shard_size:
            shards.append(current)
            current, current_size = [], 0
        current.append(name)
        current_size += size
    if current or not shards:
        shards.append(current)
    return shards


def _shard_name(index: int, count: int) -> str:
    return "model.safetensors" if count == 1 else f"model-{index + 1:05d}-of-{count:05d}.safetensors"


def gather_tensor(tensor: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """The full tensor, cast to `dtype` (floating point only) and on the CPU. Collective for a DTensor."""
    tensor = tensor.detach()
    cast = dtype if tensor.is_floating_point() else tensor.dtype
    if hasattr(tensor, "full_tensor"):
        from torch.distributed.tensor import DTensor

        # With CPU offload the shards live in host memory while NCCL only moves GPU tensors: move the local shard to
        # the communication device first (a no-op on gloo/CPU and without offload).
        local = tensor.to_local().to(device=_comm_device(tensor.to_local().device), dtype=cast)
        tensor = DTensor.from_local(
            local, tensor.device_mesh, tensor.placements, shape=tensor.shape, stride=tensor.stride()
        ).full_tensor()
    return tensor.to(device="cpu", dtype=cast)


def _comm_device(device: torch.device) -> torch.device:
    if device.type == "cpu" and dist.is_initialized() and dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return device


def _save_shard(shard: dict[str, torch.Tensor], path: Path) -> None:
    from safetensors.torch import save_file

    # `format: pt` is what from_pretrained checks in the header.
    save_file({name: t.contiguous() for name, t in shard.items()}, str(path), metadata={"format": "pt"})


def _save_configs(hf_model: nn.Module, folder: Path, dtype: torch.dtype) -> None:
    config = copy.deepcopy(hf_model.config)
    config.dtype = str(dtype).removeprefix("torch.")
    config.architectures = [type(hf_model).__name__]
    if hasattr(config, "use_cache"):
        config.use_cache = True  # the trainer turns the KV cache off; the export is for generation
    config.save_pretrained(folder)
    generation = getattr(hf_model, "generation_config", None)
    if generation is not None and hf_model.can_generate():
        generation.save_pretrained(folder)


def _itemsize(tensor: torch.Tensor, dtype: torch.dtype) -> int:
    return (dtype if tensor.is_floating_point() else tensor.dtype).itemsize


def _rank() -> int:
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def _barrier() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
