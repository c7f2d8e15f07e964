"""The pieces every trainer's loop repeats (SFT and DPO alike): start and finish a rank's run, the number of steps,
the global batch of a step, the guarded optimizer step and the guarded checkpoint.

The data order depends only on the recipe (seed, epoch, step index), identically on every rank, so the data position
of a checkpoint is its step number.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from hermes_data.errors import RecipeError
from hermes_train.checkpoint import save_checkpoint
from hermes_train.distributed import init_distributed
from hermes_train.fsdp import clip_gradients
from hermes_train.guard import check_step, check_weights
from hermes_train.run_log import write_run_json
from hermes_train.schedule import build_scheduler


def start_run(recipe) -> tuple[torch.device, int, int, Path]:
    """Join the process group and make the output folder: (device, rank, world size, output)."""
    device = init_distributed()
    rank, world = dist.get_rank(), dist.get_world_size()
    out = Path(recipe.output)
    out.mkdir(parents=True, exist_ok=True)
    return device, rank, world, out


def count_steps_per_epoch(num_items: int, global_batch_size: int, what: str) -> int:
    """Optimizer steps per epoch; the last partial global batch is left out. `what` names the items in the error."""
    steps = num_items // global_batch_size
    if steps == 0:
        raise RecipeError(f"global_batch_size ({global_batch_size}) exceeds the {num_items} {what}")
    return steps


def build_recipe_scheduler(optimizer, spec, total_steps: int):
    """The recipe's `optimizer` section's schedule (warmup capped at the run's length) over `optimizer`."""
    return build_scheduler(
        optimizer,
        warmup_steps=min(spec.warmup_steps, total_steps),
        total_steps=total_steps,
        decay=spec.decay,
        min_ratio=spec.min_lr_ratio,
    )


def global_batch(num_items: int, *, seed: int, epoch: int, index: int, size: int) -> list[int]:
    """Item positions of global batch `index` of `epoch`: a per-epoch permutation, the same on every rank."""
    order = np.random.default_rng([seed, epoch]).permutation(num_items)
    return order[index * size : (index + 1) * size].tolist()


def optimizer_step(model, optimizer, scheduler, *, step: int, loss: float, max_grad_norm: float | None):
    """Clip, check, apply: returns (gradient norm, the learning rate the step used). `step` is the step being made
    (1-based); a non-finite loss or norm raises before the update, so outputs keep the last finite weights."""
    grad_norm = clip_gradients(model, max_grad_norm)
    check_step(step, loss, grad_norm)
    lr = scheduler.get_last_lr()[0]
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    return grad_norm, lr


def save_step_checkpoint(out: Path, step: int, model, optimizer, scheduler, data_state: dict, **options) -> None:
    """`step-N/` after checking the weights are finite on every rank (collective, as the save is)."""
    check_weights(model, step, f"step-{step}/ checkpoint")
    save_checkpoint(out, step, model, optimizer, scheduler, data_state, **options)


def finish_run(out: Path, recipe, run: dict, rank: int) -> dict:
    """Rank 0 writes run.json; every rank waits for it, then leaves the process group. Returns `run`.

    The process group's backend and the device name go in too: a run that silently fell back to gloo on CPU (no
    CUDA seen by the ranks) would otherwise look like a slow GPU run."""
    run |= {"backend": dist.get_backend(), "device": device_name()}
    if rank == 0:
        write_run_json(out, recipe, run)
    dist.barrier()
    dist.destroy_process_group()
    return run


def device_name() -> str:
    """`cpu`, or this rank's GPU as CUDA names it (`NVIDIA H100 80GB HBM3`)."""
    return torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"
