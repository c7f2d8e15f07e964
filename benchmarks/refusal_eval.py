"""Precision and recall of the refusal filter on the hand-labelled set, next to a keyword-list baseline.

    python benchmarks/refusal_eval.py [--data benchmarks/data/refusals_labelled.jsonl] [--speed-rows 200000]

The set (one JSON object a line: text, label "refusal"|"ok", source, optional note) mixes assistant replies from
public fixtures (FastChat, axolotl, Hermes function calling), the repository's embedded sample, and rows written to be
hard: "written" while the patterns were being written, then three holdouts, each written before the next pattern
revision and measured once before it. Holdouts 1 and 2 were then used to fix what they exposed (first measurements:
holdout-1 precision 1.000 / recall 0.840, holdout-2 0.909 / 0.909); holdout-3 was never tuned on and is the honest
estimate. The real-data groups are mostly easy negatives. Labels describe the reply text alone (see the label rules
in hermes_data/filters/refusals.py); the set is enriched in refusals, so precision here overstates precision on a
real corpus where refusals are a few percent.

The baseline is the common "refusal if the reply contains any of these phrases" check used by jailbreak
evaluations; it shows what anchoring to the opening and checking for substance buys.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import conversations  # noqa: E402

from hermes_data.filters.refusals import refusal_reason  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parent / "data" / "refusals_labelled.jsonl"
BASELINE_PHRASES = (
    "i'm sorry",
    "i am sorry",
    "i apologize",
    "as an ai",
    "as a language model",
    "i cannot",
    "i can't",
    "i am unable",
    "i'm unable",
    "i'm not able",
    "i must decline",
    "not appropriate",
)


def baseline(text: str) -> bool:
    lower = text.lower().replace("\u2019", "'")
    return any(p in lower for p in BASELINE_PHRASES)


def load(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    bad = [i + 1 for i, r in enumerate(rows) if r.get("label") not in ("refusal", "ok")]
    if bad:
        raise SystemExit(f"{path}: lines {bad[:5]} have a label other than 'refusal' or 'ok'")
    return rows


def group_of(source: str) -> str:
    if source.startswith("written"):
        return source
    return "repo-sample" if source.startswith("hermes-toolkit") else "public-fixtures"


def scores(pairs: list[tuple[bool, bool]]) -> dict[str, float | int]:
    """Confusion counts and precision/recall/F1 of the refusal class; pairs are (truth, predicted)."""
    c = Counter(pairs)
    tp, fp, fn, tn = c[(True, True)], c[(False, True)], c[(True, False)], c[(False, False)]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall, "f1": f1}


def line(name: str, s: dict) -> str:
    return (
        f"{name:<22} n={s['tp'] + s['fp'] + s['fn'] + s['tn']:>4}  refusals={s['tp'] + s['fn']:>3}  "
        f"precision={s['precision']:.3f}  recall={s['recall']:.3f}  f1={s['f1']:.3f}"
    )


def speed(texts: list[str], num_rows: int) -> float:
    rng = random.Random(0)
    sample = [rng.choice(texts) for _ in range(num_rows)]
    t0 = time.perf_counter()
    for text in sample:
        refusal_reason(text)
    return num_rows / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--speed-rows", type=int, default=200_000, help="replies timed (drawn from the set)")
    args = parser.parse_args()

    rows = load(args.data)
    reasons = [refusal_reason(r["text"]) for r in rows]
    truth = [r["label"] == "refusal" for r in rows]
    predicted = [reason is not None for reason in reasons]

    print(f"labelled set: {args.data} ({len(rows)} rows)\n")
    print(line("refusal filter (all)", scores(list(zip(truth, predicted, strict=True)))))
    for group in sorted({group_of(r["source"]) for r in rows}):
        pairs = [(t, p) for r, t, p in zip(rows, truth, predicted, strict=True) if group_of(r["source"]) == group]
        print(line(f"  {group}", scores(pairs)))
    print(line("keyword baseline (all)", scores([(t, baseline(r["text"])) for r, t in zip(rows, truth, strict=True)])))

    s = scores(list(zip(truth, predicted, strict=True)))
    print("\nconfusion matrix (rows: label, columns: predicted)")
    print(f"{'':>10} {'refusal':>8} {'ok':>6}")
    print(f"{'refusal':>10} {s['tp']:>8} {s['fn']:>6}")
    print(f"{'ok':>10} {s['fp']:>8} {s['tn']:>6}")

    fired = Counter(reason for reason in reasons if reason)
    print("\nfamilies that fired:", ", ".join(f"{k}={v}" for k, v in fired.most_common()))

    wrong = [(r, reason) for r, reason, t, p in zip(rows, reasons, truth, predicted, strict=True) if t != p]
    print(f"\nmisclassified ({len(wrong)}):")
    for r, reason in wrong:
        kind = "missed refusal" if r["label"] == "refusal" else f"false alarm ({reason})"
        print(f"- [{kind}; {r['source']}] {r['text'][:200]!r}")

    if args.speed_rows:
        rate = speed([r["text"] for r in rows], args.speed_rows)
        print(f"\nspeed: {rate:,.0f} replies/s (one core, replies drawn from this refusal-rich set)")
        ordinary = [m["content"] for c in conversations(20_000) for m in c if m["role"] == "assistant"]
        rate = speed(ordinary, args.speed_rows)
        print(f"speed: {rate:,.0f} replies/s (one core, ordinary replies from benchmarks/synthetic.py)")


if __name__ == "__main__":
    main()
