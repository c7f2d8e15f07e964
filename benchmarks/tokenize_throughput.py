"""Token-counting throughput next to raw `tokenizers` speed, and the built-in tokenizer's cold and warm load times.

    python benchmarks/tokenize_throughput.py [--rows 20000] [--no-load]

`measure(conversations)` is the helper `validate.py` can call: `count_tokens` (render + encode + locate the loss
spans; through tiktoken for the built-in tokenizer) against `Tokenizer.encode_batch` on the already-rendered ChatML
texts, the Hugging Face tokenizer's own speed. Load times run in fresh subprocesses: cold with an empty temporary
`HERMES_CACHE` (conversion + cache write), warm with the entry just written; both include importing `transformers`.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hermes_data.tokenizer import count_tokens, load_tokenizer, render_chatml  # noqa: E402

_LOAD = "import time; t = time.perf_counter(); from hermes_data.tokenizer import load_tokenizer; load_tokenizer(); "
_LOAD += "print(time.perf_counter() - t)"


def measure(conversations: list[list[dict]], tokenizer=None, *, runs: int = 3, quiet: bool = False) -> dict:
    """tokens/s of count_tokens and of raw encode_batch over the same conversations.

    The two alternate `runs` times and the best run of each counts, so a noisy shared machine hurts both alike.
    """
    tokenizer = tokenizer or load_tokenizer()
    texts = [render_chatml(c, bos_token=tokenizer.bos_token) for c in conversations]
    raw = tokenizer.backend_tokenizer
    t_count = t_raw = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        counts = count_tokens(conversations, tokenizer)
        t1 = time.perf_counter()
        raw_tokens = sum(len(e) for e in raw.encode_batch(texts, add_special_tokens=False))
        t_count, t_raw = min(t_count, t1 - t0), min(t_raw, time.perf_counter() - t1)
    num_tokens = sum(i + o for i, o in counts)
    figures = {
        "conversations": len(conversations),
        "tokens": num_tokens,
        "output_tokens": sum(o for _, o in counts),
        "count_tokens_per_s": round(num_tokens / t_count),
        "raw_encode_batch_tokens_per_s": round(raw_tokens / t_raw),
        "count_vs_raw": round(t_raw / t_count, 3),
        "raw_tokens_equal": raw_tokens == num_tokens,
        "threads": int(os.environ.get("RAYON_NUM_THREADS") or os.cpu_count()),
    }
    if not quiet:
        print(f"count_tokens  {figures['count_tokens_per_s']:>12,} tokens/s ({num_tokens:,} tokens)")
        print(f"encode_batch  {figures['raw_encode_batch_tokens_per_s']:>12,} tokens/s (raw tokenizers, same texts)")
    return figures


def load_times() -> dict:
    """Seconds to load the built-in tokenizer in a fresh process: cold (empty cache), then warm (cache reused)."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "HERMES_CACHE": cache}
        cold, warm = (
            float(
                subprocess.run(
                    [sys.executable, "-c", _LOAD], env=env, capture_output=True, text=True, check=True
                ).stdout
            )
            for _ in range(2)
        )
    return {"load_cold_s": round(cold, 2), "load_warm_s": round(warm, 2)}


def main() -> None:
    from synthetic import conversations

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--no-load", action="store_true", help="skip the cold/warm load timing")
    args = parser.parse_args()
    figures = {} if args.no_load else load_times()
    if figures:
        print(f"load          cold {figures['load_cold_s']} s, warm {figures['load_warm_s']} s")
    figures |= measure(conversations(args.rows))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
