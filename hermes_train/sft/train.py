"""One SFT run, per rank: `train(recipe)` reads top to bottom: data, model, optimizer, resume, loop, export, report.

Started once per process by `hermes-train sft` (through `torch.distributed.run`, which sets RANK/WORLD_SIZE/…):

    python -m hermes_train.sft.train RECIPE [--set key=value …]

Data order: the packed rows (bins) are shuffled per epoch with `seed + epoch`, identically on every rank; each global
batch is `global_batch_size` consecutive rows of that order and rank R takes rows R, R+W, R+2W, … of it. The order
depends only on the recipe, so the data position of a checkpoint is its step number.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from hermes_data.errors import RecipeError
from hermes_train.checkpoint import latest_checkpoint, load_checkpoint, remove_incomplete, save_checkpoint
from hermes_train.collate import PackedCollator
from hermes_train.export import export_hf
from hermes_train.fsdp import CausalLMWithLoss, backward_global_batch, shard_for_recipe
from hermes_train.packing import pack, packing_efficiency
from hermes_train.schedule import build_scheduler
from hermes_train.sft.config import SFTRecipe, load_sft_recipe, parse_overrides
from hermes_train.sft.models import build_config, build_meta_model, load_weights


def train(recipe: SFTRecipe) -> dict:
    """The whole run on this rank (every rank calls it); returns the facts written to run.json."""
    device = init_distributed()
    rank, world = dist.get_rank(), dist.get_world_size()
    out = Path(recipe.output)
    out.mkdir(parents=True, exist_ok=True)

    # --- data: load, tokenize with the loss mask, pack into max_length rows --------------------------------------
    tokenizer, samples, data_info = build_data(recipe)
    bins = data_info.pop("bins")
    accumulation = recipe.check_world(world)
    steps_per_epoch = len(bins) // recipe.global_batch_size  # the last partial global batch is left out
    if steps_per_epoch == 0:
        raise RecipeError(f"global_batch_size ({recipe.global_batch_size}) exceeds the {len(bins)} packed rows")
    total_steps = steps_per_epoch * recipe.epochs

    # --- model: FSDP2 per decoder layer, then the root (fsdp.py) ---------------------------------------------------
    model = build_sharded_model(recipe, tokenizer, device)
    optimizer, scheduler = build_optimizer(recipe, model, total_steps)

    # --- resume from the latest complete step-N/ (what a killed run half-wrote is deleted first) -------------------
    if rank == 0:
        removed = remove_incomplete(out)
        if removed:
            print(f"removed incomplete outputs of an earlier run: {', '.join(removed)}", file=sys.stderr)
    dist.barrier()
    step = 0
    checkpoint = latest_checkpoint(out)
    if checkpoint is not None:
        step = load_checkpoint(checkpoint, model, optimizer, scheduler)["step"]
        if rank == 0:
            print(f"resumed from {checkpoint}", file=sys.stderr)
    resumed_from = step
    metrics = MetricsLog(out / "metrics.jsonl", keep_up_to=step, enabled=rank == 0)

    # --- loop ------------------------------------------------------------------------------------------------------
    collate = PackedCollator(tokenizer.pad_token_id, flatten=recipe.model.attn_implementation == "flash_attention_2")
    last_step = min(total_steps, recipe.max_steps or total_steps)
    started, num_tokens = time.perf_counter(), 0
    while step < last_step:
        epoch, index = divmod(step, steps_per_epoch)
        rows = global_batch_rows(len(bins), recipe, epoch, index)
        micro_batches = rank_micro_batches(rows[rank::world], bins, samples, collate, accumulation, device)
        model.train()
        stats = backward_global_batch(model, micro_batches)
        grad_norm = clip_gradients(model, recipe.optimizer.max_grad_norm)
        lr = scheduler.get_last_lr()[0]
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        tokens = sum(data_info["lengths"][i] for row in rows for i in bins[row])
        num_tokens += tokens
        if step % recipe.log_every == 0 or step == last_step:
            metrics.write({"step": step, "epoch": epoch + 1, "loss": stats["loss"], "lr": lr, "tokens": tokens,
                           "loss_tokens": stats["tokens"], "grad_norm": grad_norm})  # fmt: skip
        # Export before checkpointing: a run killed in between redoes this step and its export on resume.
        if step % steps_per_epoch == 0:
            dtype = torch.bfloat16 if recipe.precision == "bf16" else torch.float32  # bf16 as the base models ship
            export_hf(model, tokenizer, out / f"epoch-{step // steps_per_epoch}", dtype=dtype)
        if step % recipe.checkpoint_every == 0:
            save_checkpoint(out, step, model, optimizer, scheduler, {"epoch": epoch, "index": index + 1})
    elapsed = time.perf_counter() - started

    # --- report ----------------------------------------------------------------------------------------------------
    run = {**data_info, "steps_per_epoch": steps_per_epoch, "total_steps": total_steps, "last_step": step}
    run |= {"world_size": world, "accumulation_steps": accumulation, "resumed_from_step": resumed_from}
    run["tokens_per_second"] = num_tokens / max(elapsed, 1e-9)
    if rank == 0:
        write_run_json(out, recipe, run)
    dist.barrier()
    dist.destroy_process_group()
    return run


# --- building blocks, in the order train() uses them ------------------------------------------------------------------


def init_distributed() -> torch.device:
    """NCCL on GPU (one device per local rank), gloo on CPU."""
    if torch.cuda.is_available():
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        torch.cuda.set_device(device)
        dist.init_process_group("nccl", device_id=device)
        return device
    dist.init_process_group("gloo")
    return torch.device("cpu")


def build_data(recipe: SFTRecipe):
    """Tokenizer, trainable samples (`input_ids`, `labels` lists) and the data facts for run.json (with the bins)."""
    from hermes_data.load import load_mix
    from hermes_data.tokenizer import load_tokenizer
    from hermes_train.tokenize import tokenize_dataset

    tokenizer = load_tokenizer(recipe.model.tokenizer, add_chatml_tokens=recipe.model.add_chatml_tokens)
    dataset, resolved = load_mix(recipe.dataset)
    tokenized, counts = tokenize_dataset(dataset, tokenizer, recipe.max_length, overflow=recipe.overflow)
    samples = {"input_ids": tokenized["input_ids"], "labels": tokenized["labels"]}
    lengths = [len(ids) for ids in samples["input_ids"]]
    bins = pack(lengths, recipe.max_length)
    info = {
        "dataset": resolved.to_dict(),
        "tokenize": counts,
        "num_samples": len(lengths),
        "num_rows": len(bins),
        "packing_efficiency": packing_efficiency(lengths, bins, recipe.max_length),
        "lengths": lengths,
        "bins": bins,
    }
    return tokenizer, samples, info


def build_sharded_model(recipe: SFTRecipe, tokenizer, device: torch.device) -> CausalLMWithLoss:
    """Meta-device model, checked against the tokenizer, sharded, then only this rank's shards allocated and filled
    (models.py), so no rank ever holds the whole model."""
    from hermes_train.tokenize import check_model_tokenizer

    model = build_meta_model(recipe.model, build_config(recipe.model))
    check_model_tokenizer(model, tokenizer)
    if recipe.gradient_checkpointing:
        model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
    model.config.use_cache = False
    wrapped = CausalLMWithLoss(model, chunk_size=recipe.loss_chunk_size)
    shard_for_recipe(wrapped, recipe, device)
    load_weights(recipe.model, model, seed=recipe.seed)
    return wrapped


def build_optimizer(recipe: SFTRecipe, model: torch.nn.Module, total_steps: int):
    spec = recipe.optimizer
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=spec.lr, betas=spec.betas, eps=spec.eps, weight_decay=spec.weight_decay
    )
    warmup = min(spec.warmup_steps, total_steps)
    scheduler = build_scheduler(
        optimizer, warmup_steps=warmup, total_steps=total_steps, decay=spec.decay, min_ratio=spec.min_lr_ratio
    )
    return optimizer, scheduler


def global_batch_rows(num_rows: int, recipe: SFTRecipe, epoch: int, index: int) -> list[int]:
    """Packed-row ids of global batch `index` of `epoch`: a per-epoch permutation, the same on every rank."""
    order = np.random.default_rng([recipe.seed, epoch]).permutation(num_rows)
    size = recipe.global_batch_size
    return order[index * size : (index + 1) * size].tolist()


def rank_micro_batches(rows, bins, samples, collate, accumulation: int, device) -> list[dict[str, torch.Tensor]]:
    """This rank's rows split into `accumulation` micro-batches of packed rows, collated onto the device."""
    per_micro = len(rows) // accumulation
    batches = []
    for start in range(0, len(rows), per_micro):
        packed = [
            [{"input_ids": samples["input_ids"][i], "labels": samples["labels"][i]} for i in bins[row]]
            for row in rows[start : start + per_micro]
        ]
        batches.append({key: value.to(device) for key, value in collate(packed).items()})
    return batches


def clip_gradients(model: torch.nn.Module, max_norm: float | None) -> float:
    """Clip to `max_norm` (none: only measure); the norm is over the full, unsharded gradients."""
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm if max_norm is not None else float("inf"))
    norm = norm.full_tensor() if hasattr(norm, "full_tensor") else norm
    return float(norm)


class MetricsLog:
    """`metrics.jsonl` on rank 0; a resumed run drops the lines after its checkpoint so each step appears once."""

    def __init__(self, path: Path, *, keep_up_to: int, enabled: bool):
        self.path, self.enabled = path, enabled
        if enabled and path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            kept = [line for line in lines if line.strip() and json.loads(line)["step"] <= keep_up_to]
            path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")

    def write(self, row: dict) -> None:
        if self.enabled:
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(row) + "\n")


def write_run_json(out: Path, recipe: SFTRecipe, run: dict) -> None:
    run = {key: value for key, value in run.items() if key != "lengths"}
    record = {"recipe": recipe.model_dump(mode="json"), "recipe_sha256": recipe.sha256(), **run, "git": _git_commit()}
    tmp = out / "run.json.tmp"
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out / "run.json")


def _git_commit() -> str | None:
    root = Path(__file__).resolve().parents[2]
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def die_with_launcher() -> None:
    """Have the kernel SIGKILL this rank when its parent (the torchrun agent) dies (Linux; elsewhere a no-op).

    torchrun starts every rank in a session of its own, so a SIGKILL of torchrun or of the job's process group (OOM
    killer, `kill -9`, a preempted job step) does not reach the ranks: they would train on as orphans, writing
    checkpoints into the folder that the rerun resumes from."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    parent = os.getppid()
    pr_set_pdeathsig = 1  # <linux/prctl.h>
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the launcher died before the call: nobody will send the signal
        os._exit(1)


def main(argv: list[str] | None = None) -> None:
    """Per-rank entry point: `RECIPE [--set key=value …]`."""
    die_with_launcher()
    args = list(sys.argv[1:] if argv is None else argv)
    pairs = [args[i + 1] for i, arg in enumerate(args) if arg == "--set"]
    recipe = load_sft_recipe(args[0], parse_overrides(pairs))
    train(recipe)


if __name__ == "__main__":
    main()
