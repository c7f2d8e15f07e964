"""Validation rows/s and token-counting tokens/s on N synthetic conversations, next to raw `tokenizers` speed.

    python benchmarks/validate.py [--rows 100000]

The raw figure is `tokenizers.Tokenizer.encode_batch` over the same rendered ChatML texts: the limit that token
counting can approach, since it must also find the output (loss) spans.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import conversations  # noqa: E402

from hermes_data.record import make_record  # noqa: E402
from hermes_data.tokenizer import count_tokens, load_tokenizer, render_chatml  # noqa: E402
from hermes_data.validate import validate_record  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    convs = conversations(args.rows)
    records = [make_record(c) for c in convs]
    t0 = time.perf_counter()
    num_invalid = sum(bool(validate_record(r)) for r in records)
    t_validate = time.perf_counter() - t0

    tok = load_tokenizer("llama3")
    t0 = time.perf_counter()
    counts = count_tokens(convs, tok)
    t_count = time.perf_counter() - t0
    num_tokens = sum(i + o for i, o in counts)

    texts = [render_chatml(c) for c in convs]
    raw = tok.backend_tokenizer
    t0 = time.perf_counter()
    encodings = raw.encode_batch(texts, add_special_tokens=False)
    t_raw = time.perf_counter() - t0
    raw_tokens = sum(len(e.ids) for e in encodings)

    figures = {
        "rows": args.rows,
        "invalid_rows": num_invalid,
        "validate_rows_per_s": round(args.rows / t_validate),
        "tokens": num_tokens,
        "count_tokens_per_s": round(num_tokens / t_count),
        "raw_encode_batch_tokens_per_s": round(raw_tokens / t_raw),
        "count_vs_raw": round((num_tokens / t_count) / (raw_tokens / t_raw), 3),
        "raw_tokens_equal": raw_tokens == num_tokens,
    }
    print(f"validate      {figures['validate_rows_per_s']:>12,} rows/s  ({num_invalid} invalid of {args.rows:,})")
    print(f"count_tokens  {figures['count_tokens_per_s']:>12,} tokens/s ({num_tokens:,} tokens)")
    print(f"encode_batch  {figures['raw_encode_batch_tokens_per_s']:>12,} tokens/s (raw tokenizers, same texts)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
