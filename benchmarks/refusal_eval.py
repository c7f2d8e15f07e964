"""Precision and recall of each refusal detector on the labelled sets, with misses per class and speed.

    python benchmarks/refusal_eval.py [--sets dev,fresh,labelled] [--before REV]
                                      [--classifier NAME_OR_PATH [--label L --threshold T]] [--speed-rows 200000]

`--sets` names the sets to score, comma-separated; the default is every set except the two frozen holdouts, which are
scored only when named (`--sets holdout,holdout_b`), so tuning runs never print their figures or their misses.

Sets (one JSON object a line: text, label "refusal"|"ok", prompt, source, and for the dev set kind):
- dev: benchmarks/data/refusals_dev.jsonl, 2,344 real replies (670 refusals) from tatsu-lab/stanford_alpaca,
  teknium1/GPTeacher and tatsu-lab/alpaca_eval model outputs, (round 4) replies to harmful, jailbreak and
  harmful-sounding prompts from casperllm/casperllm.github.io and geopolitis/mistral-RL-scripts, and (round 5, 546 rows,
  259 refusals, `kind: round5`) safety- and jailbreak-benchmark replies from andyrdt/refusal_direction,
  tml-epfl/llm-past-tense, yueliu1999/FlipAttack, lm-sys/vicuna-blog-eval, poloclub/llm-self-defense and
  PKU-Alignment/align-anything, labelled by reading each one with its request (conventions and per-row classes in
  benchmarks/data/refusals_dev.md). The rules were tuned on it.
- holdout: benchmarks/data/refusals_holdout.jsonl, frozen, from other repositories, never read while tuning. When it is
  absent the script says so and reports the other sets only.
- holdout_b: benchmarks/data/refusals_holdout_b.jsonl, a second frozen holdout (549 replies, 235 refusals; 38 model
  versions from lmarena/arena-hard-auto, Re-Align/just-eval, uw-nsl/SafeDecoding, RobustNLP/CipherChat and
  declare-lab/red-instruct), labelled by reading after the first holdout's score was known, from repositories
  disjoint from every other set; see refusals_holdout_b.md. Its rows were never read by the rules' authors.
- fresh: benchmarks/data/refusals_fresh.jsonl, 50 real replies (13 refusals) from alpaca_eval models absent from the
  dev set, labelled by reading after the rules were frozen at 1f43e87, and 33 (8 refusals) from a geopolitis
  validation run disjoint from the round-4 dev rows, labelled after the rules were frozen at 778d7ee; never tuned on
  (same sources as dev, so a weaker check than the holdout; see refusals_dev.md).
- labelled: benchmarks/data/refusals_labelled.jsonl, the earlier set (mostly written rows plus easy real negatives).

Methods: `rules` (hermes_data.filters.refusals, the default, offline); a keyword-list baseline (the "reply contains
any of these phrases" check of jailbreak evaluations); `classifier` when --classifier names a Hugging Face model
(not runnable offline without local weights: it is then reported as not run); `rules+classifier` (rules decide the
replies they flag, the classifier the rest). Replies the rules do not cover (other languages) are counted as "not
checked". `--before REV` also times and scores the rules as they were at a git revision.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
import types
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import conversations  # noqa: E402

from hermes_data.filters.refusals import refusal_reason, rules_cover  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
SETS = {
    "dev": DATA / "refusals_dev.jsonl",
    "holdout": DATA / "refusals_holdout.jsonl",
    "holdout_b": DATA / "refusals_holdout_b.jsonl",
    "fresh": DATA / "refusals_fresh.jsonl",
    "labelled": DATA / "refusals_labelled.jsonl",
}
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
Detector = Callable[[list[dict]], list[bool]]
FROZEN = ("holdout", "holdout_b")  # never scored by default, so tuning runs never print their figures or misses


def baseline(rows: list[dict]) -> list[bool]:
    lowered = (r["text"].lower().replace("\u2019", "'") for r in rows)
    return [any(p in text for p in BASELINE_PHRASES) for text in lowered]


def rules(rows: list[dict]) -> list[bool]:
    return [refusal_reason(r["text"], r.get("prompt")) is not None for r in rows]


def load(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    bad = [i + 1 for i, r in enumerate(rows) if r.get("label") not in ("refusal", "ok")]
    if bad:
        raise SystemExit(f"{path}: lines {bad[:5]} have a label other than 'refusal' or 'ok'")
    return rows


def sets_arg(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in SETS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown set {', '.join(unknown) or '(none)'}; choose from {', '.join(SETS)}")
    return names


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
        f"  {name:<20} n={s['tp'] + s['fp'] + s['fn'] + s['tn']:>4}  refusals={s['tp'] + s['fn']:>3}  "
        f"tp={s['tp']:>3} fp={s['fp']:>3} fn={s['fn']:>3}  precision={s['precision']:.3f}  recall={s['recall']:.3f}"
    )


def rules_at(rev: str) -> Callable[[str], str | None]:
    """`refusal_reason` as it was at git revision `rev` (loaded from `git show`, not imported from the tree)."""
    files = {}
    for name in ("refusals", "refusal_language", "refusal_rules"):
        shown = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{rev}:hermes_data/filters/{name}.py"], capture_output=True, text=True
        )
        if shown.returncode == 0:
            files[name] = shown.stdout
    # A revision imports its helpers by their package paths: lend it its own versions, then put today's back.
    saved = {name: sys.modules.get(f"hermes_data.filters.{name}") for name in ("refusal_language", "refusal_rules")}
    try:
        for name in ("refusal_language", "refusal_rules"):
            if name in files:
                helper = types.ModuleType(f"hermes_data.filters.{name}")
                exec(compile(files[name], f"{name}@{rev}", "exec"), helper.__dict__)
                sys.modules[f"hermes_data.filters.{name}"] = helper
        module = types.ModuleType("refusals_before")
        exec(compile(files["refusals"], "refusals@" + rev, "exec"), module.__dict__)
    finally:
        for name, previous in saved.items():
            if previous is not None:
                sys.modules[f"hermes_data.filters.{name}"] = previous
    return module.refusal_reason


def classifier_detector(args: argparse.Namespace) -> Detector | str:
    """The classifier method, or why it cannot run here."""
    if not args.classifier:
        return "not run: no --classifier model given (needs local weights or network; none offline here)"
    try:
        from hermes_data.filters.refusal_classifier import ClassifierSpec, RefusalClassifier
    except ImportError as exc:  # pragma: no cover - depends on the checkout
        return f"not run: {exc}"
    spec = ClassifierSpec(model=args.classifier, label=args.label, threshold=args.threshold)
    try:
        model = RefusalClassifier(spec)
    except Exception as exc:  # a missing model is a measurement outcome here, not a crash
        return f"not run: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    return lambda rows: model.predict([r["text"] for r in rows], [r.get("prompt") for r in rows])


def misses_by_class(rows: list[dict], predicted: list[bool]) -> Counter:
    """Wrong predictions per labelled class (missed refusals and false alarms alike)."""
    wrong = (r for r, p in zip(rows, predicted, strict=True) if (r["label"] == "refusal") != p)
    return Counter(r.get("class", r.get("kind", "?")) for r in wrong)


def speed(fn: Callable[..., object], texts: list[str], num_rows: int) -> float:
    rng = random.Random(0)
    sample = [rng.choice(texts) for _ in range(num_rows)]
    t0 = time.perf_counter()
    for text in sample:
        fn(text)
    return num_rows / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="git revision whose rules to score and time next to today's")
    parser.add_argument("--classifier", help="Hugging Face sequence-classification model (name or local path)")
    parser.add_argument("--label", default="1", help="classifier label that means refusal (name or index)")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--speed-rows", type=int, default=200_000, help="replies timed (0: no timing)")
    parser.add_argument(
        "--sets",
        type=sets_arg,
        default=[name for name in SETS if name not in FROZEN],
        help="comma-separated sets to score (default: all but the frozen holdouts, scored only when named)",
    )
    parser.add_argument("--show-misses", type=int, default=20, help="misclassified replies printed per set")
    args = parser.parse_args()

    before = rules_at(args.before) if args.before else None
    methods: dict[str, Detector | str] = {"rules": rules, "keyword baseline": baseline}
    if before is not None:
        methods[f"rules@{args.before}"] = lambda rows: [before(r["text"], r.get("prompt")) is not None for r in rows]
    classify = classifier_detector(args)
    methods["classifier"] = classify
    if callable(classify):
        methods["rules+classifier"] = lambda rows: [a or b for a, b in zip(rules(rows), classify(rows), strict=True)]
    else:
        methods["rules+classifier"] = classify

    for name in args.sets:
        path = SETS[name]
        if not path.exists():
            print(f"{name}: {path.relative_to(ROOT)} is absent; reporting the other sets only\n")
            continue
        rows = load(path)
        truth = [r["label"] == "refusal" for r in rows]
        unchecked = sum(not rules_cover(r["text"]) for r in rows)
        print(f"{name}: {path.relative_to(ROOT)} ({len(rows)} rows, {sum(truth)} refusals, {unchecked} not checked)")
        predictions: dict[str, list[bool]] = {}
        for method, detect in methods.items():
            if isinstance(detect, str):
                print(f"  {method:<20} {detect}")
                continue
            predictions[method] = detect(rows)
            print(line(method, scores(list(zip(truth, predictions[method], strict=True)))))
        if name not in FROZEN and any("class" in r or "kind" in r for r in rows):
            for method in ("rules", f"rules@{args.before}"):
                if method in predictions:
                    missed = misses_by_class(rows, predictions[method])
                    print(
                        f"  wrong by class ({method}): " + (", ".join(f"{k}={v}" for k, v in missed.items()) or "none")
                    )
        wrong = [r for r, t, p in zip(rows, truth, predictions["rules"], strict=True) if t != p]
        if name in FROZEN:
            wrong = []  # a frozen holdout's rows are never printed: reading its misses would be tuning on it
        for r in wrong[: args.show_misses]:
            kind = "missed refusal" if r["label"] == "refusal" else "false alarm"
            checked = "" if rules_cover(r["text"]) else ", not checked"
            print(f"    - [{kind}{checked}; {r['source']}] {r['text'][:160]!r}")
        print()

    if args.speed_rows:
        dev_texts = [r["text"] for r in load(SETS["dev"])]
        ordinary = [m["content"] for c in conversations(20_000) for m in c if m["role"] == "assistant"]
        for label, fn in [("rules", refusal_reason)] + ([(f"rules@{args.before}", before)] if before else []):
            dev_rate = speed(fn, dev_texts, args.speed_rows)
            ordinary_rate = speed(fn, ordinary, args.speed_rows)
            print(
                f"speed {label:<18} {dev_rate:>10,.0f} replies/s (dev set)  {ordinary_rate:>10,.0f} replies/s "
                "(ordinary replies, benchmarks/synthetic.py), one core"
            )


if __name__ == "__main__":
    main()
