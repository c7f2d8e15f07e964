"""One SFT run, per rank: `train(recipe)` reads top to bottom: data, model, optimizer, resume, loop, export, report.

Started once per process by `hermes-train sft` (through `torch.distributed.run`, which sets RANK/WORLD_SIZE/…):

    python -m hermes_train.sft.train RECIPE [--set key=value …]

Data order: the packed rows (bins) are shuffled per epoch with `seed + epoch`, identically on every rank; each global
batch is `global_batch_size` consecutive rows of that order and rank R takes rows R, R+W, R+2W, … of it. The order
depends only on the recipe, so the data position of a checkpoint is its step number.
"""

from __future__ import annotations

import time

import torch

from hermes_train.checkpoint import resume
from hermes_train.collate import PackedCollator
from hermes_train.distributed import run_rank
from hermes_train.export import export_hf
from hermes_train.fsdp import CausalLMWithLoss, backward_global_batch, shard_for_recipe
from hermes_train.guard import check_weights
from hermes_train.loop import (
    build_recipe_scheduler,
    count_steps_per_epoch,
    finish_run,
    global_batch,
    optimizer_step,
    save_step_checkpoint,
    start_run,
)
from hermes_train.models import build_config, build_meta_model, load_weights
from hermes_train.packing import pack, packing_efficiency
from hermes_train.progress import Progress
from hermes_train.run_log import MetricsLog
from hermes_train.sft.config import SFTRecipe, load_sft_recipe


def train(recipe: SFTRecipe) -> dict:
    """The whole run on this rank (every rank calls it); returns the facts written to run.json."""
    device, rank, world, out = start_run(recipe)

    # --- data: load, tokenize with the loss mask, pack into max_length rows --------------------------------------
    tokenizer, samples, data_info = build_data(recipe)
    bins = data_info.pop("bins")
    accumulation = recipe.check_world(world)
    steps_per_epoch = count_steps_per_epoch(len(bins), recipe.global_batch_size, "packed rows")
    total_steps = steps_per_epoch * recipe.epochs

    # --- model: FSDP2 per decoder layer, then the root (fsdp.py) ---------------------------------------------------
    model = build_sharded_model(recipe, tokenizer, device)
    optimizer, scheduler = build_optimizer(recipe, model, total_steps)

    # --- resume from the latest complete step-N/ (what a killed run half-wrote is deleted first) -------------------
    step = resumed_from = resume(out, model, optimizer, scheduler)
    metrics = MetricsLog(out / "metrics.jsonl", keep_up_to=step, enabled=rank == 0)

    # --- loop ------------------------------------------------------------------------------------------------------
    collate = PackedCollator(tokenizer.pad_token_id, flatten=recipe.model.attn_implementation == "flash_attention_2")
    last_step = min(total_steps, recipe.max_steps or total_steps)
    started, num_tokens = time.perf_counter(), 0
    progress = Progress(total=last_step, start=step, every=recipe.progress_every, enabled=rank == 0)
    while step < last_step:
        epoch, index = divmod(step, steps_per_epoch)
        rows = global_batch_rows(len(bins), recipe, epoch, index)
        micro_batches = rank_micro_batches(rows[rank::world], bins, samples, collate, accumulation, device)
        model.train()
        stats = backward_global_batch(model, micro_batches)
        grad_norm, lr = optimizer_step(model, optimizer, scheduler, step=step + 1, loss=stats["loss"],
                                       max_grad_norm=recipe.optimizer.max_grad_norm)  # fmt: skip
        step += 1
        tokens = sum(data_info["lengths"][i] for row in rows for i in bins[row])
        num_tokens += tokens
        if step % recipe.log_every == 0 or step == last_step:
            metrics.write({"step": step, "epoch": epoch + 1, "loss": stats["loss"], "lr": lr, "tokens": tokens,
                           "loss_tokens": stats["tokens"], "grad_norm": grad_norm})  # fmt: skip
        progress.update(step, loss=stats["loss"], lr=lr, tokens=tokens)
        # Export before checkpointing: a run killed in between redoes this step and its export on resume.
        if step % steps_per_epoch == 0:
            check_weights(model, step, f"epoch-{step // steps_per_epoch}/ export")
            export_hf(model, tokenizer, out / f"epoch-{step // steps_per_epoch}", dtype=recipe.export_dtype())
        if step % recipe.checkpoint_every == 0:
            save_step_checkpoint(out, step, model, optimizer, scheduler, {"epoch": epoch, "index": index + 1})
    progress.close()
    elapsed = time.perf_counter() - started

    # --- report ----------------------------------------------------------------------------------------------------
    run = {**data_info, "steps_per_epoch": steps_per_epoch, "total_steps": total_steps, "last_step": step}
    run |= {"world_size": world, "accumulation_steps": accumulation, "resumed_from_step": resumed_from}
    run["tokens_per_second"] = num_tokens / max(elapsed, 1e-9)
    return finish_run(out, recipe, run, rank)


# --- building blocks, in the order train() uses them ------------------------------------------------------------------


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
    return optimizer, build_recipe_scheduler(optimizer, spec, total_steps)


def global_batch_rows(num_rows: int, recipe: SFTRecipe, epoch: int, index: int) -> list[int]:
    """Packed-row ids of global batch `index` of `epoch`: a per-epoch permutation, the same on every rank."""
    return global_batch(num_rows, seed=recipe.seed, epoch=epoch, index=index, size=recipe.global_batch_size)


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


def main(argv: list[str] | None = None) -> None:
    """Per-rank entry point: `RECIPE [--set key=value …]`."""
    run_rank(train, load_sft_recipe, argv)


if __name__ == "__main__":
    main()
