"""Run by test_fsdp.py under `torchrun --nproc-per-node 2` (gloo): one optimizer step's gradients, sharded vs not.

Each rank also builds the unsharded model and runs the WHOLE global batch alone (the 1-process run), then compares
full gradients. Writes `{rank, loss, reference_loss, tokens, max_grad_diff, max_grad_diff_unscaled}` to OUT/rank-R.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
import torch.distributed as dist
from transformers import AutoModelForCausalLM, LlamaConfig

from hermes_train.collate import PackedCollator
from hermes_train.fsdp import CausalLMWithLoss, apply_fsdp, backward_global_batch

PAD = 0


def build() -> CausalLMWithLoss:
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=256,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        tie_word_embeddings=False,
    )
    return CausalLMWithLoss(AutoModelForCausalLM.from_config(config, attn_implementation="sdpa"), chunk_size=7)


def global_batch() -> list[dict[str, torch.Tensor]]:
    """Four packed micro-batches with very different loss-token counts (so a per-rank mean would be wrong)."""
    rng = torch.Generator().manual_seed(1)
    batches = []
    for step in range(4):
        samples = []
        for length, prompt in ((9 + step, 4), (13, 2 + 3 * step)):
            ids = torch.randint(1, 256, (length,), generator=rng).tolist()
            samples.append({"input_ids": ids, "labels": [-100] * prompt + ids[prompt:]})
        batches.append(PackedCollator(PAD, pad_to=30)([samples]))
    return batches


def grads(model: torch.nn.Module) -> list[torch.Tensor]:
    return [p.grad.full_tensor() if hasattr(p.grad, "full_tensor") else p.grad for p in model.parameters()]


def main(out: Path) -> None:
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    batches = global_batch()
    reference = build()
    dist.barrier()
    # The 1-process run: world size 1 semantics, computed without collectives.
    ref_stats = _single_process(reference, batches)
    sharded = apply_fsdp(build())
    stats = backward_global_batch(sharded, batches[rank::world])
    diff = max((a - b).abs().max().item() for a, b in zip(grads(sharded), grads(reference), strict=True))
    result = {"rank": rank, "loss": stats["loss"], "reference_loss": ref_stats["loss"], "tokens": stats["tokens"]}
    result |= {"reference_tokens": ref_stats["tokens"], "max_grad_diff": diff}
    result["max_grad"] = max(g.abs().max().item() for g in grads(reference))
    (out / f"rank-{rank}.json").write_text(json.dumps(result), encoding="utf-8")
    dist.destroy_process_group()


def _single_process(model: CausalLMWithLoss, batches) -> dict:
    tokens = sum(int((b["labels"][:, 1:] != -100).sum()) for b in batches)
    loss_sum = 0.0
    for batch in batches:
        total, _ = model(**batch)
        (total / tokens).backward()
        loss_sum += float(total)
    return {"loss": loss_sum / tokens, "tokens": tokens}


if __name__ == "__main__":
    main(Path(sys.argv[1]))
