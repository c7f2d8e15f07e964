"""Near-dedup throughput and quality: hermes_data.dedup.near_duplicates against datasketch MinHash LSH.

    python benchmarks/dedup_vs_datasketch.py                     # 100k conversations, datasketch on all of them
    python benchmarks/dedup_vs_datasketch.py --rows 20000        # quicker

Data: synthetic texts whose lengths follow a log-normal (median 300 words, clipped to 50..2000) over a vocabulary of
50k made-up words with Zipf frequencies (exponent 1.1). About 3 % of rows are exact copies and 3 % near copies of an
earlier original: 1-5 % of their words edited (60 % replaced, 20 % inserted, 20 % deleted), so their word
similarity is 0.90-0.99 and their 5-gram Jaccard 0.55-0.90.

Reference: datasketch as a careful user runs it: word 5-gram shingles (whitespace split), MinHash(num_perm=128)
filled with update_batch, MinHashLSH(threshold=0.8); rows in order, each queried then inserted unless a candidate
came back (kept first). datasketch is not a dependency of hermes-toolkit: install it in a separate venv and name
that interpreter with `--peer-python` (`python3 -m venv /work/venv-peers && /work/venv-peers/bin/pip install
datasketch`); the reference then runs in a child process of that interpreter on the same texts, in the same run.

Printed: documents/s (wall clock and CPU time of this process) for both and their ratio; recall on planted near and
exact copies (the copy is dropped or clustered with its original) and precision of the dropped rows (the row kept
instead belongs to the same planted group).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np


def make_corpus(num_rows: int, seed: int, vocab_size: int = 50_000) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts, the planted group of each row (its original's index), and the kind: 0 original, 1 exact, 2 near."""
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
    word_lengths = np.clip(rng.poisson(5, vocab_size), 1, 14) + 1
    vocab = np.array([bytes(rng.choice(letters, n)).decode() for n in word_lengths], dtype=object)
    cdf = np.cumsum(1.0 / np.arange(1, vocab_size + 1) ** 1.1)
    cdf /= cdf[-1]
    lengths = np.clip(rng.lognormal(np.log(300), 0.8, num_rows), 50, 2000).astype(np.int64)
    kind = rng.choice(3, size=num_rows, p=[0.94, 0.03, 0.03])
    kind[:10] = 0
    group = np.arange(num_rows)
    docs: list[np.ndarray] = []
    for row in range(num_rows):
        if kind[row] == 0:
            docs.append(np.searchsorted(cdf, rng.random(lengths[row])).astype(np.int32))
            continue
        source = int(rng.integers(row))
        while kind[source] != 0:
            source = int(rng.integers(row))
        group[row] = source
        docs.append(docs[source] if kind[row] == 1 else _edit(docs[source], rng, cdf))
    return [" ".join(vocab[ids]) for ids in docs], group, kind


def _edit(ids: np.ndarray, rng: np.random.Generator, cdf: np.ndarray) -> np.ndarray:
    words = ids.tolist()
    for _ in range(max(1, round(len(ids) * rng.uniform(0.01, 0.05)))):
        pos, op = int(rng.integers(len(words))), rng.choice(3, p=[0.6, 0.2, 0.2])
        new_word = int(np.searchsorted(cdf, rng.random()))
        if op == 0:
            words[pos] = new_word
        elif op == 1:
            words.insert(pos, new_word)
        else:
            del words[pos]
    return np.array(words, dtype=np.int32)


def score(group: np.ndarray, kind: np.ndarray, drop_of: dict[int, list[int]]) -> dict[str, float]:
    """`drop_of[row]`: the rows that made `row` a duplicate (our kept row, or datasketch's candidates).

    Precision: dropped rows whose reason includes a row of their planted group. Recall: planted copies that end up
    linked to their original through those drops (ours may keep the copy and drop the original: it is longer)."""
    correct = sum(any(group[o] == group[row] for o in others) for row, others in drop_of.items())
    parent = np.arange(len(group))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row, others in drop_of.items():
        for other in others:
            parent[find(row)] = find(other)
    found = {k: np.mean([find(r) == find(group[r]) for r in np.flatnonzero(kind == k)]) for k in (1, 2)}
    return {"precision": correct / max(len(drop_of), 1), "recall_near": found[2], "recall_exact": found[1]}


def run_ours(texts: list[str], args) -> tuple[float, float, dict[int, list[int]]]:
    from hermes_data.dedup import near_duplicates

    wall, cpu = time.perf_counter(), time.process_time()
    result = near_duplicates(texts, threshold=args.threshold, seed=args.seed)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"  bands x rows {result.bands} x {result.rows}; compared {result.num_compared} pairs, "
        f"{result.num_similar} similar; {result.num_clusters} clusters, {result.num_dropped} dropped"
    )
    dropped = {row: [kept] for row, kept in enumerate(result.duplicate_of) if kept is not None}
    return wall, cpu, dropped


def run_datasketch(texts: list[str], args) -> tuple[float, float, dict[int, list[int]]]:
    from datasketch import MinHash, MinHashLSH

    wall, cpu = time.perf_counter(), time.process_time()
    lsh = MinHashLSH(threshold=args.reference_threshold or args.threshold, num_perm=128)
    dropped: dict[int, list[int]] = {}
    for row, text in enumerate(texts):
        words = text.split()
        shingles = {" ".join(words[i : i + 5]).encode() for i in range(max(len(words) - 4, 1))}
        minhash = MinHash(num_perm=128)
        minhash.update_batch(shingles)
        candidates = lsh.query(minhash)
        if candidates:
            dropped[row] = candidates
        else:
            lsh.insert(row, minhash)
    return time.perf_counter() - wall, time.process_time() - cpu, dropped


def run_peer(texts: list[str], args) -> tuple[float, float, dict[int, list[int]]]:
    """run_datasketch in a child process of `--peer-python`, on the same texts; its own wall and cpu times."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(texts, handle)
    try:
        command = [args.peer_python, __file__, "--datasketch-texts", handle.name, "--threshold", str(args.threshold)]
        if args.reference_threshold:
            command += ["--reference-threshold", str(args.reference_threshold)]
        out = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    finally:
        Path(handle.name).unlink()
    return out["wall"], out["cpu"], {int(row): kept for row, kept in out["dropped"].items()}


def _peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def report(name: str, rows: int, wall: float, cpu: float, quality: dict[str, float]) -> None:
    print(
        f"{name:<11} {rows:>8} rows  {wall:8.2f} s wall  {rows / wall:9.0f} docs/s  "
        f"{cpu:8.2f} s cpu  {rows / cpu:9.0f} docs/cpu-s  precision {quality['precision']:.4f}  "
        f"recall near {quality['recall_near']:.4f}  exact {quality['recall_exact']:.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--reference-rows", type=int, default=None, help="datasketch on the first N rows; 0: skip")
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument(
        "--reference-threshold", type=float, default=None, help="MinHashLSH threshold (default: --threshold)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--peer-python", help="python of a venv with datasketch: the reference runs there")
    parser.add_argument("--datasketch-texts", type=Path, help=argparse.SUPPRESS)  # child mode: texts JSON in
    args = parser.parse_args()
    if args.datasketch_texts:
        wall, cpu, dropped = run_datasketch(json.loads(args.datasketch_texts.read_text()), args)
        print(json.dumps({"wall": wall, "cpu": cpu, "dropped": dropped}))
        return

    start = time.perf_counter()
    texts, group, kind = make_corpus(args.rows, args.seed)
    words = sum(len(t.split()) for t in texts[:2000]) / min(len(texts), 2000)
    print(
        f"corpus: {len(texts)} rows, ~{words:.0f} words/row, {int((kind == 1).sum())} exact and "
        f"{int((kind == 2).sum())} near copies planted ({time.perf_counter() - start:.1f} s to generate)"
    )

    rss_before = _peak_rss_gib()
    wall, cpu, dropped = run_ours(texts, args)
    ours = (wall, cpu)
    report("hermes", len(texts), wall, cpu, score(group, kind, dropped))
    print(f"  peak RSS {rss_before:.2f} GiB with the corpus in memory, {_peak_rss_gib():.2f} GiB after dedup")
    if args.reference_rows == 0:
        return

    subset = min(args.reference_rows or len(texts), len(texts))
    if args.peer_python:
        wall, cpu, dropped = run_peer(texts[:subset], args)
    else:
        try:
            import datasketch  # noqa: F401
        except ImportError:
            print("datasketch is not installed: name a venv's python that has it with --peer-python")
            return
        wall, cpu, dropped = run_datasketch(texts[:subset], args)
    report("datasketch", subset, wall, cpu, score(group[:subset], kind[:subset], dropped))
    ratio_wall = (len(texts) / ours[0]) / (subset / wall)
    ratio_cpu = (len(texts) / ours[1]) / (subset / cpu)
    print(f"throughput ratio hermes / datasketch: {ratio_wall:.1f}x wall clock, {ratio_cpu:.1f}x cpu time")


if __name__ == "__main__":
    main()
