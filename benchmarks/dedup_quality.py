"""Near-dedup quality on real templated data: drops, hand-labelled precision, recall on planted near copies.

    python benchmarks/dedup_quality.py --data toolformer-dedupe-only-dataset.json
    python benchmarks/dedup_quality.py --data FILE --show 25      # print dropped pairs to read and label

Data: a GPTeacher-style JSON list of {"instruction", "input", "response"} (teknium1/GPTeacher on GitHub; the
Toolformer, Roleplay and Instruct sets). Each row becomes a user turn (instruction + input) and an assistant turn, the
text `dedup_text` gives the build. Row ids are positions in the file.

Printed:
- rows in, drops now (chains refused, recurring lines as identity) and the drops of the former rule (every member of a
  union-find cluster but its best, recurring lines compared as text), and how many of those had no row >= threshold;
- precision from the hand labels in `benchmarks/data/dedup_labels.jsonl` (file name, dropped id, kept id, verdict
  `near_copy` or `distinct`, note) over the labelled pairs the current run still drops;
- recall on planted near copies: `--planted` rows copied with a few words replaced, with sentences reordered, or with
  whitespace edits, appended to the data; a copy counts as found when it is dropped for its original (or for the row
  its original was dropped for) or its original for it.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import numpy as np

from hermes_data.dedup import dedup_text, near_duplicates, recurring_lines, row_identity
from hermes_data.dedup.near import _line_key

LABELS = Path(__file__).parent / "data" / "dedup_labels.jsonl"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def load(path: Path) -> tuple[list[str], list[str]]:
    """The compared text and the identity (`row_identity`: numbers of the question, tools, documents) of each row,
    as the build makes them."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    texts, identities = [], []
    for row in rows:
        user = row["instruction"] + ("\n" + row["input"] if row.get("input") else "")
        messages = [{"role": "user", "content": user}, {"role": "assistant", "content": row["response"]}]
        texts.append(dedup_text(messages))
        identities.append(row_identity(messages))
    return texts, identities


KINDS = ("words", "words-outside-recurring", "reorder", "whitespace")


def plant(texts: list[str], count: int, seed: int) -> tuple[list[str], list[int], list[str]]:
    """Near copies of `count` random rows: (original index, kind) per copy."""
    rng = np.random.default_rng(seed)
    recurring = recurring_lines(texts, 0.01)
    originals = rng.choice(len(texts), size=min(count, len(texts)), replace=False).tolist()
    copies, kinds = [], []
    for i, row in enumerate(originals):
        text, kind = texts[row], KINDS[i % len(KINDS)]
        if kind in ("words", "words-outside-recurring"):
            lines = text.split("\n")
            # "words-outside-recurring": the edits fall in lines that recur in no other row (question, answer)
            editable = [j for j, line in enumerate(lines) if kind == "words" or _line_key(line) not in recurring]
            spots = [(j, k) for j in editable for k in range(len(lines[j].split(" ")))]
            for _ in range(max(1, len(spots) // 40)):
                j, k = spots[int(rng.integers(len(spots)))]
                words = lines[j].split(" ")
                words[k] = str(rng.choice(["very", "the", "actually", "quite", "new"]))
                lines[j] = " ".join(words)
            text = "\n".join(lines)
        elif kind == "reorder":
            head, sep, answer = text.rpartition("\n\n")
            sentences = _SENTENCE.split(answer)
            if len(sentences) > 2:
                a, b = sorted(rng.choice(len(sentences), 2, replace=False).tolist())
                sentences[a], sentences[b] = sentences[b], sentences[a]
            text = head + sep + " ".join(sentences)
        else:
            text = re.sub(r" ", lambda m: "  " if rng.random() < 0.1 else " ", text).replace("\n", " \n") + "\n"
        copies.append(text)
        kinds.append(kind)
    return copies, originals, kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--planted", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1, help="the hand labels were read at seed 1")
    parser.add_argument("--show", type=int, default=0, help="print this many dropped pairs (random sample)")
    args = parser.parse_args()
    texts, identities = load(args.data)
    name = args.data.name
    print(f"{name}: {len(texts)} rows")

    start = time.perf_counter()
    now = near_duplicates(texts, threshold=args.threshold, seed=args.seed, distinct=identities)
    took = time.perf_counter() - start
    print(
        f"now: {now.num_dropped} dropped ({now.num_dropped / len(texts):.1%}), {now.num_chain_kept} kept that only "
        f"a chain linked, {now.num_boilerplate_lines} recurring lines in {now.num_boilerplate_rows} rows, {took:.2f}s"
    )
    old = near_duplicates(texts, threshold=args.threshold, seed=args.seed, distinct=identities, boilerplate_share=None)
    in_clusters = int((old.cluster_id >= 0).sum())
    old_drops = in_clusters - old.num_clusters
    print(
        f"former rule (clusters, recurring text compared): {old_drops} dropped ({old_drops / len(texts):.1%}), "
        f"of which {old_drops - old.num_dropped} reach no kept row at >= {args.threshold} (chains)"
    )

    labels = [json.loads(line) for line in LABELS.read_text().splitlines() if line.strip()] if LABELS.exists() else []
    labels = [label for label in labels if label["file"] == name]
    judged = [
        label
        for label in labels
        if not now.keep[label["dropped"]] and now.duplicate_of[label["dropped"]] == label["kept"]
    ]
    if judged:
        true = sum(label["verdict"] == "near_copy" for label in judged)
        print(
            f"precision (hand labels, {len(judged)} of {len(labels)} labelled pairs still dropped): "
            f"{true / len(judged):.2f}"
        )
    elif labels:
        print(f"precision: none of the {len(labels)} labelled pairs is dropped by this run")

    copies, originals, kinds = plant(texts, args.planted, args.seed)
    both = near_duplicates(
        texts + copies,
        threshold=args.threshold,
        seed=args.seed,
        distinct=identities + [identities[r] for r in originals],
    )
    found = {kind: [0, 0] for kind in KINDS}
    for i, (row, kind) in enumerate(zip(originals, kinds, strict=True)):
        copy = len(texts) + i
        # found: dropped for its original, or for the row its original was dropped for, or the other way round
        hit = both.duplicate_of[copy] in (row, both.duplicate_of[row]) or both.duplicate_of[row] == copy
        hit = hit and both.duplicate_of[copy] is not None or both.duplicate_of[row] == copy
        found[kind][0] += hit
        found[kind][1] += 1
    total = sum(f[0] for f in found.values())
    detail = ", ".join(f"{kind} {hit}/{n}" for kind, (hit, n) in found.items())
    print(f"planted recall: {total}/{len(copies)} = {total / max(1, len(copies)):.2f} ({detail})")

    if args.show:
        rng = np.random.default_rng(args.seed)
        dropped = np.flatnonzero(~now.keep)
        for row in sorted(rng.choice(dropped, size=min(args.show, len(dropped)), replace=False).tolist()):
            kept = now.duplicate_of[row]
            print(f"\n=== dropped {row} for kept {kept} (similarity {now.similarity[row]:.3f})")
            print("--- kept:\n" + texts[kept][:700])
            print("--- dropped:\n" + texts[row][:700])


if __name__ == "__main__":
    main()
