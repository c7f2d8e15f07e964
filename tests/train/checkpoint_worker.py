"""Run by test_checkpoint.py under `torchrun --nproc-per-node 2` (gloo): train 5 steps saving at step 2 ("full"), then
build a fresh model, optimizer and scheduler from another seed, resume from the latest checkpoint and train to step 5
("resume"). Both in one launch to keep the test fast; a restart between them changes nothing the checkpoint does not
restore. Writes OUT/losses-<mode>-rank-R.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
import torch.distributed as dist
from transformers import AutoModelForCausalLM, LlamaConfig

from hermes_train.checkpoint import latest_checkpoint, load_checkpoint, save_checkpoint
from hermes_train.collate import PackedCollator
from hermes_train.fsdp import CausalLMWithLoss, apply_fsdp, backward_global_batch
from hermes_train.schedule import build_scheduler

STEPS, SAVE_AT = 5, 2


def build(seed: int):
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=128,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
    )
    model = apply_fsdp(CausalLMWithLoss(AutoModelForCausalLM.from_config(config, attn_implementation="sdpa")))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.01)
    return model, optimizer, build_scheduler(optimizer, warmup_steps=1, total_steps=STEPS)


def micro_batches(step: int, rank: int) -> list[dict[str, torch.Tensor]]:
    rng = torch.Generator().manual_seed(100 * step + rank)
    samples = []
    for length in (11, 17):
        ids = torch.randint(1, 128, (length,), generator=rng).tolist()
        samples.append({"input_ids": ids, "labels": [-100] * 3 + ids[3:]})
    return [PackedCollator(0, pad_to=32)([samples])]


def run(mode: str, out: Path, rank: int) -> None:
    model, optimizer, scheduler = build(seed=0 if mode == "full" else 1)  # resume must not rely on the seed
    start = 0
    if mode == "resume":
        start = load_checkpoint(latest_checkpoint(out), model, optimizer, scheduler)["data"]["next_step"]
    losses = {}
    for step in range(start, STEPS):
        stats = backward_global_batch(model, micro_batches(step, rank))
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        losses[step + 1] = stats["loss"]
        if mode == "full" and step + 1 == SAVE_AT:
            save_checkpoint(out, step + 1, model, optimizer, scheduler, {"next_step": step + 1})
    (out / f"losses-{mode}-rank-{rank}.json").write_text(json.dumps(losses), encoding="utf-8")


def main(out: Path) -> None:
    dist.init_process_group("gloo")
    for mode in ("full", "resume"):
        run(mode, out, dist.get_rank())
    dist.destroy_process_group()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
