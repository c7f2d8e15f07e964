"""The DPO model: one copy of the base weights with a LoRA adapter; the reference is the same weights, adapter off.

Construction as for SFT (models.py): the base is built on the meta device, wrapped with peft's LoRA layers (still
meta), sharded with FSDP2 per decoder layer, and only then are this rank's shards allocated and filled: the base from
rank 0's random init (broadcast) or from the safetensors files (read per shard), the adapter from peft's own init
rule (A Kaiming-uniform, B zero, so the policy starts equal to the reference) drawn from the recipe's seed on rank 0,
so 1 and N processes start from the same adapter.

peft renames a wrapped linear layer's weight from `…q_proj.weight` to `…q_proj.base_layer.weight`; the base's state
dict keys are mapped back to the plain Hugging Face names to load them.
"""

from __future__ import annotations

import gc
import math

import torch
import torch.distributed as dist
from torch import nn

from hermes_train.dpo.loss import sequence_logps
from hermes_train.dpo.neftune import NEFTune


class PolicyWithReference(nn.Module):
    """A peft LoRA model whose forward returns per-row sequence log-probs `[B]` of the policy (adapter on) or, with
    `reference=True`, of the reference (adapter disabled, no gradient, no NEFTune)."""

    def __init__(self, peft_model: nn.Module, *, chunk_size: int = 4096, neftune_alpha: float | None = None):
        super().__init__()
        self.model = peft_model
        self.chunk_size = chunk_size
        embedding = peft_model.get_base_model().get_input_embeddings()
        self.neftune = NEFTune(embedding, neftune_alpha) if neftune_alpha else None

    def forward(
        self, input_ids: torch.Tensor, labels: torch.Tensor, lengths: torch.Tensor, *, reference: bool = False
    ) -> torch.Tensor:
        if reference:
            with torch.no_grad(), self.model.disable_adapter():
                return self._logps(input_ids, labels)
        if self.neftune is not None and self.training:
            with self.neftune.policy_forward(lengths):
                return self._logps(input_ids, labels)
        return self._logps(input_ids, labels)

    def _logps(self, input_ids: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        # No attention mask: rows are right-padded, and causal attention never lets a real token see later padding.
        causal_lm = self.model.get_base_model()
        out = causal_lm.get_decoder()(input_ids=input_ids, use_cache=False)
        head = causal_lm.get_output_embeddings()
        return sequence_logps(out.last_hidden_state, labels, head, chunk_size=self.chunk_size)


def lora_config(spec):
    from peft import LoraConfig

    return LoraConfig(
        r=spec.r, lora_alpha=spec.alpha, lora_dropout=spec.dropout, target_modules=list(spec.target_modules),
        bias="none", task_type="CAUSAL_LM",
    )  # fmt: skip


def build_sharded_policy(recipe, tokenizer, device: torch.device) -> PolicyWithReference:
    """Meta model + LoRA, sharded (FSDP2), this rank's shards allocated and filled. Collective."""
    from peft import get_peft_model

    from hermes_data.errors import RecipeError
    from hermes_train.fsdp import shard_for_recipe
    from hermes_train.models import build_config, build_meta_model, restore_buffers
    from hermes_train.tokenize import check_model_tokenizer

    base = build_meta_model(recipe.model, build_config(recipe.model))
    check_model_tokenizer(base, tokenizer)
    base.config.use_cache = False
    if recipe.gradient_checkpointing:
        base.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
    try:
        peft_model = get_peft_model(base, lora_config(recipe.lora))
    except ValueError as exc:  # peft: "Target modules {...} not found in the base model"
        raise RecipeError(f"lora.target_modules: {exc}") from None
    wrapped = PolicyWithReference(peft_model, chunk_size=recipe.loss_chunk_size, neftune_alpha=recipe.neftune_alpha)
    shard_for_recipe(wrapped, recipe, device)
    causal_lm = peft_model.get_base_model()
    load_base_weights(recipe.model, causal_lm, seed=recipe.seed)
    init_adapter(causal_lm, seed=recipe.seed)
    restore_buffers(causal_lm)
    return wrapped


def hf_key(key: str) -> str:
    """The plain Hugging Face name of a base parameter inside a peft-wrapped model."""
    return key.replace(".base_layer.", ".")


def load_base_weights(spec, causal_lm: nn.Module, *, seed: int) -> None:
    """Fill the base (non-LoRA) shards: rank 0's random init broadcast, or the safetensors read per shard."""
    import torch.distributed.checkpoint as dcp
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict, set_model_state_dict

    from hermes_train.models import build_model, pretrained_folder

    state = {k: v for k, v in get_model_state_dict(causal_lm).items() if "lora_" not in k}
    if spec.config is not None:
        full = build_model(spec, seed=seed).state_dict() if dist.get_rank() == 0 else {}
        full = {key: full[hf_key(key)] for key in state} if full else {}
        options = StateDictOptions(full_state_dict=True, broadcast_from_rank0=True, strict=False)
        set_model_state_dict(causal_lm, full, options=options)
        return
    renamed = {hf_key(key): value for key, value in state.items()}  # the same DTensors, filled in place
    dcp.load(renamed, storage_reader=dcp.HuggingFaceStorageReader(pretrained_folder(spec.name)))
    set_model_state_dict(causal_lm, state, options=StateDictOptions(strict=False))


def initial_adapter_state(causal_lm: nn.Module, *, seed: int) -> dict[str, torch.Tensor]:
    """peft's default LoRA init (A: Kaiming-uniform with a=sqrt(5), B: zeros) as full tensors, drawn from `seed` in
    parameter order, so it does not depend on the world size."""
    generator = torch.Generator().manual_seed(seed)
    state = {}
    for name, param in causal_lm.named_parameters():
        if ".lora_A." in name:
            state[name] = nn.init.kaiming_uniform_(torch.empty(param.shape), a=math.sqrt(5), generator=generator)
        elif ".lora_B." in name:
            state[name] = torch.zeros(param.shape)
    return state


def init_adapter(causal_lm: nn.Module, *, seed: int) -> None:
    """Fill the adapter's shards with `initial_adapter_state`, drawn on rank 0 and broadcast. Collective."""
    from torch.distributed.checkpoint.state_dict import StateDictOptions, set_model_state_dict

    full = initial_adapter_state(causal_lm, seed=seed) if dist.get_rank() == 0 else {}
    options = StateDictOptions(full_state_dict=True, broadcast_from_rank0=True, strict=False)
    set_model_state_dict(causal_lm, full, options=options)


def live_parameter_bytes() -> int:
    """Bytes of every parameter storage alive in this process (unique storages; FSDP's freed unsharded buffers have
    none). Found through the garbage collector, so a second model copy anywhere in the process would be counted."""
    from torch.distributed.tensor import DTensor

    gc.collect()
    seen, total = set(), 0
    for obj in gc.get_objects():
        # The plain type test first: isinstance(obj, nn.Parameter) on arbitrary objects trips deprecated attributes.
        if not (isinstance(obj, torch.Tensor) and isinstance(obj, nn.Parameter)):
            continue
        tensor = obj.to_local() if isinstance(obj, DTensor) else obj
        if tensor.device.type == "meta":
            continue
        storage = tensor.untyped_storage()
        if storage.nbytes() == 0 or storage.data_ptr() in seen:
            continue
        seen.add(storage.data_ptr())
        total += storage.nbytes()
    return total
