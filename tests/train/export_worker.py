"""Run by test_export.py under `torchrun --nproc-per-node 2` (gloo): `export_hf` of an FSDP2-sharded model.

export_worker.py OUT check    tiny Llama with TIED embeddings, one AdamW step, then a single-file fp32 export
                              (with the tokenizer), a multi-shard fp32 export and a bf16 one; rank 0 saves the
                              full state dict (`get_model_state_dict(full_state_dict=True)`) to OUT/full.pt
export_worker.py OUT stream   host memory: a ~12M-parameter model built the trainer's way (meta device, sharded,
export_worker.py OUT gather   only local shards allocated), then exported by streaming (`export_hf`) or by
                              gathering the full state dict on rank 0 (the old way); rank 0 samples its RSS during
                              the export and writes OUT/memory-MODE.json
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import torch
import torch.distributed as dist
from transformers import AutoModelForCausalLM, LlamaConfig

from hermes_train.export import export_hf
from hermes_train.fsdp import CausalLMWithLoss, apply_fsdp


def tiny_tied() -> CausalLMWithLoss:
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=320, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True)  # fmt: skip
    return CausalLMWithLoss(AutoModelForCausalLM.from_config(config, attn_implementation="sdpa"))


def check(out: Path) -> None:
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict

    from hermes_data.tokenizer import load_tokenizer

    model = apply_fsdp(tiny_tied())
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    ids = torch.randint(0, 320, (1, 24), generator=torch.Generator().manual_seed(dist.get_rank()))
    total, _ = model(input_ids=ids, labels=ids, position_ids=torch.arange(24)[None])
    total.backward()
    optimizer.step()  # trained weights, not the seed's: the export must carry the update
    full = get_model_state_dict(model.model, options=StateDictOptions(full_state_dict=True, cpu_offload=True))
    if dist.get_rank() == 0:
        torch.save(full, out / "full.pt")
    stats = {
        "single": export_hf(model, load_tokenizer("llama3"), out / "single"),
        "multi": export_hf(model, None, out / "multi", max_shard_size=8_000),
        "bf16": export_hf(model, None, out / "bf16", dtype=torch.bfloat16, max_shard_size=8_000),
    }
    if dist.get_rank() == 0:
        (out / "stats.json").write_text(json.dumps(stats), encoding="utf-8")


def medium_sharded() -> CausalLMWithLoss:
    """8 layers of hidden 256 and an 8,000-row vocabulary (48 MB in fp32), never whole on any rank."""
    config = LlamaConfig(vocab_size=8000, hidden_size=256, intermediate_size=1024, num_hidden_layers=8,
                         num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=False)  # fmt: skip
    with torch.device("meta"):
        model = CausalLMWithLoss(AutoModelForCausalLM.from_config(config))
    apply_fsdp(model)
    model.to_empty(device="cpu")
    with torch.no_grad():
        for param in model.parameters():
            param.to_local().normal_()
    return model


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def memory(out: Path, mode: str) -> None:
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict

    model = medium_sharded()
    model_bytes = sum(p.numel() * 4 for p in model.parameters())
    dist.barrier()
    before, peak, done = _rss(), [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss())
            done.wait(0.001)

    sampler = threading.Thread(target=sample)
    sampler.start()
    if mode == "stream":
        export_hf(model, None, out / "export", max_shard_size=4 * 2**20)
    else:
        state = get_model_state_dict(model.model, options=StateDictOptions(full_state_dict=True, cpu_offload=True))
        del state
    done.set()
    sampler.join()
    if dist.get_rank() == 0:
        result = {"mode": mode, "model_bytes": model_bytes, "rss_before": before, "rss_peak": max(peak[0], _rss())}
        result["peak_over_model"] = (result["rss_peak"] - before) / model_bytes
        (out / f"memory-{mode}.json").write_text(json.dumps(result), encoding="utf-8")


def main(out: Path, mode: str) -> None:
    dist.init_process_group("gloo")
    if mode == "check":
        check(out)
    else:
        memory(out, mode)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
