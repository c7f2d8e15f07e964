"""Packing efficiency and speed: `hermes_train.packing.pack` against TRL's `pack_dataset(..., strategy="bfd")`.

    python benchmarks/packing.py [--build out/demo-mix] [--rows 1000000] [--max-length 8192] [--no-trl]

Length mixes, each packed into rows of `--max-length` tokens:
- `demo`: the ChatML token lengths of a build folder (`hermes-data build recipes/demo.yaml`; built into a temporary
  folder when `--build` does not exist), counted with the shared accounting function;
- `demo-x<N>`: the same lengths resampled to `--realistic-rows` samples, a realistic mix at training scale;
- `fastchat`: ../shared/data's FastChat ShareGPT conversations, when that folder is beside the repository;
- `synthetic`: `--rows` lognormal lengths (median ~550 tokens, long tail clipped to max_length).

TRL is run twice on the same lengths: as `SFTTrainer` calls it (`datasets.map` batches of 1,000 rows, each packed on
its own) and with one batch holding every row (plain BFD, which must give exactly our number of bins). The token
lists handed to TRL are `list<int8>` columns of nulls, so a million rows cost no token memory. `lower_bound` is
`ceil(sum / max_length)` bins; efficiency is real tokens / (bins * max_length).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from hermes_train.packing import lower_bound_bins, pack

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


# ---------------------------------------------------------------- length mixes


def demo_lengths(build: Path) -> np.ndarray:
    from hermes_data.tokenizer import count_tokens, load_tokenizer

    if not (build / "manifest.json").is_file():
        build = Path(tempfile.mkdtemp()) / "demo-mix"
        command = [str(Path(sys.executable).parent / "hermes-data"), "build", str(REPO / "recipes" / "demo.yaml")]
        subprocess.run([*command, "--set", f"output={build}"], check=True, capture_output=True)
    messages = pq.read_table(build / "data", columns=["messages"]).column("messages").to_pylist()
    return np.array([i + o for i, o in count_tokens(messages, load_tokenizer())])


def fastchat_lengths() -> np.ndarray | None:
    path = SHARED / "lm-sys__FastChat" / "dummy_conversation.json"
    if not path.is_file():
        return None
    from hermes_data.tokenizer import count_tokens, load_tokenizer

    roles = {"human": "user", "gpt": "assistant", "system": "system"}
    rows = json.loads(path.read_text(encoding="utf-8"))
    conversations = [[{"role": roles[t["from"]], "content": t["value"]} for t in r["conversations"]] for r in rows]
    return np.array([i + o for i, o in count_tokens(conversations, load_tokenizer())])


def synthetic_lengths(rows: int, max_length: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(rng.lognormal(6.3, 1.0, size=rows).astype(np.int64), 16, max_length)


# ---------------------------------------------------------------- packers


def time_ours(lengths: np.ndarray, max_length: int, runs: int = 3) -> tuple[int, float]:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        bins = pack(lengths, max_length)
        best = min(best, time.perf_counter() - start)
    return len(bins), best


def time_trl(lengths: np.ndarray, max_length: int, batch_size: int) -> tuple[int, float]:
    import datasets
    from trl.data_utils import pack_dataset

    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]), pa.int64())
    column = pa.LargeListArray.from_arrays(offsets, pa.nulls(int(offsets[-1].as_py()), pa.int8()))
    dataset = datasets.Dataset(pa.table({"input_ids": column}))
    start = time.perf_counter()
    packed = pack_dataset(dataset, max_length, strategy="bfd", map_kwargs={"batch_size": batch_size})
    return len(packed), time.perf_counter() - start


def measure(name: str, lengths: np.ndarray, max_length: int, trl: bool) -> dict:
    total = int(lengths.sum())
    bound = lower_bound_bins(lengths, max_length)
    bins, seconds = time_ours(lengths, max_length)
    row = {"mix": name, "samples": len(lengths), "tokens": total, "lower_bound": bound}
    row |= {"bins": bins, "efficiency": round(total / (bins * max_length), 5), "seconds": round(seconds, 3)}
    if trl:
        for label, batch_size in (("trl_sft", 1000), ("trl_one_batch", len(lengths))):
            trl_bins, trl_seconds = time_trl(lengths, max_length, batch_size)
            row[f"{label}_bins"] = trl_bins
            row[f"{label}_efficiency"] = round(total / (trl_bins * max_length), 5)
            row[f"{label}_seconds"] = round(trl_seconds, 3)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=REPO / "out" / "demo-mix")
    parser.add_argument("--rows", type=int, default=1_000_000, help="synthetic lengths")
    parser.add_argument("--realistic-rows", type=int, default=200_000, help="demo lengths resampled to this many")
    parser.add_argument("--max-length", type=int, default=8192)
    parser.add_argument("--no-trl", action="store_true", help="only time `pack`")
    args = parser.parse_args()
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    import datasets

    datasets.disable_progress_bars()
    demo = np.minimum(demo_lengths(args.build), args.max_length)
    mixes = {"demo": demo, f"demo-x{args.realistic_rows}": np.random.default_rng(0).choice(demo, args.realistic_rows)}
    fastchat = fastchat_lengths()
    if fastchat is not None:
        mixes["fastchat"] = np.minimum(fastchat, args.max_length)
    mixes["synthetic"] = synthetic_lengths(args.rows, args.max_length)
    for name, lengths in mixes.items():
        print(json.dumps(measure(name, lengths, args.max_length, trl=not args.no_trl)), flush=True)


if __name__ == "__main__":
    main()
