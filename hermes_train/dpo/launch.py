"""`hermes-train dpo`: validate the recipe and pre-flight it (model, tokenizer, pair dataset, output, adapter), then
start one `hermes_train.dpo.train` process per rank (hermes_train/launch.py), or print the parameter plan
(`--dry-run`).

Validation happens here, before any process starts, so a recipe typo, a missing model, a dataset that is not
preference pairs or an unwritable output is one line on the terminal and not N tracebacks from N workers.
"""

from __future__ import annotations

from hermes_train.dpo.config import DPORecipe, load_dpo_recipe
from hermes_train.launch import resolve_world, run_ranks
from hermes_train.preflight import preflight
from hermes_train.recipe import parse_overrides

MODULE = "hermes_train.dpo.train"


def launch(recipe_path: str, overrides: list[str], *, nproc: int | None = None, nnodes: int | None = None,
           node_rank: int = 0, master_addr: str | None = None, master_port: int = 29500) -> int:  # fmt: skip
    """Validate, then run this node's ranks; returns their exit status."""
    from hermes_train.dpo.data import load_pairs

    recipe = load_dpo_recipe(recipe_path, parse_overrides(overrides))
    nproc, nnodes = resolve_world(recipe, nproc=nproc, nnodes=nnodes, master_addr=master_addr)
    # The pair columns are checked with the load itself (a DataError names the fix); the adapter's target modules
    # against the base's layers, on the meta device.
    preflight(recipe, check_dataset=lambda ref: load_pairs(ref)[1])
    plan_parameters(recipe, world_size=nproc * nnodes)
    return run_ranks(
        MODULE, recipe_path, overrides, nproc=nproc, nnodes=nnodes, node_rank=node_rank, master_addr=master_addr,
        master_port=master_port,
    )  # fmt: skip


def plan_parameters(recipe: DPORecipe, *, world_size: int) -> dict:
    """Base and adapter sizes from a meta-device model (no memory, any size): what each rank holds in parameters."""
    import torch
    from peft import get_peft_model

    from hermes_data.errors import RecipeError
    from hermes_train.dpo.model import lora_config
    from hermes_train.models import build_config, build_meta_model

    spec = recipe.model.model_copy(update={"attn_implementation": "sdpa"})  # sizes only: no flash-attn needed here
    base = build_meta_model(spec, build_config(spec, planning=True))
    try:
        peft_model = get_peft_model(base, lora_config(recipe.lora))
    except ValueError as exc:  # peft: "Target modules {...} not found in the base model"
        raise RecipeError(f"lora.target_modules: {' '.join(str(exc).split())}") from None
    adapter = sum(p.numel() for p in peft_model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in peft_model.parameters() if not p.requires_grad)
    bytes_per = torch.finfo(torch.float32).bits // 8  # fp32 master weights; bf16 compute copies are transient
    return {
        "model": recipe.model.name or "config",
        "world_size": world_size,
        "accumulation_steps": recipe.check_world(world_size),
        "base_params": frozen,
        "adapter_params": adapter,
        "parameter_gib_per_rank": (frozen + adapter) * bytes_per / world_size / 2**30,
        "optimizer_gib_per_rank": adapter * bytes_per / world_size / 2**30,  # RMSProp: one square average
    }
