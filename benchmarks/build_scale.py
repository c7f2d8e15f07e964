"""A full `hermes-data build` at scale: N synthetic conversations through every stage, timed per stage.

    python benchmarks/build_scale.py                  # 1,000,000 conversations (issue 3 target: < 15 min, < 24 GiB)
    python benchmarks/build_scale.py --rows 100000    # quicker; --keep DIR keeps the sources and the output
    python benchmarks/build_scale.py --rows 100000 --workers 1,2   # one build per worker count, side by side

Data: conversations shaped like the Hermes 3 mix (single and multi-turn chat, reasoning tags, tool use with a
`<tools>` system prompt, RAG with `Document:N` context and `<co:N>` citations). Words are whole-word tokens of the
Llama 3 vocabulary drawn with Zipf frequencies in merge order (about one token per word, as English prose), so the
tokenizer sees realistic work; turn lengths are log-normal (many short rows, a long tail), scaled so a conversation
averages about 390 tokens (the paper: 390M tokens over ~1M rows). Categories follow the paper's shares (tool use rows
are `tool_use`). Planted, with known ids: exact copies (half byte-identical, half differing only in case and
whitespace), near copies (1-5 % of the words of user and assistant turns replaced, inserted or deleted) and refusals
(the final reply replaced by a decline). Sources are Parquet record files and OpenAI-style JSONL (one in four shards).

Printed: rows/s per stage (read + annotate, with a separate split of read / validate / tokenize on a sample; each
filter; dedup exact; dedup near; cache save; balance; write), peak RSS, dedup recall and precision on the planted
copies, refusal recall, the build's rows/s and tokens/s against raw Hugging Face `encode_batch` over the same rendered
conversations (`build / raw tokenization`, the issue 15 yardstick: goal <= 1.0), and a final JSON line with every
figure. The near-dedup comparison with datasketch is `benchmarks/dedup_vs_datasketch.py`.

Measured on the 2-core, 23 GiB development machine, one build per run (`--keep` sources reused):

    run                                        wall      main RSS  all processes  build / raw HF
    1M rows (365M tokens), 2026-12-06:
    local, 2 workers, before the spill         289.9 s   10.49 GiB   11.34 GiB     0.84 (raw HF 347 s)
    local, 2 workers (text_store.py)           207.2 s    1.34 GiB    2.23 GiB     0.97 (raw HF 213 s)
    --engine ray, 2 workers                    198.6 s    3.48 GiB    7.79 GiB     0.97 (raw HF 205 s)
    1M rows, 2026-12-07, sources read in pieces and shards encoded on the workers:
    local, 2 workers                           172.6 s    1.59 GiB    3.40 GiB     0.87 (raw HF 199 s)
    --engine ray, 2 workers                    192.9 s    3.35 GiB    8.84 GiB     0.99 (raw HF 196 s)
    200k rows (73M tokens), 2026-12-07, same code:
    local, 1 worker                             49.9 s    1.21 GiB    1.21 GiB     1.31 (raw HF 38 s)
    local, 2 workers                            36.0 s    1.13 GiB    2.62 GiB     0.94
    --engine ray, 2 workers                     37.0 s    1.39 GiB    4.48 GiB     0.98 (raw HF 38 s)

"All processes" sums the resident memory of the build and its descendants (workers; for Ray also raylet, GCS and the
object store, whose shared pages count once per process that maps them). Stages of the 1M local run (2026-12-07):
read + annotate 85 s, near dedup 33 s, refusals 24 s, write 17 s (8.8 s of it this process's: receiving each shard's
Parquet and hashed bytes, hashing and writing them in order), cache 3 s, balance 1 s. Every build of a run gives the
same content_sha256 (716b7e70 at 200k, as before the pieces; c7b10b27 at 1M, local and Ray). Dedup: exact recall 1.000,
near recall 0.941, precision 1.000 on both stages; refusal recall 0.9997, precision 0.990. Raw HF tokenization of the
same conversations slows with N (19 s per 100k rows at 100k, 20-21 s per 100k at 1M on a quiet machine), so the ratio
is lower at 1M than at 200k.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from hermes_data.categories import PAPER_SHARES
from hermes_data.record import RECORD_SCHEMA

TARGET_MEAN_TOKENS = 390
SHARD_ROWS = 100_000
CHUNK_WORDS = 2_000_000  # words generated per numpy pass: the byte gather needs ~60 bytes per word at once
REFUSALS = (
    "I'm sorry, but I can't help with that request.",
    "I'm sorry, but I cannot assist with that.",
    "As an AI language model, I cannot provide that information.",
    "I apologize, but I am unable to fulfill this request as it goes against my guidelines.",
    "Unfortunately, I can't help with creating that kind of content. Is there anything else I can do for you?",
    "I must decline this request.",
    "I'm not comfortable writing that. Let me know if there is something else you need.",
)
# Same tool list and system prompt as the other benchmarks' synthetic rows.
from synthetic import TOOLS_SYSTEM  # noqa: E402

MODELS = ("teacher-strong", "teacher-mid", "teacher-weak")


# ---- synthetic text --------------------------------------------------------------------------------------------


class Words:
    """Zipf-distributed texts over the single-token words of the tokenizer, generated in bulk with numpy."""

    def __init__(self, tokenizer, rng: np.random.Generator) -> None:
        vocab = tokenizer.get_vocab()
        words = sorted(
            (i, t[1:]) for t, i in vocab.items() if t.startswith("\u0120") and re.fullmatch("[a-z]{2,12}", t[1:])
        )
        self.words = [w for _, w in words]
        raw = [w.encode() + b" " for w in self.words]
        self.lengths = np.array([len(w) for w in raw], dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.lengths)[:-1]])
        self.buffer = np.frombuffer(b"".join(raw), dtype=np.uint8)
        cdf = np.cumsum(1.0 / np.arange(1, len(raw) + 1) ** 1.05)
        self.cdf = cdf / cdf[-1]
        self.rng = rng

    def texts(self, counts: np.ndarray) -> list[str]:
        """One sentence-like text per entry of `counts` (number of words), in chunks of a few million words."""
        counts = np.maximum(np.asarray(counts, dtype=np.int64), 1)
        bounds = np.searchsorted(np.cumsum(counts), np.arange(0, counts.sum(), CHUNK_WORDS), side="right")
        out: list[str] = []
        for lo, hi in zip(bounds.tolist(), [*bounds[1:].tolist(), len(counts)], strict=True):
            out += self._texts(counts[lo:hi]) if hi > lo else []
        return out

    def _texts(self, counts: np.ndarray) -> list[str]:
        ids = np.searchsorted(self.cdf, self.rng.random(int(counts.sum())))
        lengths = self.lengths[ids]
        ends = np.cumsum(lengths)
        # Gather every word's bytes in one fancy index: position within the output minus its word's output start.
        gather = np.repeat(self.starts[ids] - (ends - lengths), lengths) + np.arange(int(ends[-1]))
        text = self.buffer[gather].tobytes().decode("ascii")
        word_end = np.concatenate([[0], ends])[np.cumsum(counts)]
        word_start = np.concatenate([[0], word_end[:-1]])
        return [
            text[a].upper() + text[a + 1 : b - 1] + "."
            for a, b in zip(word_start.tolist(), word_end.tolist(), strict=True)
        ]


def _lognormal_words(rng: np.random.Generator, n: int, mean: float) -> np.ndarray:
    return np.maximum(3, rng.lognormal(np.log(mean) - 0.5, 1.0, n)).astype(np.int64)  # E[lognormal] = mean


def make_conversations(num: int, words: Words, rng: np.random.Generator, scale: float) -> tuple[list, list]:
    """(messages per row, kind per row): chat, multi, reasoning, tool, rag in roughly the Hermes 3 proportions."""
    kinds = rng.choice(["chat", "multi", "reasoning", "tool", "rag"], size=num, p=[0.55, 0.15, 0.12, 0.10, 0.08])
    turns = np.where(kinds == "multi", rng.integers(2, 4, num), 1)
    user = iter(words.texts(_lognormal_words(rng, int(turns.sum()), 45 * scale)))
    reply = iter(words.texts(_lognormal_words(rng, int(turns.sum()), 200 * scale)))
    extra = iter(words.texts(_lognormal_words(rng, int((kinds == "rag").sum()) * 3, 40 * scale)))
    system = iter(words.texts(rng.integers(8, 30, num * 2)))  # system prompts, cities, titles, cited spans
    has_system = rng.random(num) < 0.3
    temps = rng.integers(-10, 35, num).tolist()
    rows = []
    for i, kind in enumerate(kinds.tolist()):
        if kind == "tool":
            call = json.dumps({"name": "get_weather", "arguments": {"city": next(system)[:20], "unit": "c"}})
            resp = json.dumps({"name": "get_weather", "content": {"temp": temps[i]}})
            rows.append(
                [
                    {"role": "system", "content": TOOLS_SYSTEM},
                    {"role": "user", "content": next(user)},
                    {"role": "assistant", "content": f"<tool_call>\n{call}\n</tool_call>"},
                    {"role": "tool", "content": f"<tool_response>\n{resp}\n</tool_response>"},
                    {"role": "assistant", "content": next(reply)},
                ]
            )
            continue
        if kind == "rag":
            docs = "\n\n".join(f"Document:{d}\nTitle: {next(system)[:40]}\nText: {next(extra)}" for d in range(3))
            answer = f"<co:0>{next(reply)}</co> <co:2>{next(system)}</co>\nCited Documents: 0, 2"
            rows.append(
                [
                    {"role": "system", "content": "Cite all facts from the documents using <co: doc_id></co> tags."},
                    {"role": "user", "content": f"CONTEXT:\n{docs}\n\n{next(user)}"},
                    {"role": "assistant", "content": answer},
                ]
            )
            continue
        messages = [{"role": "system", "content": next(system)}] if has_system[i] else []
        for _ in range(int(turns[i])):
            content = next(reply)
            if kind == "reasoning":
                content = (
                    f"<SCRATCHPAD>\n<PLAN>\n{next(system)}\n</PLAN>\n</SCRATCHPAD>\n<SOLUTION>\n{content}\n</SOLUTION>"
                )
            messages += [{"role": "user", "content": next(user)}, {"role": "assistant", "content": content}]
        rows.append(messages)
    return rows, kinds.tolist()


# ---- planted duplicates and refusals -----------------------------------------------------------------------------


def _edit_words(text: str, rng: random.Random, fraction: float) -> str:
    words = text.split(" ")
    for _ in range(max(1, round(len(words) * fraction))):
        pos, op = rng.randrange(len(words)), rng.random()
        if op < 0.6:
            words[pos] = words[rng.randrange(len(words))] + "s"  # a different word, never equal to the one replaced
        elif op < 0.8 or len(words) < 4:
            words.insert(pos, rng.choice(("very", "also", "really", "then", "quite")))
        else:
            del words[pos]
    return " ".join(words)


def _near_copy(messages: list[dict], rng: random.Random) -> list[dict]:
    """1-5 % of the words of the user/assistant turns edited (the turns with words picked by their length)."""
    fraction = rng.uniform(0.01, 0.05)
    out = [dict(m) for m in messages]
    editable = [
        i for i, m in enumerate(out) if m["role"] in ("user", "assistant") and "<tool_call>" not in m["content"]
    ]
    sizes = [out[i]["content"].count(" ") + 1 for i in editable]
    edits = max(1, round(sum(sizes) * fraction))
    for _ in range(edits):
        i = rng.choices(editable, weights=sizes)[0]
        out[i]["content"] = _edit_words(out[i]["content"], rng, 0)  # one edit (max(1, 0))
    return out


def _case_copy(messages: list[dict]) -> list[dict]:
    """Equal after normalization but not byte-identical: first letter's case flipped, spaces doubled, a newline."""
    return [
        {"role": m["role"], "content": m["content"][:1].swapcase() + m["content"][1:].replace(" ", "  ") + "\n"}
        for m in messages
    ]


def plant(rows: list, kinds: list, rng: random.Random, args) -> dict[str, list[int]]:
    """Overwrite rows in place with planted copies and refusals; the row indices of each kind (and originals)."""
    num = len(rows)
    order = list(range(num // 10, num))  # copies come after their originals; the first rows are all originals
    rng.shuffle(order)
    n_exact, n_near, n_ref = (int(num * f) for f in (args.exact, args.near, args.refusals))
    exact, near, refusal = order[:n_exact], order[n_exact : n_exact + n_near], order[n_exact + n_near :][:n_ref]
    planted = set(exact) | set(near) | set(refusal)
    originals = [i for i in range(num) if i not in planted]
    plants: dict[str, list] = {"exact": [], "near": [], "refusal": refusal}
    for kind, targets in (("exact", exact), ("near", near)):
        for i in targets:
            src = originals[rng.randrange(len(originals))]
            while src >= i:
                src = originals[rng.randrange(len(originals))]
            if kind == "near":
                rows[i] = _near_copy(rows[src], rng)
            else:
                rows[i] = [dict(m) for m in rows[src]] if rng.random() < 0.5 else _case_copy(rows[src])
            kinds[i] = kinds[src]
            plants[kind].append((i, src))
    for i in refusal:
        rows[i][-1] = {"role": "assistant", "content": rng.choice(REFUSALS)}
    return plants


# ---- sources -----------------------------------------------------------------------------------------------------


def category_of(kinds: list, rng: np.random.Generator) -> list[str]:
    others = {s: w for s, w in PAPER_SHARES.items() if s != "tool_use"}
    slugs, weights = list(others), np.array(list(others.values()))
    drawn = rng.choice(slugs, size=len(kinds), p=weights / weights.sum()).tolist()
    return ["tool_use" if k == "tool" else c for k, c in zip(kinds, drawn, strict=True)]


def write_sources(folder: Path, rows: list, categories: list, models: list, shard: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n, lo in enumerate(range(0, len(rows), shard)):
        hi = min(lo + shard, len(rows))
        ids = [f"r{i:08d}" for i in range(lo, hi)]
        if n % 4 == 3:  # one shard in four as OpenAI-style JSONL, the common shape of downloaded sets
            with open(folder / f"part-{n:04d}.jsonl", "w", encoding="utf-8") as fh:
                for i, row_id in zip(range(lo, hi), ids, strict=True):
                    messages = _openai_shape(rows[i])
                    line = {"id": row_id, "category": categories[i], "model": models[i], "messages": messages}
                    fh.write(json.dumps(line, ensure_ascii=False) + "\n")
            continue
        table = pa.table(
            {
                "id": ids,
                "category": categories[lo:hi],
                "source": ["synthetic"] * (hi - lo),
                "model": models[lo:hi],
                "messages": rows[lo:hi],
                "tools": pa.nulls(hi - lo, pa.string()),
                "documents": pa.nulls(hi - lo, RECORD_SCHEMA.field("documents").type),
                "meta": ["{}"] * (hi - lo),
            },
            schema=RECORD_SCHEMA,
        )
        pq.write_table(table, folder / f"part-{n:04d}.parquet")


def _openai_shape(messages: list[dict]) -> list[dict]:
    """Hermes tool turns as OpenAI chat messages (`tool_calls`, raw tool results): the reader wraps them again."""
    out = []
    for m in messages:
        body = m["content"].strip()
        if m["role"] == "assistant" and body.startswith("<tool_call>"):
            call = json.loads(body.removeprefix("<tool_call>").removesuffix("</tool_call>"))
            function = {"name": call["name"], "arguments": json.dumps(call["arguments"])}
            out.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [{"id": "c0", "type": "function", "function": function}],
                }
            )
        elif m["role"] == "tool" and body.startswith("<tool_response>"):
            result = json.loads(body.removeprefix("<tool_response>").removesuffix("</tool_response>"))
            out.append({"role": "tool", "tool_call_id": "c0", "content": json.dumps(result["content"])})
        else:
            out.append(m)
    return out


def write_recipe(path: Path, sources: Path, output: Path) -> None:
    recipe = {
        "name": "build-scale",
        "seed": 0,
        "tokenizer": "llama3",
        "sources": [
            {"path": str(sources / "*.parquet"), "format": "parquet", "category_column": "category"},
            {"path": str(sources / "*.jsonl"), "format": "openai", "category_column": "category"},
        ],
        "repair": ["python_literal"],
        "filters": {"min_tokens": 16, "max_tokens": 8192, "model_priority": list(MODELS[:2])},
        "dedup": {"exact": True, "near": {"threshold": 0.8}},
        "mixture": {"weights": dict(PAPER_SHARES), "unit": "tokens"},
        "output": str(output),
    }
    path.write_text(json.dumps(recipe, indent=2))  # JSON is YAML


def generate(work: Path, args) -> dict:
    """Sources, recipe and the planted ids (run in a child process: its memory is not the build's peak RSS)."""
    from hermes_data.tokenizer import load_tokenizer

    nrng, prng = np.random.default_rng(args.seed), random.Random(args.seed)
    rows, kinds = make_conversations(args.rows, Words(load_tokenizer("llama3"), nrng), nrng, args.scale)
    plants = plant(rows, kinds, prng, args)
    categories = category_of(kinds, nrng)
    models = [MODELS[i] for i in nrng.choice(3, size=args.rows, p=[0.5, 0.3, 0.2]).tolist()]
    shutil.rmtree(work / "sources", ignore_errors=True)
    write_sources(work / "sources", rows, categories, models, min(SHARD_ROWS, max(1, args.rows // 4)))
    write_recipe(work / "recipe.yaml", work / "sources", work / "out")
    return plants


def prepare(work: Path, args) -> dict:
    """Generate the sources, or reuse those a `--keep` folder holds for the same settings."""
    settings = {k: getattr(args, k) for k in ("rows", "seed", "exact", "near", "refusals", "scale")}
    marker = work / "plants.json"
    if marker.is_file():
        saved = json.loads(marker.read_text())
        if saved["settings"] == settings:
            return saved["plants"]
    # A pool that reports a dead worker (BrokenProcessPool) instead of waiting for it forever.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        plants = pool.submit(generate, work, args).result()
    marker.write_text(json.dumps({"settings": settings, "plants": plants}))
    return plants


# ---- measurement -------------------------------------------------------------------------------------------------


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def raw_tokenize(recipe, tokenizer, batch_size: int = 2048) -> dict[str, float]:
    """Seconds and tokens of the raw Hugging Face tokenizer alone over every conversation the build read.

    The yardstick of issue 15: `tokenizers.Tokenizer.encode_batch` (Rust, all cores) on the rendered ChatML texts,
    nothing else. Rendering happens outside the timed part, one batch at a time, so memory stays bounded.
    """
    from hermes_data.build.sources import iter_source
    from hermes_data.io.sources import SourceReport, resolve_paths
    from hermes_data.tokenizer import render_chatml

    backend = tokenizer.backend_tokenizer
    seconds, num_tokens, num_rows = 0.0, 0, 0
    for spec in recipe.sources:
        batch: list[str] = []
        records = iter_source(spec, SourceReport(spec.path, spec.format, ""), resolve_paths(spec))
        for record in [*records, None]:
            if record is not None:
                batch.append(render_chatml(record["messages"], bos_token=tokenizer.bos_token))
            if len(batch) >= batch_size or (record is None and batch):
                t = time.perf_counter()
                num_tokens += sum(len(e) for e in backend.encode_batch(batch, add_special_tokens=False))
                seconds += time.perf_counter() - t
                num_rows += len(batch)
                batch = []
    return {"seconds": seconds, "tokens": num_tokens, "rows": num_rows}


def split_annotate(recipe, tokenizer, sample: int) -> dict[str, float]:
    """rows/s of reading, validating (+ repair and keys) and tokenizing alone, on the first `sample` rows."""
    from hermes_data.build.annotate import prompt_key
    from hermes_data.build.sources import iter_source
    from hermes_data.dedup import exact_key
    from hermes_data.io.sources import SourceReport, resolve_paths
    from hermes_data.tokenizer import count_tokens
    from hermes_data.validate import repair_record, validate_record

    spec = recipe.sources[0]
    t0 = time.perf_counter()
    records = []
    for record in iter_source(spec, SourceReport(spec.path, spec.format, ""), resolve_paths(spec)):
        records.append(record)
        if len(records) >= sample:
            break
    t1 = time.perf_counter()
    for record in records:
        record, _ = repair_record(record, ("python_literal",))
        validate_record(record)
    t2 = time.perf_counter()
    for record in records:
        prompt_key(record["messages"]), exact_key(record["messages"])
    t3 = time.perf_counter()
    count_tokens([r["messages"] for r in records], tokenizer)
    t4 = time.perf_counter()
    n = len(records)
    return {
        "read_rows_s": n / (t1 - t0),
        "validate_rows_s": n / (t2 - t1),
        "keys_rows_s": n / (t3 - t2),
        "tokenize_rows_s": n / (t4 - t3),
    }


def stage_of(rejected: pa.Table) -> dict[str, tuple[str, str]]:
    pairs = zip(rejected.column("stage").to_pylist(), rejected.column("reason").to_pylist(), strict=True)
    return dict(zip(rejected.column("id").to_pylist(), pairs, strict=True))


def quality(plants: dict, dropped: dict[str, tuple[str, str]]) -> dict[str, float]:
    """Recall: planted copies (or their originals) dropped by a duplicate stage, among pairs that reached it;
    precision: rows the dedup stages dropped that belong to a planted pair."""
    rid = "r{:08d}".format
    dup_stages = ("model_priority", "dedup_exact", "dedup_near")
    before = {"exact": ("category", "empty_turns", "length", "invalid", "refusals")}
    before["near"] = before["exact"]
    out: dict[str, float] = {}
    members: set[str] = set()
    for kind in ("exact", "near"):
        eligible = found = 0
        by_stage: dict[str, int] = {}
        for copy, src in plants[kind]:
            a, b = dropped.get(rid(copy)), dropped.get(rid(src))
            members |= {rid(copy), rid(src)}
            if (a and a[0] in before[kind]) or (b and b[0] in before[kind]):
                continue  # one of the pair was filtered out before dedup: nothing to find
            eligible += 1
            hit = next((x for x in (a, b) if x and x[0] in dup_stages), None)
            if hit:
                found += 1
                by_stage[hit[0]] = by_stage.get(hit[0], 0) + 1
        out[f"{kind}_recall"] = found / max(eligible, 1)
        out[f"{kind}_pairs"] = eligible
        out[f"{kind}_found_by_stage"] = by_stage
    for stage in ("dedup_exact", "dedup_near"):
        drops = [i for i, (s, _) in dropped.items() if s == stage]
        out[f"{stage}_dropped"] = len(drops)
        out[f"{stage}_precision"] = sum(i in members for i in drops) / max(len(drops), 1)
    planted = [rid(i) for i in plants["refusal"]]
    reached = [i for i in planted if dropped.get(i, ("",))[0] not in ("category", "empty_turns", "length", "invalid")]
    out["refusal_recall"] = sum(dropped.get(i, ("",))[0] == "refusals" for i in reached) / max(len(reached), 1)
    refused = [i for i, (s, _) in dropped.items() if s == "refusals"]
    out["refusal_precision"] = sum(i in set(planted) for i in refused) / max(len(refused), 1)
    return out


# ---- the build ---------------------------------------------------------------------------------------------------


def run(recipe, tokenizer, console, engine=None) -> tuple[dict, dict, pa.Table]:
    """The steps of `run_build`, each timed: curate (read + annotate, filters, dedup, cache save), mix, write."""
    from hermes_data.build.pipeline import curate
    from hermes_data.build.run import balance, write_output

    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    t, c = time.perf_counter(), time.process_time()
    curated = curate(recipe, tokenizer, console, engine)
    seconds.update(curated.seconds)
    cpu.update(curated.cpu_seconds)
    seconds["cache_save"] = time.perf_counter() - t - sum(curated.seconds.values())
    cpu["cache_save"] = time.process_time() - c - sum(curated.cpu_seconds.values())
    t, c = time.perf_counter(), time.process_time()
    balanced = balance(recipe, curated)
    seconds["balance"], cpu["balance"] = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    manifest = write_output(recipe, curated, balanced, engine=engine)
    seconds["write"], cpu["write"] = time.perf_counter() - t, time.process_time() - c
    rows_in = {"read_annotate": sum(s["rows_read"] for s in curated.sources)}
    info = {"manifest": manifest, "rows_in": rows_in, "funnel": curated.funnel.entries, "cpu": cpu}
    return seconds, info, balanced.rejected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--exact", type=float, default=0.02, help="share of rows planted as exact copies")
    parser.add_argument("--near", type=float, default=0.02, help="share of rows planted as near copies")
    parser.add_argument("--refusals", type=float, default=0.01, help="share of rows planted as refusals")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies turn lengths (mean ~390 tokens at 1)")
    parser.add_argument("--keep", type=Path, default=None, help="folder for sources and output (kept); default temp")
    parser.add_argument("--sample", type=int, default=20_000, help="rows for the read/validate/tokenize split")
    parser.add_argument("--workers", default="1", help="worker counts to build with, one build each: --workers 1,2")
    parser.add_argument("--engine", default="local", choices=["local", "ray"], help="the engine of every build")
    parser.add_argument("--address", default=None, help="Ray cluster address (--engine ray); default a local one")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]

    from hermes_data.build.recipe import load_recipe
    from hermes_data.tokenizer import load_tokenizer

    work = args.keep or Path(tempfile.mkdtemp(prefix="build_scale_"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["HERMES_CACHE"] = str(work / "cache")  # a fresh cache: the build must not reuse an earlier run
    shutil.rmtree(work / "cache", ignore_errors=True)
    t = time.perf_counter()
    plants = prepare(work, args)
    print(f"sources for {args.rows:,} rows ready in {time.perf_counter() - t:.1f} s under {work}", file=sys.stderr)
    recipe = load_recipe(work / "recipe.yaml")
    tokenizer = load_tokenizer("llama3")
    builds = {}
    for workers in counts:
        # Each build in a fresh process (spawn): its peak RSS is its own, and no build reuses another's cache.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            builds[workers] = pool.submit(measure_build, work, args, workers, plants).result()
    raw = raw_tokenize(recipe, tokenizer)
    split = split_annotate(recipe, tokenizer, min(args.sample, args.rows))
    print("annotate split (rows/s on a sample): " + ", ".join(f"{k} {v:,.0f}" for k, v in split.items()))
    side_by_side(builds, raw, args.engine)
    hashes = {figures["content_sha256"] for figures in builds.values()}
    print(f"content_sha256 equal for every worker count: {len(hashes) == 1} ({', '.join(h[:16] for h in hashes)})")
    for figures in builds.values():
        figures |= yardstick(figures, raw, figures["build_peak_rss_gib"], quiet=True)
    print(json.dumps({"builds": builds, "raw_hf": raw, "annotate_split_rows_per_s": split}, sort_keys=True))
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


def measure_build(work: Path, args, workers: int, plants: dict) -> dict:
    """One build with `workers` (in its own process): per-stage table, figures, peak RSS of it and its workers."""
    from rich.console import Console

    from hermes_data.build.pipeline import WORKER_MODULES
    from hermes_data.build.recipe import load_recipe
    from hermes_data.engine import make_engine
    from hermes_data.tokenizer import load_tokenizer

    os.environ["HERMES_CACHE"] = str(work / f"cache-{workers}")
    shutil.rmtree(work / f"cache-{workers}", ignore_errors=True)
    recipe = load_recipe(work / "recipe.yaml")
    tokenizer = load_tokenizer("llama3")
    engine = make_engine(args.engine, workers, args.address, preload=WORKER_MODULES)
    sampler = TreeRss()
    rss_before = peak_rss_gib()
    t_build = time.perf_counter()
    try:
        seconds, info, rejected = run(recipe, tokenizer, Console(stderr=True), engine)
    finally:
        engine.close()
    wall = time.perf_counter() - t_build
    tree_peak = sampler.stop()
    print(f"\n=== {args.engine} engine, {workers} worker(s) ===")
    figures = report(args, seconds, info, wall, rss_before, {}, quality(plants, stage_of(rejected)))
    figures |= {
        "workers": workers,
        "engine": engine.describe(),
        "content_sha256": info["manifest"]["content_sha256"],
        "build_peak_rss_gib": round(tree_peak, 3),
        "main_peak_rss_gib": round(peak_rss_gib(), 3),
    }
    return figures


class TreeRss:
    """Peak of the summed resident memory of this process and all its descendants, sampled every 0.2 s (/proc)."""

    def __init__(self) -> None:
        import threading

        self.peak = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(0.2):
            self.peak = max(self.peak, sum(_rss_kib(pid) for pid in [os.getpid(), *_descendants(os.getpid())]))

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return max(self.peak / 2**20, peak_rss_gib())


def _descendants(pid: int) -> list[int]:
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            frontier += children
    return found


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def side_by_side(builds: dict, raw: dict, engine: str) -> None:
    """One line per worker count: rows/s, tokens/s, peak RSS (the build's process and its workers together, and
    the main process alone), build / raw HF tokenization."""
    tokens, raw_s = raw["tokens"], max(raw["seconds"], 1e-9)
    print(f"\nraw HF encode_batch alone: {raw_s:.1f} s, {tokens / raw_s:,.0f} tokens/s, {tokens:,} tokens")
    header = f"{'engine':<8}{'workers':>8}{'wall s':>10}{'rows/s':>10}{'tokens/s':>12}{'peak RSS GiB':>14}"
    print(header + f"{'main process':>14}{'build/raw HF':>14}")
    for workers, f in builds.items():
        wall = f["wall_s"]
        print(
            f"{engine:<8}{workers:>8}{wall:>10.1f}{f['rows'] / wall:>10,.0f}{tokens / wall:>12,.0f}"
            f"{f['build_peak_rss_gib']:>14.2f}{f['main_peak_rss_gib']:>14.2f}"
            f"{wall / raw_s:>14.2f}"
        )


def yardstick(figures: dict, raw: dict, rss_build: float, quiet: bool = False) -> dict:
    """The build against raw HF tokenization of the same rendered conversations (issue 15 goal: ratio <= 1.0)."""
    wall, rows, tokens = figures["wall_s"], figures["rows"], raw["tokens"]
    ratio = wall / max(raw["seconds"], 1e-9)
    print_ = (lambda *a: None) if quiet else print
    print_(
        f"build: {rows / wall:,.0f} rows/s, {tokens / wall:,.0f} tokens/s, peak RSS {rss_build:.2f} GiB; raw HF "
        f"encode_batch alone: {raw['seconds']:.1f} s ({tokens / max(raw['seconds'], 1e-9):,.0f} tokens/s, "
        f"{tokens:,} tokens); build / raw tokenization = {ratio:.2f}"
    )
    return {
        "build_rows_per_s": round(rows / wall),
        "build_tokens_per_s": round(tokens / wall),
        "build_peak_rss_gib": round(rss_build, 3),
        "raw_hf_tokenize_s": round(raw["seconds"], 2),
        "raw_hf_tokens_per_s": round(tokens / max(raw["seconds"], 1e-9)),
        "build_over_raw_hf": round(ratio, 3),
    }


def report(args, seconds, info, wall, rss_before, split, qual) -> dict:
    """Print the per-stage table; return every figure for the JSON line."""
    funnel = info["funnel"]
    rows = info["rows_in"]["read_annotate"]
    stage_rows = {"read_annotate": rows}
    remaining = rows
    for name in seconds:  # rows each stage saw: what was left after the stages before it
        stage_rows[name] = remaining
        remaining -= sum(e["rows"] for e in funnel if e["stage"] == name and e.get("action", "dropped") == "dropped")
    totals = info["manifest"]["stats"]["totals"]
    upsampled = sum(e["tokens"] for e in funnel if e.get("action") == "upsampled")
    dropped_tokens = sum(e["tokens"] for e in funnel if e.get("action", "dropped") == "dropped")
    input_tokens = totals["tokens"] - upsampled + dropped_tokens
    print(f"\nbuild of {rows:,} rows: {wall:.1f} s wall ({wall / 60:.1f} min), peak RSS {peak_rss_gib():.2f} GiB")
    print(f"{'stage':<16}{'rows in':>12}{'seconds':>10}{'rows/s':>12}{'cpu s':>10}{'rows/cpu-s':>12}")
    for name, secs in seconds.items():
        n, cpu = stage_rows.get(name, remaining), info["cpu"][name]
        print(f"{name:<16}{n:>12,}{secs:>10.2f}{n / max(secs, 1e-9):>12,.0f}{cpu:>10.2f}{n / max(cpu, 1e-9):>12,.0f}")
    total_cpu = sum(info["cpu"].values())
    print(f"total: {wall:.1f} s wall, {total_cpu:.1f} s cpu (all threads); load average now {os.getloadavg()[0]:.1f}")
    print(
        f"input: {input_tokens:,} tokens ({input_tokens / max(rows, 1):.0f} per row); output: {totals['rows']:,} rows, "
        f"{totals['tokens']:,} tokens"
    )
    print(json.dumps(qual, sort_keys=True))
    print("near-dedup vs datasketch: python benchmarks/dedup_vs_datasketch.py --rows 100000")
    return {
        "rows": rows,
        "wall_s": round(wall, 2),
        "peak_rss_gib": round(peak_rss_gib(), 3),
        "rss_before_build_gib": round(rss_before, 3),
        "stage_seconds": {k: round(v, 2) for k, v in seconds.items()},
        "stage_cpu_seconds": {k: round(v, 2) for k, v in info["cpu"].items()},
        "cpu_s": round(total_cpu, 1),
        "stage_rows_per_s": {k: round(stage_rows.get(k, remaining) / max(v, 1e-9)) for k, v in seconds.items()},
        "annotate_split_rows_per_s": {k: round(v) for k, v in split.items()},
        "output_rows": totals["rows"],
        "output_tokens": totals["tokens"],
        "input_mean_tokens": round(input_tokens / max(rows, 1), 1),
        **qual,
    }


if __name__ == "__main__":
    main()
