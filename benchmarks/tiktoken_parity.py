"""tiktoken against the Hugging Face tokenizer on real files: equal ids and counts, and the speed of each.

    python benchmarks/tiktoken_parity.py FILE.json[l] ...   # e.g. the files under /work/shared/data

Every string value in the files (JSON or JSONL, any nesting) is encoded both ways and the ids compared; consecutive
strings then become user/assistant turns of conversations whose `count_tokens` (tiktoken) and `count_tokens_hf`
counts are compared and timed, next to raw `encode_batch` on the rendered texts. Prints mismatches (none expected)
and a final JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hermes_data.tokenizer import load_tokenizer, render_chatml  # noqa: E402
from hermes_data.tokenizer.chatml import count_tokens, count_tokens_hf  # noqa: E402
from hermes_data.tokenizer.tiktoken_counts import encode, encoding_for  # noqa: E402


def strings_of(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [s for item in items for s in strings_of(item)]


def read_strings(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    try:
        return strings_of(json.loads(text))
    except json.JSONDecodeError:
        return [s for line in text.splitlines() if line.strip() for s in strings_of(json.loads(line))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--turns", type=int, default=4, help="strings per conversation")
    args = parser.parse_args()
    tok = load_tokenizer("llama3")
    enc = encoding_for(tok)
    strings = [s for f in args.files for s in read_strings(f)]
    hf = [e.ids for e in tok.backend_tokenizer.encode_batch(strings, add_special_tokens=False)]
    bad = [s for s, ids in zip(strings, hf, strict=True) if encode(s, enc).tolist() != ids]
    for s in bad[:5]:
        print(f"ids differ: {s[:120]!r}")
    roles = ("user", "assistant")
    convs = [
        [{"role": roles[j % 2], "content": s} for j, s in enumerate(strings[i : i + args.turns])]
        for i in range(0, len(strings), args.turns)
    ]
    count_tokens(convs[:10], tok)  # the encoding's one-time construction is not part of the timing
    t = time.perf_counter()
    fast = count_tokens(convs, tok)
    t_fast = time.perf_counter() - t
    t = time.perf_counter()
    slow = count_tokens_hf(convs, tok)
    t_hf = time.perf_counter() - t
    texts = [render_chatml(c) for c in convs]
    t = time.perf_counter()
    num_tokens = sum(len(e) for e in tok.backend_tokenizer.encode_batch(texts, add_special_tokens=False))
    t_raw = time.perf_counter() - t
    differ = sum(a != b for a, b in zip(fast, slow, strict=True))
    figures = {
        "strings": len(strings),
        "strings_with_different_ids": len(bad),
        "conversations": len(convs),
        "conversations_with_different_counts": differ,
        "tokens": num_tokens,
        "count_tokens_tiktoken_tokens_per_s": round(num_tokens / t_fast),
        "count_tokens_hf_tokens_per_s": round(num_tokens / t_hf),
        "raw_hf_encode_batch_tokens_per_s": round(num_tokens / t_raw),
    }
    print(
        f"{len(strings):,} strings, {len(bad)} with different ids; {len(convs):,} conversations, {differ} with "
        f"different counts; {num_tokens:,} tokens; tokens/s: count_tokens (tiktoken) {num_tokens / t_fast:,.0f}, "
        f"count_tokens_hf {num_tokens / t_hf:,.0f}, raw HF encode_batch {num_tokens / t_raw:,.0f}"
    )
    print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
