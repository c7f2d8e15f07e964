"""One DPO run, per rank: `train(recipe)` reads top to bottom: data, model, optimizer, resume, loop, evaluate, export,
report.

Started once per process by `hermes-train dpo` (through `torch.distributed.run`):

    python -m hermes_train.dpo.train RECIPE [--set key=value …]

Each optimizer step takes `global_batch_size` pairs of a per-epoch permutation (the same on every rank); rank R
takes pairs R, R+W, … of it. Every micro-batch runs two forwards of the one model: the reference (adapter disabled,
no gradient, no NEFTune) and the policy (adapter on, NEFTune on its embeddings). The loss is the sum of per-pair DPO
losses divided by the global batch's number of pairs, so 1 and N processes give the same loss and gradients (FSDP
averages gradients over ranks, hence the factor world_size as in fsdp.backward_global_batch).

Checkpoints (`step-N/`, every `checkpoint_every` steps) hold the adapter, the optimizer, the schedule and each rank's
RNG (LoRA dropout and NEFTune noise draw from it), not the frozen base, which is rebuilt from its source; the data
position is the step number, as for SFT.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import torch
import torch.distributed as dist

from hermes_train.checkpoint import resume
from hermes_train.distributed import all_reduce, run_rank
from hermes_train.dpo.config import DPORecipe, load_dpo_recipe
from hermes_train.dpo.data import PairCollator, load_pairs, split_eval, tokenize_pairs
from hermes_train.dpo.export import save_adapter, save_merged
from hermes_train.dpo.loss import dpo_loss
from hermes_train.dpo.model import build_sharded_policy, live_parameter_bytes
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
from hermes_train.progress import Progress
from hermes_train.run_log import MetricsLog

STATS = ("loss", "rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies")


def train(recipe: DPORecipe) -> dict:
    """The whole run on this rank (every rank calls it); returns the facts written to run.json."""
    device, rank, world, out = start_run(recipe)
    torch.manual_seed(recipe.seed * 1000 + rank)  # LoRA dropout and NEFTune noise: different on every rank

    # --- data: pairs tokenized with SFT's masking, held-out pairs split off ---------------------------------------
    tokenizer, pairs, data_info = build_data(recipe)
    train_ids, eval_ids = split_eval(len(pairs), recipe.eval_fraction, seed=recipe.seed)
    accumulation = recipe.check_world(world)
    steps_per_epoch = count_steps_per_epoch(len(train_ids), recipe.global_batch_size, "train pairs")
    total_steps = steps_per_epoch * recipe.epochs

    # --- model: base + LoRA, FSDP2; the reference is the same weights with the adapter disabled ------------------
    model = build_sharded_policy(recipe, tokenizer, device)
    optimizer, scheduler = build_optimizer(recipe, model, total_steps)

    # --- resume from the latest complete step-N/ (what a killed run half-wrote is deleted first) -------------------
    step = resumed_from = resume(out, model, optimizer, scheduler, trainable_only=True)
    metrics = MetricsLog(out / "metrics.jsonl", keep_up_to=step, enabled=rank == 0)

    # --- loop ------------------------------------------------------------------------------------------------------
    collate = PairCollator(tokenizer.pad_token_id)
    last_step = min(total_steps, recipe.max_steps or total_steps)
    num_tokens, parameter_bytes, evaluation = 0, None, {}
    progress = Progress(total=last_step, start=step, every=recipe.progress_every, enabled=rank == 0)
    started = time.perf_counter()
    while step < last_step:
        epoch, index = divmod(step, steps_per_epoch)
        chosen = global_batch_pairs(train_ids, recipe, epoch, index)
        micro_batches = [collate([pairs[i] for i in ids]) for ids in split_micro(chosen[rank::world], accumulation)]
        model.train()
        stats = backward_global_batch(model, micro_batches, recipe, device)
        grad_norm, lr = optimizer_step(model, optimizer, scheduler, step=step + 1, loss=stats["loss"],
                                       max_grad_norm=recipe.optimizer.max_grad_norm)  # fmt: skip
        step += 1
        if recipe.measure_parameter_bytes and parameter_bytes is None:  # once training state exists
            parameter_bytes = int(all_reduce(torch.tensor(live_parameter_bytes(), dtype=torch.long, device=device)))
        tokens = sum(len(pairs[i][f"{side}_input_ids"]) for i in chosen for side in ("chosen", "rejected"))
        num_tokens += tokens
        row = {"step": step, "epoch": epoch + 1, **stats, "lr": lr, "grad_norm": grad_norm, "tokens": tokens}
        end_of_epoch = step % steps_per_epoch == 0
        if eval_ids and (end_of_epoch or step == last_step or (recipe.eval_every and step % recipe.eval_every == 0)):
            evaluation = evaluate(model, [pairs[i] for i in eval_ids], collate, recipe, device)
            row |= {f"eval/{key}": value for key, value in evaluation.items()}
        if step % recipe.log_every == 0 or step == last_step or "eval/loss" in row:
            metrics.write(row)
        progress.update(step, loss=stats["loss"], lr=lr, tokens=tokens)
        # Export before checkpointing: a run killed in between redoes this step and its export on resume.
        if end_of_epoch:
            k = step // steps_per_epoch
            check_weights(model, step, f"epoch-{k}/ adapter")
            save_adapter(model, tokenizer, out / f"epoch-{k}", base=_base_reference(recipe.model.name))
            if recipe.merge:
                save_merged(model, tokenizer, out / f"epoch-{k}-merged", dtype=recipe.export_dtype())
        if step % recipe.checkpoint_every == 0:
            save_step_checkpoint(out, step, model, optimizer, scheduler, {"epoch": epoch, "index": index + 1},
                                 trainable_only=True)  # fmt: skip
    progress.close()
    elapsed = time.perf_counter() - started

    # --- report ----------------------------------------------------------------------------------------------------
    run = {**data_info, "num_train_pairs": len(train_ids), "num_eval_pairs": len(eval_ids)}
    run |= {"steps_per_epoch": steps_per_epoch, "total_steps": total_steps, "last_step": step}
    run |= {"world_size": world, "accumulation_steps": accumulation, "resumed_from_step": resumed_from}
    if parameter_bytes is not None:
        run["parameter_bytes"] = parameter_bytes
    run |= {"trainable_params": sum(_numel(p) for p in model.parameters() if p.requires_grad)}
    run |= {"base_params": sum(_numel(p) for p in model.parameters() if not p.requires_grad)}
    run |= {"eval": evaluation, "tokens_per_second": num_tokens / max(elapsed, 1e-9)}
    return finish_run(out, recipe, run, rank)


# --- building blocks, in the order train() uses them ------------------------------------------------------------------


def build_data(recipe: DPORecipe):
    """Tokenizer, the trainable tokenized pairs, and the data facts for run.json."""
    from hermes_data.tokenizer import load_tokenizer

    tokenizer = load_tokenizer(recipe.model.tokenizer, add_chatml_tokens=recipe.model.add_chatml_tokens)
    dataset, resolved = load_pairs(recipe.dataset)
    pairs, counts = tokenize_pairs(dataset, tokenizer, recipe.max_length, overflow=recipe.overflow)
    return tokenizer, pairs, {"dataset": resolved.to_dict(), "tokenize": counts, "num_pairs": len(pairs)}


def build_optimizer(recipe: DPORecipe, model: torch.nn.Module, total_steps: int):
    """RMSProp over the adapter only (the base is frozen: no gradients, no optimizer state)."""
    spec = recipe.optimizer
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.RMSprop(
        params, lr=spec.lr, alpha=spec.alpha, eps=spec.eps, weight_decay=spec.weight_decay, momentum=spec.momentum
    )
    return optimizer, build_recipe_scheduler(optimizer, spec, total_steps)


def global_batch_pairs(train_ids: list[int], recipe: DPORecipe, epoch: int, index: int) -> list[int]:
    """Pair ids of global batch `index` of `epoch`: a per-epoch permutation, the same on every rank."""
    size = recipe.global_batch_size
    return [train_ids[i] for i in global_batch(len(train_ids), seed=recipe.seed, epoch=epoch, index=index, size=size)]


def split_micro(ids: list[int], parts: int) -> list[list[int]]:
    size = math.ceil(len(ids) / parts)
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def pair_stats(model, batch: dict[str, torch.Tensor], recipe: DPORecipe, device) -> tuple[torch.Tensor, torch.Tensor]:
    """(per-pair losses `[P]` with gradient, sums `[5]` of loss, chosen/rejected rewards, margins, correct)."""
    batch = {key: value.to(device) for key, value in batch.items()}
    reference = model(**batch, reference=True)
    policy = model(**batch)
    num = reference.shape[0] // 2  # rows: P chosen, then P rejected
    losses, chosen, rejected = dpo_loss(
        policy[:num], policy[num:], reference[:num], reference[num:],
        beta=recipe.dpo.beta, label_smoothing=recipe.dpo.label_smoothing,
    )  # fmt: skip
    margins = chosen - rejected
    sums = torch.stack([losses.detach().sum(), chosen.sum(), rejected.sum(), margins.sum(), (margins > 0).sum()])
    return losses, sums.float()


def backward_global_batch(model, micro_batches: list[dict], recipe: DPORecipe, device) -> dict[str, float]:
    """Forward and backward over this rank's micro-batches; gradients end up as those of the global batch's mean
    pair loss. Returns the global batch's mean loss, rewards, margins and accuracy."""
    scale = dist.get_world_size() / recipe.global_batch_size
    totals = torch.zeros(len(STATS), device=device)
    for batch in micro_batches:
        losses, sums = pair_stats(model, batch, recipe, device)
        (losses.sum() * scale).backward()
        totals += sums
    totals = all_reduce(totals) / recipe.global_batch_size
    return dict(zip(STATS, totals.tolist(), strict=True))


@torch.no_grad()
def evaluate(model, eval_pairs: list[dict], collate, recipe: DPORecipe, device) -> dict[str, float]:
    """Mean loss, rewards and reward accuracy on the held-out pairs, in eval mode (no dropout, no NEFTune).

    Every rank runs the same number of forwards (FSDP's collectives must match): a rank short of pairs repeats one
    with weight zero."""
    model.eval()
    rank, world, size = dist.get_rank(), dist.get_world_size(), recipe.micro_batch_size
    mine = eval_pairs[rank::world]
    totals = torch.zeros(len(STATS) + 1, device=device)
    for start in range(0, math.ceil(len(eval_pairs) / world / size) * size, size):
        chunk = mine[start : start + size]
        _, sums = pair_stats(model, collate(chunk or eval_pairs[:1]), recipe, device)
        if chunk:
            totals += torch.cat([sums, torch.tensor([len(chunk)], dtype=torch.float32, device=device)])
    totals = all_reduce(totals)
    model.train()
    return {**dict(zip(STATS, (totals[:-1] / totals[-1]).tolist(), strict=True)), "pairs": int(totals[-1])}


def _numel(param: torch.Tensor) -> int:
    return param.numel()  # a DTensor's numel is the global (unsharded) size


def _base_reference(name: str | None) -> str | None:
    """A local base as an absolute path (the adapter is loaded from elsewhere later), a Hub id as it is."""
    return str(Path(name).resolve()) if name and Path(name).exists() else name


def main(argv: list[str] | None = None) -> None:
    """Per-rank entry point: `RECIPE [--set key=value …]`."""
    run_rank(train, load_dpo_recipe, argv)


if __name__ == "__main__":
    main()
