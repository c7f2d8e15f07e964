"""SFT training throughput and MFU on one device: packed vs padded batches, SDPA vs flex attention vs FlashAttention-2.

    python benchmarks/train_throughput.py [--dataset BUILD] [--steps 10] [--warmup 3] [--max-length 8192]
                                          [--checkpointing on,off] [--compile] [--peak-tflops F]
                                          [--out benchmarks/results/train_throughput.json]
    python benchmarks/train_throughput.py --tiny      # small config on CPU: a smoke run, not a measurement

Model: a ~1.2B-parameter Llama (Llama 3.2 1B's shape: hidden 2048, 16 layers, 32 heads, 8 KV heads, 128,256-token
vocabulary), randomly initialized, fp32 master weights under bf16 autocast, AdamW, activation checkpointing per
decoder layer on or off (`--checkpointing`), optionally each decoder layer compiled (`--compile`), and the trainer's
chunked loss (only labelled positions reach the LM head). Data: with `--dataset`, the rows of a `hermes-data build`
output (a folder or any reference `load_mix` takes) tokenized with the trainer's masking (Llama 3.1 tokenizer,
truncated at `--max-length`); without it, synthetic samples with lognormal lengths (median ~550 tokens, long tail
clipped to `--max-length`), the first 30 % of each a prompt (labels -100). One optimizer step sees `--rows` rows:

- `packed`: bins from `hermes_train.packing.pack`, `position_ids` restarting per sample and no attention mask, so
  SDPA and flex attention get a block-diagonal (document) mask from transformers and FlashAttention-2 runs varlen on
  the flattened row (`PackedCollator(flatten=True)`);
- `padded`: the same samples in order, as many per step as `--rows` packed rows hold on average, padded to the
  longest of the step, with an attention mask.

Figures per variant: real (non-pad) tokens/s, and MFU with torchtitan's count of model FLOPs per token,
6 * N + 12 * L * H * Q * T (N: parameters without the input embedding; L layers, H heads, Q head size, T the row
length), against the device's dense bf16 peak: `--peak-tflops`, or by the device's name from PEAK_TFLOPS (H100 SXM
and H200: 989.4, NVIDIA's datasheet figure without sparsity). The same run also times a 8192^3 bf16 matrix product on
the device and reports MFU against that measured rate too (what the chip really gives here). Only real tokens count,
so padding shows as lost MFU.
T is the row length, as torchtitan counts it; with document masking the attention really done is smaller, so packed
MFU is slightly overstated in the attention term. Timings exclude `--warmup` steps (allocation, compilation).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import time
from pathlib import Path

import numpy as np
import torch

from hermes_train.collate import PackedCollator
from hermes_train.loss import chunked_lm_loss
from hermes_train.packing import pack
from hermes_train.tokenize import IGNORE_INDEX

ONE_B = {"vocab_size": 128256, "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16,
         "num_attention_heads": 32, "num_key_value_heads": 8, "max_position_embeddings": 8192,
         "tie_word_embeddings": False}  # fmt: skip
# The Llama 3.1 vocabulary even when tiny: `--dataset` rows carry its token ids.
TINY = {"vocab_size": 128256, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
        "tie_word_embeddings": False}  # fmt: skip


# Dense bf16 tensor-core peaks in TFLOP/s (NVIDIA datasheets, without sparsity), matched against the CUDA device name.
PEAK_TFLOPS = [("H100 PCIe", 756.0), ("H100 NVL", 835.0), ("H100", 989.4), ("H200", 989.4), ("GH200", 989.4),
               ("A100", 312.0), ("L40S", 362.1), ("B200", 2250.0)]  # fmt: skip


def device_peak(name: str) -> float | None:
    """The datasheet peak of a CUDA device name (`NVIDIA H100 80GB HBM3`), or None when it is not in the table."""
    for key, peak in PEAK_TFLOPS:
        if key in name:
            return peak
    return None


def measured_matmul_tflops(device: torch.device, size: int = 8192, repeats: int = 10) -> float | None:
    """bf16 TFLOP/s of a size^3 matrix product on random data (mean of `repeats` after 3 warm-ups); None on CPU."""
    if device.type != "cuda":
        return None
    a, b = (torch.randn(size, size, device=device, dtype=torch.bfloat16) for _ in range(2))
    for _ in range(3):
        a @ b
    torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(repeats):
        a @ b
    torch.cuda.synchronize()
    return 2 * size**3 * repeats / (time.perf_counter() - started) / 1e12


def flops_per_token(config: dict, num_params: int, seq_len: int) -> float:
    """torchtitan's model FLOPs per token (forward + backward)."""
    layers, heads = config["num_hidden_layers"], config["num_attention_heads"]
    head_dim = config["hidden_size"] // heads
    embedding = config["vocab_size"] * config["hidden_size"]
    return 6 * (num_params - embedding) + 12 * layers * heads * head_dim * seq_len


def synthetic_samples(count: int, max_length: int, vocab: int, seed: int = 0) -> list[dict[str, list[int]]]:
    rng = np.random.default_rng(seed)
    median = min(550, max_length // 4)
    lengths = np.clip(rng.lognormal(np.log(median), 0.9, count).astype(int), 16, max_length)
    samples = []
    for length in lengths:
        ids = rng.integers(0, vocab, int(length)).tolist()
        prompt = int(length * 0.3)
        samples.append({"input_ids": ids, "labels": [IGNORE_INDEX] * prompt + ids[prompt:]})
    return samples


def build_samples(ref: str, max_length: int) -> list[dict[str, list[int]]]:
    """The trainable samples of a build, as the trainer tokenizes them (masking, truncation at `max_length`)."""
    from hermes_data.load import load_mix
    from hermes_data.tokenizer import load_tokenizer
    from hermes_train.tokenize import tokenize_dataset

    dataset, _ = load_mix(ref)
    tokenized, _ = tokenize_dataset(dataset, load_tokenizer("llama3"), max_length, overflow="truncate")
    pairs = zip(tokenized["input_ids"], tokenized["labels"], strict=True)
    return [{"input_ids": ids, "labels": labels} for ids, labels in pairs]


def packed_batches(samples, max_length: int, rows: int, flatten: bool) -> list[tuple[dict, int]]:
    """(batch, real tokens) of `rows` packed rows each."""
    bins = pack([len(s["input_ids"]) for s in samples], max_length)
    collate = PackedCollator(0, flatten=flatten)
    batches = []
    for k in range(0, len(bins) - rows + 1, rows):
        group = [[samples[i] for i in b] for b in bins[k : k + rows]]
        batches.append((collate(group), sum(len(s["input_ids"]) for row in group for s in row)))
    return batches


def padded_batches(samples, rows: int) -> list[tuple[dict, int]]:
    """(batch, real tokens) of `rows` samples each, padded to the longest, with an attention mask."""
    batches = []
    for k in range(0, len(samples) - rows + 1, rows):
        group = samples[k : k + rows]
        length = max(len(s["input_ids"]) for s in group)
        ids = torch.zeros(rows, length, dtype=torch.long)
        labels = torch.full((rows, length), IGNORE_INDEX)
        mask = torch.zeros(rows, length, dtype=torch.long)
        for r, sample in enumerate(group):
            n = len(sample["input_ids"])
            ids[r, :n], labels[r, :n] = torch.tensor(sample["input_ids"]), torch.tensor(sample["labels"])
            mask[r, :n] = 1
        batches.append(({"input_ids": ids, "labels": labels, "attention_mask": mask}, int(mask.sum())))
    return batches


def build_model(config: dict, attn: str, device: torch.device, *, checkpointing: bool, compile_layers: bool):
    from transformers import AutoModelForCausalLM, LlamaConfig

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(LlamaConfig(**config, use_cache=False), attn_implementation=attn)
    if checkpointing:
        model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
    model = model.to(device)
    if compile_layers:  # per decoder layer, as torchtitan does: one graph reused by every layer
        for layer in model.get_decoder().layers:
            layer.compile()
    return model


def run_variant(config, layout: str, attn: str, checkpointing: bool, samples, args, device) -> dict:
    model = build_model(config, attn, device, checkpointing=checkpointing, compile_layers=args.compile)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, fused=device.type == "cuda")
    if layout == "packed":
        batches = packed_batches(samples, args.max_length, args.rows, flatten=attn == "flash_attention_2")
    else:
        batches = padded_batches(samples, args.padded_batch)
    needed = args.warmup + args.steps
    if len(batches) < needed:
        raise ValueError(f"{len(batches)} batches, {needed} needed: raise --samples")
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")
    tokens = slots = 0
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    for step, (batch, real) in enumerate(batches[:needed]):
        if step == args.warmup:
            _sync(device)
            started = time.perf_counter()
        batch = {k: v.to(device) for k, v in batch.items()}
        with autocast:
            out = model.get_decoder()(input_ids=batch["input_ids"], attention_mask=batch.get("attention_mask"),
                                      position_ids=batch.get("position_ids"), use_cache=False)  # fmt: skip
            total, count = chunked_lm_loss(out.last_hidden_state, batch["labels"], model.get_output_embeddings())
        (total / max(count, 1)).backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if step >= args.warmup:
            tokens += real
            slots += batch["input_ids"].numel()
    _sync(device)
    elapsed = time.perf_counter() - started
    num_params = sum(p.numel() for p in model.parameters())
    per_token = flops_per_token(config, num_params, args.max_length)
    result = {"layout": layout, "attention": attn, "checkpointing": checkpointing, "compile": args.compile,
              "steps": args.steps, "tokens": tokens, "slots": slots, "seconds": elapsed,
              "tokens_per_s": tokens / elapsed, "flops_per_token": per_token}  # fmt: skip
    result["tflops"] = result["tokens_per_s"] * per_token / 1e12
    result["mfu"] = result["tflops"] / args.peak_tflops
    if args.matmul_tflops:
        result["mfu_of_measured_matmul"] = result["tflops"] / args.matmul_tflops
    result["real_token_fraction"] = tokens / slots
    if device.type == "cuda":
        result["peak_memory_gib"] = torch.cuda.max_memory_allocated() / 2**30
    del model, optimizer
    return result


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def has_flash_attn() -> bool:
    return importlib.util.find_spec("flash_attn") is not None


def variants(device: torch.device) -> list[tuple[str, str]]:
    out = [("packed", "sdpa"), ("padded", "sdpa"), ("packed", "flex_attention"), ("padded", "flex_attention")]
    if device.type == "cuda" and has_flash_attn():
        out += [("packed", "flash_attention_2"), ("padded", "flash_attention_2")]
    return out


def parse_checkpointing(value: str) -> list[bool]:
    choices = {"on": True, "off": False}
    try:
        return [choices[item.strip()] for item in value.split(",")]
    except KeyError:
        raise SystemExit(f"--checkpointing: a comma list of on/off, got {value!r}") from None


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="small model on CPU (smoke test)")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--warmup", type=int, default=None)
    parser.add_argument("--max-length", type=int, default=None)
    parser.add_argument("--rows", type=int, default=1, help="packed rows (or padded samples x this) per step")
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--dataset", default=None, help="a hermes-data build's rows (default: synthetic)")
    parser.add_argument("--checkpointing", default="on", help="activation checkpointing: on, off, or on,off (both)")
    parser.add_argument("--compile", action="store_true", help="torch.compile each decoder layer")
    parser.add_argument(
        "--peak-tflops",
        type=float,
        default=None,
        help="device bf16 dense peak (default: by device name, see PEAK_TFLOPS; 989.4 on CPU)",
    )
    parser.add_argument("--only", default=None, help="comma list of layout:attention, e.g. packed:sdpa")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/train_throughput.json"))
    args = parser.parse_args(argv)
    device = torch.device("cuda" if torch.cuda.is_available() and not args.tiny else "cpu")
    config = TINY if args.tiny else ONE_B
    args.steps = args.steps or (3 if args.tiny else 10)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.tiny else 3)
    args.max_length = args.max_length or (256 if args.tiny else 8192)
    name = torch.cuda.get_device_name() if device.type == "cuda" else "cpu"
    if args.peak_tflops is None:
        args.peak_tflops = device_peak(name) if device.type == "cuda" else 989.4
        if args.peak_tflops is None:
            raise SystemExit(f"no datasheet peak known for {name!r}: pass --peak-tflops")
    args.matmul_tflops = measured_matmul_tflops(device)
    if args.dataset:
        samples = build_samples(args.dataset, args.max_length)
    else:
        args.samples = args.samples or 40 * (args.warmup + args.steps) * args.rows
        samples = synthetic_samples(args.samples, args.max_length, config["vocab_size"])
    # A padded step holds as many samples as `rows` packed rows do on average, so both see the same data per step.
    num_bins = len(pack([len(s["input_ids"]) for s in samples], args.max_length))
    args.padded_batch = max(1, round(len(samples) / num_bins)) * args.rows
    chosen = variants(device)
    if args.only:
        chosen = [tuple(item.split(":")) for item in args.only.split(",")]
    results = []
    print(f"{len(samples)} samples; each variant as it finishes:\n{HEADER}", flush=True)
    for checkpointing in parse_checkpointing(args.checkpointing):
        for layout, attn in chosen:
            try:
                results.append(run_variant(config, layout, attn, checkpointing, samples, args, device))
            except Exception as exc:  # a backend missing here, or out of memory, is a row of the table, not the end
                results.append({"layout": layout, "attention": attn, "checkpointing": checkpointing,
                                "compile": args.compile, "error": f"{type(exc).__name__}: {exc}"[:300]})  # fmt: skip
            if device.type == "cuda":
                torch.cuda.empty_cache()
            print_row(results[-1], flush=True)
    report = {"device": name, "tiny": args.tiny, "config": config, "max_length": args.max_length,
              "dataset": args.dataset, "num_samples": len(samples), "rows_per_step": args.rows,
              "padded_samples_per_step": args.padded_batch, "peak_tflops": args.peak_tflops,
              "matmul_tflops": args.matmul_tflops, "flash_attn_installed": has_flash_attn(),
              "torch": torch.__version__, "results": results}  # fmt: skip
    print_table(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


HEADER = (f"{'layout':8} {'attention':26} {'AC':3} {'tokens/s':>12} {'TFLOP/s':>9} {'MFU':>7} {'of matmul':>9} "
          f"{'real/computed':>13}")  # fmt: skip


def print_table(report: dict) -> None:
    matmul = report["matmul_tflops"]
    measured = f", measured bf16 matmul {matmul:.0f} TFLOP/s" if matmul else ""
    print(f"device {report['device']}, max_length {report['max_length']}, "
          f"peak {report['peak_tflops']} TFLOP/s{measured}")  # fmt: skip
    print(HEADER)
    for row in report["results"]:
        print_row(row)


def print_row(row: dict, flush: bool = False) -> None:
    ac = "on" if row["checkpointing"] else "off"
    start = f"{row['layout']:8} {row['attention'] + ('+compile' if row['compile'] else ''):26} {ac:3}"
    if "error" in row:
        print(f"{start} {'unavailable: ' + row['error'][:80]}", flush=flush)
        return
    of_matmul = f"{row['mfu_of_measured_matmul']:9.2%}" if "mfu_of_measured_matmul" in row else f"{'-':>9}"
    print(f"{start} {row['tokens_per_s']:12.1f} {row['tflops']:9.3f} {row['mfu']:7.2%} {of_matmul} "
          f"{row['real_token_fraction']:13.1%}", flush=flush)  # fmt: skip


if __name__ == "__main__":
    main()
