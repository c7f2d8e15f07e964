"""Near-duplicate detection: MinHash LSH candidates, verified with rapidfuzz, clustered, one row kept per cluster.

**Key** (DESIGN §7): `dedup_text` keeps the user, assistant and tool turns and leaves out the system prompt and the
retrieved documents of RAG user turns, so two different questions asked against the same long tool list or document
set are not near-duplicates of each other because of what they share.

**Similarity** is rapidfuzz's normalized Indel similarity over the two texts' *word* sequences (the words of
`minhash.py`: lowercased, punctuation-insensitive), i.e. 2 * LCS / (words_a + words_b): the share of words the two
texts have in common, in order. At threshold 0.8 a pair is a near-duplicate when at most about one word in five was
inserted, deleted or replaced. Words rather than characters because unrelated English texts of similar length
already score 0.4-0.65 on characters (common letters line up) against about 0.15 on words; and an order-aware
measure rather than token-set ratio because a text that contains another (the same answer with a long addendum)
is not a duplicate of it, and a reshuffled bag of the same words is not the same text.

**Candidates** come from MinHash LSH over word n-gram shingles, tuned for recall (`minhash.candidate_jaccard`); a
candidate pair below the threshold is not merged. Same-bucket pairs are verified once each; a bucket of more than two
rows is linked star-wise: every member is compared with a representative, the members that fail form the next round
with their own representative, at most `_MAX_ROUNDS` rounds. That bounds the work of a huge bucket (boilerplate
that thousands of rows share) at `_MAX_ROUNDS * size` comparisons instead of size² / 2, so the cost stays about
linear in rows. Pairs already in one cluster are not compared again.

**Clusters** are the connected components of the verified pairs (union-find); within each, the kept row is the one
from the strongest model (lowest `model_rank`, None = weakest), then the longest text, then the first seen.

**Numbers.** `prompt_numbers` gives the numbers of the user turns; passed as `distinct`, it keeps "What is 17 x 23?"
and "What is 17 x 24?" apart however similar their solutions read: different numbers in the question make a
different problem, and math sets are built from such variants. Answers that differ only in their numbers under the
same question are still near-duplicates (the strongest model's answer is kept).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz.distance import Indel

from hermes_data.dedup.exact import keep_order
from hermes_data.dedup.minhash import BATCH_CHARS, buckets, char_batches, fmix64, lsh_keys, lsh_params, word_hashes

_NEAR_ROLES = ("user", "assistant", "tool")
_MAX_ROUNDS = 8

# RAG user turns (paper Figure 8, DESIGN §4): a `CONTEXT:` label and `Document:N` blocks, before or after the question.
_DOC_HEADER = re.compile(
    r"\A[ \t]*(?:CONTEXT:|(?:[-*][ \t]+)?Document:[ \t]*[\w.\-]+[ \t]*(?:(?:Title|Text):.*)?)$", re.MULTILINE
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

if TYPE_CHECKING:
    import pyarrow as pa

    from hermes_data.stages.verdict import Verdict


def _strip_documents(text: str) -> str:
    """The user turn without its retrieved documents: paragraphs from the first `CONTEXT:`/`Document:N` paragraph
    to the last one are dropped. The question before (paper layout) or after them (question-last layouts) stays; a
    last document spanning several paragraphs keeps its later paragraphs in the paper layout."""
    paragraphs = _PARAGRAPH_BREAK.split(text)
    headers = [i for i, paragraph in enumerate(paragraphs) if _DOC_HEADER.match(paragraph)]
    if not headers:
        return text
    return "\n\n".join(paragraphs[: headers[0]] + paragraphs[headers[-1] + 1 :])


def dedup_text(messages: Sequence[dict]) -> str:
    """Near-dedup key: user (documents stripped), assistant and tool turns joined by blank lines; no system prompt."""
    parts = []
    for message in messages:
        if message["role"] in _NEAR_ROLES:
            content = message.get("content") or ""
            parts.append(_strip_documents(content) if message["role"] == "user" else content)
    return "\n\n".join(parts)


def prompt_numbers(messages: Sequence[dict]) -> str:
    """The numbers written in the user turns (documents stripped), in order: pass as `distinct` to
    `near_duplicates` so questions about different numbers are never merged."""
    users = (_strip_documents(m.get("content") or "") for m in messages if m["role"] == "user")
    return " ".join(number for text in users for number in _NUMBER.findall(text))


@dataclass(frozen=True)
class NearDupResult:
    """Outcome of `near_duplicates`, aligned with the input rows."""

    keep: np.ndarray  # bool: False for rows dropped as a near-duplicate of a kept row
    cluster_id: np.ndarray  # int64: cluster number (by first member), -1 for rows without near-duplicates
    duplicate_of: list[int | None]  # index of the row kept in place of a dropped row, None for kept rows
    num_clusters: int
    num_dropped: int
    num_compared: int  # candidate pairs verified with rapidfuzz
    num_similar: int  # of those, pairs at or above the threshold
    bands: int
    rows: int


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, node: int) -> int:
        root = node
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while node != root:  # path compression
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[max(root_a, root_b)] = min(root_a, root_b)
            self.parent.setdefault(min(root_a, root_b), min(root_a, root_b))


class _Verifier:
    """rapidfuzz word similarity between rows, on word sequences encoded as one code point per word."""

    def __init__(self, texts: Sequence[str], rows: np.ndarray, threshold: float, distinct: list | None) -> None:
        self.threshold, self.distinct = threshold, distinct
        self.num_compared = self.num_similar = 0
        self.words = dict(zip(rows.tolist(), _word_strings([texts[i] for i in rows]), strict=True))
        # Pairs that failed, so a bucket that recurs in several bands with other members costs them once.
        self.failed: set[tuple[int, int]] = set()

    def similar(self, a: int, b: int) -> bool:
        pair = (min(a, b), max(a, b))
        if pair in self.failed or (self.distinct is not None and self.distinct[a] != self.distinct[b]):
            return False
        self.num_compared += 1
        if Indel.normalized_similarity(self.words[a], self.words[b], score_cutoff=self.threshold) >= self.threshold:
            self.num_similar += 1
            return True
        self.failed.add(pair)
        return False


def _word_strings(texts: list[str]) -> list[str]:
    """Each text's words as a string with one code point per word (same word, same code point), so rapidfuzz
    compares word sequences at string speed. Code points come from the word's 64-bit id, skipping surrogates; two
    different words share one with probability about 1e-6, which moves a similarity by a word at most."""
    strings: list[str] = []
    for lo, hi in char_batches(texts, BATCH_CHARS):
        hashes, offsets = word_hashes(texts[lo:hi])
        codes = (fmix64(hashes) % np.uint64(0x10FFFF - 0x800)).astype(np.uint32) + 1
        codes[codes >= 0xD800] += 0x800
        joined = codes.astype("<u4").tobytes().decode("utf-32-le")
        strings += [joined[a:b] for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)]
    return strings


def _link_group(group: np.ndarray, union: _UnionFind, verifier: _Verifier) -> None:
    """Star-link a bucket of more than two rows in at most `_MAX_ROUNDS` representative rounds."""
    pending = group.tolist()
    for _ in range(_MAX_ROUNDS):
        if len(pending) < 2:
            return
        rep, rest, pending = pending[0], pending[1:], []
        for other in rest:
            if union.find(other) == union.find(rep) or verifier.similar(rep, other):
                union.union(rep, other)
            else:
                pending.append(other)


def _salts(distinct: Sequence[str] | None) -> np.ndarray | None:
    if distinct is None:
        return None
    digests = (hashlib.blake2b(str(d).encode(), digest_size=8).digest() for d in distinct)
    return np.frombuffer(b"".join(digests), dtype="<u8").astype(np.uint64)


def _check(
    texts: Sequence[str],
    threshold: float,
    num_perm: int,
    ngram: int,
    model_rank: Sequence | None,
    distinct: Sequence | None,
) -> None:
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if num_perm < 2 or ngram < 1:
        raise ValueError(f"num_perm must be >= 2 and ngram >= 1, got {num_perm} and {ngram}")
    for name, column in (("model_rank", model_rank), ("distinct", distinct)):
        if column is not None and len(column) != len(texts):
            raise ValueError(f"{name} has {len(column)} entries for {len(texts)} texts")


def near_duplicates(
    texts: Sequence[str],
    *,
    model_rank: Sequence[int | None] | None = None,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int = 5,
    seed: int = 0,
    distinct: Sequence[str] | None = None,
) -> NearDupResult:
    """Near-duplicate clusters of `texts` (typically `dedup_text` of each row) and the row to keep in each.

    Rows whose `distinct` values differ are never merged (the build passes `prompt_numbers`). Pure and
    deterministic: the same inputs and seed give the same result.
    """
    texts = list(texts)
    _check(texts, threshold, num_perm, ngram, model_rank, distinct)
    bands, rows = lsh_params(threshold, num_perm, ngram)
    keys, has_words = lsh_keys(
        texts, bands=bands, rows=rows, num_perm=num_perm, ngram=ngram, seed=seed, salts=_salts(distinct)
    )
    pairs, groups = buckets(keys, has_words)
    involved = np.unique(np.concatenate([pairs.ravel(), *groups])) if len(pairs) or groups else np.zeros(0, np.int64)
    verifier = _Verifier(texts, involved, threshold, None if distinct is None else list(distinct))
    union = _UnionFind()
    for a, b in pairs.tolist():
        if union.find(a) != union.find(b) and verifier.similar(a, b):
            union.union(a, b)
    for group in groups:
        _link_group(group, union, verifier)
    position = keep_order(len(texts), model_rank, [len(t) for t in texts])
    return _result(union, position, verifier, bands, rows)


def _result(union: _UnionFind, position: np.ndarray, verifier: _Verifier, bands: int, rows: int) -> NearDupResult:
    num_rows = len(position)
    members = np.array(sorted(union.parent), dtype=np.int64)
    roots = np.array([union.find(m) for m in members.tolist()], dtype=np.int64)
    keep = np.ones(num_rows, dtype=bool)
    cluster_id = np.full(num_rows, -1, dtype=np.int64)
    duplicate_of: list[int | None] = [None] * num_rows
    # A root is its cluster's smallest member, so numbering clusters by root numbers them by first member.
    root_values, cluster_of = np.unique(roots, return_inverse=True)
    cluster_id[members] = cluster_of
    by_preference = members[np.lexsort((position[members], cluster_of))]
    firsts = np.flatnonzero(np.diff(cluster_id[by_preference], prepend=-1))
    best = by_preference[firsts]  # best[c]: the kept row of cluster c
    dropped = members[best[cluster_of] != members]
    keep[dropped] = False
    for row, kept in zip(dropped.tolist(), best[cluster_id[dropped]].tolist(), strict=True):
        duplicate_of[row] = kept
    return NearDupResult(
        keep=keep,
        cluster_id=cluster_id,
        duplicate_of=duplicate_of,
        num_clusters=len(root_values),
        num_dropped=int((~keep).sum()),
        num_compared=verifier.num_compared,
        num_similar=verifier.num_similar,
        bands=bands,
        rows=rows,
    )


# ---------------------------------------------------------------------------------------------------------------
# The build stage (hermes_data.build.stages lists it; hermes_data.stages runs it)


def near_dedup_stage(table: pa.Table, spec, seed: int) -> Verdict:
    """Drop near duplicates (`near_duplicates` with the recipe's `dedup.near` spec); `detail` names the kept row's
    id and the word similarity of the two texts."""
    from hermes_data.stages.verdict import verdict_from_mask

    # Chunk by chunk: only one chunk's messages are Python objects at a time (the whole column as dicts would
    # cost several GiB at 1M rows), and only the joined texts stay alive. `distinct`: two questions that differ
    # only in their numbers ("17 x 23" vs "17 x 24") are different problems, never merged.
    texts, numbers = [], []
    for chunk in table.column("messages").chunks:
        for messages in chunk.to_pylist():
            texts.append(dedup_text(messages))
            numbers.append(prompt_numbers(messages))
    result = near_duplicates(
        texts,
        model_rank=table.column("_model_rank").to_pylist(),
        threshold=spec.threshold,
        num_perm=spec.num_perm,
        ngram=spec.ngram,
        seed=seed,
        distinct=numbers,
    )
    return verdict_from_mask(~np.asarray(result.keep, dtype=bool), "near_duplicate", near_details(table, texts, result))


def near_details(table: pa.Table, texts: Sequence[str], result: NearDupResult) -> list[str | None]:
    """`detail` of each dropped row: the kept row's id and the word similarity (rapidfuzz Indel over words, the
    verifier's measure) between the two texts."""
    from hermes_data.stages.verdict import detail_json

    ids = table.column("id").to_pylist()
    details: list[str | None] = [None] * len(texts)
    for i, kept in enumerate(result.duplicate_of):
        if kept is None or result.keep[i]:
            continue
        a, b = _word_strings([texts[i], texts[kept]])
        details[i] = detail_json(kept_id=ids[kept], similarity=round(float(Indel.normalized_similarity(a, b)), 4))
    return details
