"""Per-epoch outputs of a DPO run: the adapter (`epoch-K/`, peft's layout) and optionally the merged model
(`epoch-K-merged/`, a plain Hugging Face folder). Each is written into `NAME.tmp/` on rank 0 and renamed when
complete. Both functions are collective: every rank calls them (the shards are gathered)."""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import torch
import torch.distributed as dist

from hermes_train.dpo.model import PolicyWithReference, hf_key


def _full(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.full_tensor() if hasattr(tensor, "full_tensor") else tensor


def save_adapter(model: PolicyWithReference, tokenizer, final: Path, *, base: str | None = None) -> None:
    """`adapter_config.json` + `adapter_model.safetensors` (`PeftModel.from_pretrained(base, final)` loads them).
    `base` (the recipe's model.name) is recorded as `base_model_name_or_path`, so `hermes-train eval ADAPTER` and
    peft's `AutoPeftModelForCausalLM` find the base; a randomly initialized base has none.

    Only the adapter's shards are gathered (a few MB to a few hundred MB), never the base."""
    from peft import get_peft_model_state_dict
    from safetensors.torch import save_file

    peft_model = model.model
    lora = {name: _full(p.detach()).cpu() for name, p in peft_model.named_parameters() if "lora_" in name}
    if dist.get_rank() == 0:
        state = get_peft_model_state_dict(peft_model, state_dict=lora)  # peft's saved names (adapter name removed)
        tmp = _fresh_tmp(final)
        save_file({k: v.contiguous() for k, v in state.items()}, str(tmp / "adapter_model.safetensors"))
        config = copy.copy(peft_model.peft_config["default"])
        config.base_model_name_or_path = base
        config.save_pretrained(str(tmp))
        tokenizer.save_pretrained(tmp)
        _swap(tmp, final)
    dist.barrier()


def merged_state_dict(state: dict[str, torch.Tensor], *, scaling: float) -> dict[str, torch.Tensor]:
    """Base weights with the adapter folded in, under the plain Hugging Face names: W + scaling * B @ A."""
    merged = {}
    for key, value in state.items():
        if "lora_" in key:
            continue
        if key.endswith(".base_layer.weight"):
            prefix = key[: -len(".base_layer.weight")]
            a, b = state[f"{prefix}.lora_A.default.weight"], state[f"{prefix}.lora_B.default.weight"]
            value = value + scaling * (b.float() @ a.float()).to(value.dtype)
        merged[hf_key(key)] = value
    return merged


def save_merged(model: PolicyWithReference, tokenizer, final: Path, *, dtype: torch.dtype = torch.float32) -> None:
    """The base with the adapter merged, as a folder `AutoModelForCausalLM.from_pretrained` loads (like SFT's
    export_hf: the full state dict is gathered on rank 0, in host memory)."""
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict
    from transformers import AutoModelForCausalLM

    causal_lm = model.model.get_base_model()
    state = get_model_state_dict(causal_lm, options=StateDictOptions(full_state_dict=True, cpu_offload=True))
    if dist.get_rank() == 0:
        config = model.model.peft_config["default"]
        merged = merged_state_dict(state, scaling=config.lora_alpha / config.r)
        with torch.device("meta"):
            fresh = AutoModelForCausalLM.from_config(causal_lm.config)
        fresh.load_state_dict({key: value.to(dtype) for key, value in merged.items()}, assign=True)
        tmp = _fresh_tmp(final)
        fresh.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        _swap(tmp, final)
    dist.barrier()


def _fresh_tmp(final: Path) -> Path:
    tmp = final.with_name(final.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    return tmp


def _swap(tmp: Path, final: Path) -> None:
    shutil.rmtree(final, ignore_errors=True)
    os.rename(tmp, final)
