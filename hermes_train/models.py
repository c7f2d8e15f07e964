"""Model configs and construction for SFT and DPO: a Hub id / local path, or a `config:` block for a random Llama.

No rank ever holds the full fp32 model (a 70B model is 280 GB): every rank builds the model on the meta device, shards
it, allocates only its shards (`to_empty`), and then fills them: a random model is initialized on rank 0 and broadcast
(small by nature), a pretrained one is read shard by shard from its safetensors files by each rank
(`HuggingFaceStorageReader`). Non-persistent buffers (the rotary frequencies) are not in any state dict, so they
are recomputed on the device after `to_empty`.

The Llama 3.1 architectures are written out so `--dry-run` plans the paper's runs offline (no Hub access to read a
gated `config.json`); the numbers are those of Meta's published configs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hermes_data.errors import RecipeError

_LLAMA31_COMMON: dict[str, Any] = {
    "vocab_size": 128256,
    "num_key_value_heads": 8,
    "max_position_embeddings": 131072,
    "rms_norm_eps": 1e-5,
    "rope_theta": 500000.0,
    "rope_scaling": {
        "rope_type": "llama3",
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192,
    },
    "bos_token_id": 128000,
    "eos_token_id": 128001,
    "tie_word_embeddings": False,
}
LLAMA31_CONFIGS: dict[str, dict[str, Any]] = {
    "meta-llama/Llama-3.1-8B": {"hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
                                "num_attention_heads": 32},
    "meta-llama/Llama-3.1-70B": {"hidden_size": 8192, "intermediate_size": 28672, "num_hidden_layers": 80,
                                 "num_attention_heads": 64},
    "meta-llama/Llama-3.1-405B": {"hidden_size": 16384, "intermediate_size": 53248, "num_hidden_layers": 126,
                                  "num_attention_heads": 128},
}  # fmt: skip


def build_config(spec, *, planning: bool = False):
    """The `PretrainedConfig` of a recipe's `model` section, without loading weights (`planning`: the built-in
    Llama 3.1 configs may stand in for the Hub's, for `--dry-run`)."""
    from transformers import LlamaConfig

    if spec.config is not None:
        return LlamaConfig(**spec.config)
    if planning and spec.name in LLAMA31_CONFIGS and not Path(spec.name).exists():
        return LlamaConfig(**_LLAMA31_COMMON, **LLAMA31_CONFIGS[spec.name])
    return read_config(spec.name, what="model.name")


def read_config(name: str, *, what: str):
    """The model config of a folder or Hub id; every way it can be unusable is one RecipeError line starting with
    `what` (transformers' own messages span lines, or are a ValueError about `model_type`)."""
    from transformers import AutoConfig

    folder = Path(name).expanduser()
    looks_local = name.startswith(("/", ".", "~")) or name.count("/") > 1  # a Hub id is `org/name`
    if looks_local and not folder.exists():
        raise RecipeError(f"{what}: no such model folder {name}; point it at a model folder or a Hub id")
    if folder.is_dir() and not (folder / "config.json").is_file():
        raise RecipeError(f"{what}: {name} has no config.json; point it at a model folder (e.g. an SFT epoch-K/)")
    try:
        return AutoConfig.from_pretrained(name)
    except (OSError, ValueError) as exc:
        # A Hub id that cannot be fetched, a config.json that is not JSON or has no known `model_type`.
        reason = " ".join(str(exc).split())
        raise RecipeError(f"{what}: cannot use the config of {name!r} ({reason})") from None


def build_model(spec, *, seed: int):
    """The model on CPU in fp32 (FSDP keeps fp32 master weights; mixed precision casts per layer).

    A random model is initialized from `seed` on every rank, so all ranks start identical before `fully_shard`.
    """
    import torch
    from transformers import AutoModelForCausalLM

    if spec.config is not None:
        torch.manual_seed(seed)
        config = build_config(spec)
        return AutoModelForCausalLM.from_config(config, attn_implementation=spec.attn_implementation)
    return AutoModelForCausalLM.from_pretrained(
        spec.name, dtype=torch.float32, attn_implementation=spec.attn_implementation
    )


def build_meta_model(spec, config):
    """The model's structure on the meta device: no memory, any size."""
    import torch
    from transformers import AutoModelForCausalLM

    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(config, attn_implementation=spec.attn_implementation)


def load_weights(spec, model, *, seed: int) -> None:
    """Fill a sharded (FSDP2) model whose shards were allocated with `to_empty`. Collective: every rank calls it."""
    import torch.distributed as dist
    from torch.distributed.checkpoint.state_dict import StateDictOptions, set_model_state_dict

    if spec.config is not None:
        full = build_model(spec, seed=seed).state_dict() if dist.get_rank() == 0 else {}
        options = StateDictOptions(full_state_dict=True, broadcast_from_rank0=True)
        set_model_state_dict(model, full, options=options)
    else:
        _load_safetensors(model, pretrained_folder(spec.name))
    restore_buffers(model)


def pretrained_folder(name: str) -> str:
    """A local folder with the model's safetensors: the path itself, or the Hub snapshot (downloaded by local rank 0
    while the others wait, so they do not race on the cache)."""
    import os

    import torch.distributed as dist

    if Path(name).is_dir():
        return name
    from huggingface_hub import snapshot_download

    patterns = ["*.json", "*.safetensors"]
    if int(os.environ.get("LOCAL_RANK", 0)) == 0:
        snapshot_download(name, allow_patterns=patterns)
    dist.barrier()
    return snapshot_download(name, allow_patterns=patterns, local_files_only=True)


def _load_safetensors(model, folder: str) -> None:
    import torch.distributed.checkpoint as dcp
    from torch.distributed.checkpoint.state_dict import get_model_state_dict, set_model_state_dict

    state = get_model_state_dict(model)  # this rank's shards (DTensors), keyed like the safetensors files
    dcp.load(state, storage_reader=dcp.HuggingFaceStorageReader(folder))
    set_model_state_dict(model, state)


def restore_buffers(model) -> None:
    """Recompute the rotary embedding's frequencies (non-persistent buffers) on the device they now live on."""
    import torch

    for module in model.modules():
        if type(module).__name__.endswith("RotaryEmbedding"):
            device = next(module.buffers()).device
            with torch.device(device):
                fresh = type(module)(config=module.config)
            for name, buffer in fresh.named_buffers(recurse=False):
                getattr(module, name).copy_(buffer)
