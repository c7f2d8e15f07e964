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

**Clusters** are the connected components of the verified pairs (union-find). Within each, rows are taken in
preference order (strongest model: lowest `model_rank`, None = weakest; then the longest text; then the first seen)
and a row is dropped only when it is itself at or above the threshold against a row already kept in that cluster
(compared with at most `_MAX_ROUNDS` kept rows); otherwise it is kept too. So a chain A≈B≈C never drops C for A,
and every dropped row names the kept row and the verified similarity (`duplicate_of`, `similarity`).

**Recurring text** (a tool description or instruction template repeated inside the user turn, a shared few-shot
block, a long shared system prompt folded into a turn): a line of at least `_MIN_LINE_CHARS` characters that occurs
in at least `boilerplate_share` of the rows (and at least `_MIN_BOILERPLATE_ROWS` rows) is found from the data in
one counting pass, left out of the compared text (similarity is judged on what differs) and made part of the row's
identity instead: two rows carrying different recurring lines (another tool description) are never merged. A row
that is nothing but recurring lines is compared on its whole text.

**Numbers.** `prompt_numbers` gives the numbers of the user turns; passed as `distinct`, it keeps "What is 17 x 23?"
and "What is 17 x 24?" apart however similar their solutions read: different numbers in the question make a
different problem, and math sets are built from such variants. Answers that differ only in their numbers under the
same question are still near-duplicates (the strongest model's answer is kept).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from hermes_data.dedup.exact import keep_order
from hermes_data.dedup.minhash import BATCH_CHARS, buckets, char_batches, fmix64, lsh_keys, lsh_params, word_hashes
from hermes_data.engine import InlineEngine

_NEAR_ROLES = ("user", "assistant", "tool")
_MAX_ROUNDS = 8
_MIN_LINE_CHARS = 30  # shorter lines ("Sure!", "Input:") carry little and recur by chance
_MIN_BOILERPLATE_ROWS = 8
BOILERPLATE_SHARE = 0.01  # a line in 1 % of the rows is the input's template, not a row's own text
_SNAP_LIMIT = 64
_SNAP_SIMILARITY = 90.0  # character similarity (percent) at which a long line is taken for a recurring one

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


def row_identity(messages: Sequence[dict], tools: str | None = None, documents: Sequence | None = None) -> str:
    """What a row must share with another to be its near-duplicate, as one string to pass as `distinct`: the
    numbers of the question (`prompt_numbers`), the tool set and the document set. Same question against other
    tools or other documents is another training example (choosing the right tool is the point). Tools and
    documents come from the record's columns; without a `tools` column, the `<tools>` block of the system prompt."""
    if tools in (None, "", "[]"):
        system = "\n".join(m.get("content") or "" for m in messages if m["role"] == "system")
        found = _TOOLS_BLOCK.search(system)
        tools = found.group(1).strip() if found else ""
    docs = json.dumps(list(documents or []), sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.blake2b(f"{tools}\x1f{docs}".encode(), digest_size=8).hexdigest() if tools or documents else ""
    return f"{prompt_numbers(messages)}\x1f{digest}"


_TOOLS_BLOCK = re.compile(r"<tools>(.*?)</tools>", re.DOTALL)


def recurring_lines(texts: Sequence[str], share: float) -> set[str]:
    """Lines (lowercased, whitespace collapsed, at least `_MIN_LINE_CHARS` long) found in at least `share` of the
    texts and at least `_MIN_BOILERPLATE_ROWS` of them: one pass, a counter of each text's distinct lines."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(_distinct_lines(text))
    limit = max(_MIN_BOILERPLATE_ROWS, math.ceil(share * len(texts)))
    return {line for line, count in counts.items() if count >= limit}


def _line_key(line: str) -> str:
    """A line as counted: case and runs of whitespace do not make another line."""
    return " ".join(line.lower().split())


def _without_recurring(texts: list[str], recurring: set[str]) -> tuple[list[str], list[str]]:
    """Each text without its recurring lines (the whole text if nothing else is left), and a key naming the
    recurring lines it had ("" when none). A long line within a few characters of a recurring one (a near copy
    that edited a word of the template) counts as that line, when there are few enough recurring lines
    (`_SNAP_LIMIT`) to compare each long line with all of them."""
    choices = sorted(recurring) if len(recurring) <= _SNAP_LIMIT else []
    stripped, keys = [], []
    for text in texts:
        if "\n" not in text:
            stripped.append(text)
            keys.append("")
            continue
        lines = text.splitlines()
        line_keys = [_line_key(line) if len(line) >= _MIN_LINE_CHARS else "" for line in lines]
        if choices:
            line_keys = [_snap(key, recurring, choices) for key in line_keys]
        shared = [key for key in line_keys if key in recurring]
        if not shared:
            stripped.append(text)
            keys.append("")
            continue
        rest = "\n".join(line for line, key in zip(lines, line_keys, strict=True) if key not in recurring)
        stripped.append(rest if rest.strip() else text)
        keys.append(hashlib.blake2b("\x1f".join(sorted(set(shared))).encode(), digest_size=8).hexdigest())
    return stripped, keys


def _snap(key: str, recurring: set[str], choices: list[str]) -> str:
    if not key or key in recurring:
        return key
    match = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=_SNAP_SIMILARITY)
    return match[0] if match else key


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
    # similarity of each dropped row to its kept row (NaN for kept rows), verified on the compared text
    similarity: np.ndarray = field(default_factory=lambda: np.zeros(0))
    num_chain_kept: int = 0  # rows in a cluster that no kept row reached at the threshold, kept (chains)
    num_boilerplate_lines: int = 0  # distinct recurring lines left out of the compared texts
    num_boilerplate_rows: int = 0  # rows that had some


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

    def __init__(self, words: dict[int, str], threshold: float, distinct: list | None) -> None:
        self.threshold, self.distinct = threshold, distinct
        self.num_compared = self.num_similar = 0
        self.words = words  # `_word_strings` of the rows that take part in a candidate pair
        # Pairs that failed, so a bucket that recurs in several bands with other members costs them once.
        self.failed: set[tuple[int, int]] = set()
        self.scores: dict[tuple[int, int], float] = {}

    def similar(self, a: int, b: int) -> bool:
        return self.score(a, b) >= self.threshold

    def score(self, a: int, b: int) -> float:
        """Word similarity of rows a and b, 0.0 when below the threshold or their `distinct` values differ."""
        pair = (min(a, b), max(a, b))
        if pair in self.scores:
            return self.scores[pair]
        if pair in self.failed or (self.distinct is not None and self.distinct[a] != self.distinct[b]):
            return 0.0
        self.num_compared += 1
        value = Indel.normalized_similarity(self.words[a], self.words[b], score_cutoff=self.threshold)
        if value >= self.threshold:
            self.num_similar += 1
            self.scores[pair] = value
            return value
        self.failed.add(pair)
        return 0.0


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
    boilerplate_share: float | None = BOILERPLATE_SHARE,
    engine=None,
) -> NearDupResult:
    """Near-duplicate clusters of `texts` (typically `dedup_text` of each row) and the row to keep in each.

    Rows whose `distinct` values differ are never merged (the build passes `row_identity`). Lines recurring in at
    least `boilerplate_share` of the rows are compared as identity, not as text (None: off). Pure and
    deterministic: the same inputs and seed give the same result, on any `engine` (hermes_data.engine: where the
    MinHash signatures are computed; None: in this process).
    """
    texts = list(texts)
    _check(texts, threshold, num_perm, ngram, model_rank, distinct)
    column = None if distinct is None else list(distinct)
    ranges = list(char_batches(texts, BATCH_CHARS)) if texts else []

    def pieces() -> Iterator[tuple[list[str], list | None]]:
        for lo, hi in ranges:
            yield texts[lo:hi], None if column is None else column[lo:hi]

    params = _Params(threshold, num_perm, ngram, seed, boilerplate_share)
    return _near(pieces, _given, model_rank, params, engine)


class _Params(NamedTuple):
    threshold: float
    num_perm: int
    ngram: int
    seed: int
    boilerplate_share: float | None


def _given(piece: tuple[list[str], list | None]) -> tuple[list[str], list | None]:
    """The texts and `distinct` values of an in-memory piece, as they are."""
    return piece


def _near(pieces, to_texts, model_rank, params: _Params, engine) -> NearDupResult:
    """The near-dedup algorithm over rows that come in pieces: `pieces()` yields them in order (each call anew), and
    `to_texts(piece)` gives a piece's texts and `distinct` values (or None) where the piece is processed, on the
    engine's workers. Only per-row figures come back (lengths, line hashes, band keys, identities) until the
    candidate pairs are known; then the words of the rows in them. So the texts of all rows are never in memory at
    once, and every pass is a per-row function of one piece: the same result on any engine and any piece size."""
    engine = engine or InlineEngine()
    counting = params.boilerplate_share is not None
    lengths, line_hashes, sizes = [], [], []
    for piece_lengths, hashes in engine.map_ordered(_piece_lines, ((p, to_texts, counting) for p in pieces())):
        lengths += piece_lengths
        line_hashes.append(hashes)
        sizes.append(len(piece_lengths))
    num_rows = len(lengths)
    recurring = _recurring(pieces, to_texts, line_hashes, num_rows, params.boilerplate_share, engine)
    bands, rows = lsh_params(params.threshold, params.num_perm, params.ngram)
    keys = np.zeros((num_rows, bands), dtype=np.uint64)
    has_words = np.zeros(num_rows, dtype=bool)
    distinct: list | None = None
    boilerplate_rows, row = 0, 0
    jobs = ((p, to_texts, recurring, params) for p in pieces())
    for piece_keys, piece_words, piece_distinct, piece_boilerplate in engine.map_ordered(_piece_keys, jobs):
        n = len(piece_keys)
        keys[row : row + n], has_words[row : row + n] = piece_keys, piece_words
        if piece_distinct is not None:
            distinct = distinct if distinct is not None else []
            distinct += piece_distinct
        boilerplate_rows += piece_boilerplate
        row += n
    pairs, groups = buckets(keys, has_words, engine)  # one band per job on the workers
    involved = np.unique(np.concatenate([pairs.ravel(), *groups])) if len(pairs) or groups else np.zeros(0, np.int64)
    words = _involved_words(pieces, to_texts, recurring, involved, sizes, engine)
    verifier = _Verifier(words, params.threshold, distinct)
    union = _UnionFind()
    for a, b in pairs.tolist():
        if union.find(a) != union.find(b) and verifier.similar(a, b):
            union.union(a, b)
    for group in groups:
        _link_group(group, union, verifier)
    position = keep_order(num_rows, model_rank, lengths)
    result = _result(union, position, verifier, bands, rows)
    return replace(result, num_boilerplate_lines=len(recurring), num_boilerplate_rows=boilerplate_rows)


def _line_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


def _distinct_lines(text: str) -> set[str]:
    """A text's line keys as `recurring_lines` and `_recurring` count them (long lines only, each once)."""
    if "\n" not in text:
        return set()
    return {_line_key(line) for line in text.splitlines() if len(line) >= _MIN_LINE_CHARS}


def _piece_lines(job) -> tuple[list[int], np.ndarray]:
    """Text lengths of a piece and the hashes of each text's distinct long lines (runs on a worker)."""
    piece, to_texts, counting = job
    texts, _ = to_texts(piece)
    hashes = [_line_hash(key) for text in texts for key in _distinct_lines(text)] if counting else []
    return [len(t) for t in texts], np.array(hashes, dtype=np.uint64)


def _recurring(pieces, to_texts, line_hashes, num_rows, share, engine) -> set[str]:
    """The lines of `recurring_lines`, found from the per-row line hashes; their text is then looked up in the
    pieces (usually the first holds them all)."""
    if share is None or not num_rows:
        return set()
    hashes = np.concatenate(line_hashes) if line_hashes else np.zeros(0, np.uint64)
    unique, counts = np.unique(hashes, return_counts=True)
    limit = max(_MIN_BOILERPLATE_ROWS, math.ceil(share * num_rows))
    wanted = set(unique[counts >= limit].tolist())
    found: dict[int, str] = {}
    if wanted:
        for lines in engine.map_ordered(_piece_find, ((p, to_texts, wanted) for p in pieces())):
            found.update(lines)
            if len(found) == len(wanted):
                break
    return set(found.values())


def _piece_find(job) -> dict[int, str]:
    piece, to_texts, wanted = job
    texts, _ = to_texts(piece)
    return {h: key for text in texts for key in _distinct_lines(text) if (h := _line_hash(key)) in wanted}


def _strip(texts: list[str], distinct: list | None, recurring: set[str]) -> tuple[list[str], list | None, int]:
    """Texts without their recurring lines and the `distinct` values that name those lines (see near_duplicates)."""
    if not recurring:
        return texts, distinct, 0
    texts, shared = _without_recurring(texts, recurring)
    base = [""] * len(texts) if distinct is None else [str(d) for d in distinct]
    distinct = [f"{d}\x1e{key}" if key else d for d, key in zip(base, shared, strict=True)]
    return texts, distinct, sum(1 for key in shared if key)


def _piece_keys(job) -> tuple[np.ndarray, np.ndarray, list | None, int]:
    """Band keys, has-words mask, final `distinct` values and boilerplate rows of a piece (runs on a worker)."""
    piece, to_texts, recurring, params = job
    texts, distinct = to_texts(piece)
    texts, distinct, boilerplate = _strip(texts, distinct, recurring)
    bands, rows = lsh_params(params.threshold, params.num_perm, params.ngram)
    keys, has_words = lsh_keys(
        texts,
        bands=bands,
        rows=rows,
        num_perm=params.num_perm,
        ngram=params.ngram,
        seed=params.seed,
        salts=_salts(distinct),
    )
    return keys, has_words, distinct, boilerplate


def _involved_words(pieces, to_texts, recurring, involved: np.ndarray, sizes: list[int], engine) -> dict[int, str]:
    """The word strings (`_word_strings`) of the rows in candidate pairs, from the pieces that hold them."""
    starts = np.cumsum([0, *sizes])
    wanted = {}  # piece index -> the piece's involved rows, as positions in it
    for index in range(len(sizes)):
        local = involved[(involved >= starts[index]) & (involved < starts[index + 1])] - starts[index]
        if len(local):
            wanted[index] = local
    # Lazily: a piece (with its text) is alive only while its job is in flight.
    jobs = ((piece, to_texts, recurring, wanted[i]) for i, piece in enumerate(pieces()) if i in wanted)
    words: dict[int, str] = {}
    for index, strings in zip(wanted, engine.map_ordered(_piece_words, jobs), strict=True):
        words.update(zip((wanted[index] + starts[index]).tolist(), strings, strict=True))
    return words


def _piece_words(job) -> list[str]:
    piece, to_texts, recurring, local = job
    texts, distinct = to_texts(_rows_of(piece, local))
    return _word_strings(_strip(texts, distinct, recurring)[0])


def _rows_of(piece, local: np.ndarray):
    """Some rows of a piece: a table's (`take`) or an in-memory piece's."""
    if isinstance(piece, tuple):
        texts, distinct = piece
        return [texts[i] for i in local], None if distinct is None else [distinct[i] for i in local]
    import pyarrow as pa

    return piece.take(pa.array(local))


def _result(union: _UnionFind, position: np.ndarray, verifier: _Verifier, bands: int, rows: int) -> NearDupResult:
    num_rows = len(position)
    members = np.array(sorted(union.parent), dtype=np.int64)
    roots = np.array([union.find(m) for m in members.tolist()], dtype=np.int64)
    keep = np.ones(num_rows, dtype=bool)
    similarity = np.full(num_rows, np.nan)
    cluster_id = np.full(num_rows, -1, dtype=np.int64)
    duplicate_of: list[int | None] = [None] * num_rows
    # A root is its cluster's smallest member, so numbering clusters by root numbers them by first member.
    root_values, cluster_of = np.unique(roots, return_inverse=True)
    cluster_id[members] = cluster_of
    by_preference = members[np.lexsort((position[members], cluster_of))]
    chain_kept = 0
    kept_in_cluster: list[int] = []
    previous = -1
    # Verified against the kept rows, not inferred through the cluster: the union-find only proposes.
    for row in by_preference.tolist():
        if cluster_id[row] != previous:
            previous, kept_in_cluster = cluster_id[row], [row]
            continue
        best, best_score = None, 0.0
        for kept in kept_in_cluster[:_MAX_ROUNDS]:
            value = verifier.score(kept, row)
            if value > best_score:
                best, best_score = kept, value
        if best is None:
            kept_in_cluster.append(row)
            chain_kept += 1
            continue
        keep[row], duplicate_of[row], similarity[row] = False, best, best_score
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
        similarity=similarity,
        num_chain_kept=chain_kept,
    )


# ---------------------------------------------------------------------------------------------------------------
# The build stage (hermes_data.build.stages lists it; hermes_data.stages runs it)


def near_dedup_stage(table: pa.Table, spec, seed: int, engine=None, chunks=None) -> Verdict:
    """Drop near duplicates (`near_duplicates` with the recipe's `dedup.near` spec); `detail` names the kept row's
    id and the word similarity of the two texts. `engine` runs the per-row work (texts, identities, MinHash
    signatures) on its workers; the clusters are found here, over the whole table. `chunks()`, when the table holds
    compact columns only, yields its rows in order joined with their text (hermes_data.build.text_store)."""
    from hermes_data.stages.verdict import verdict_from_mask

    # Piece by piece on the workers: only per-row figures and the candidates' words come back (`_near`), never all
    # texts at once. `distinct`: two questions that differ only in their numbers ("17 x 23" vs "17 x 24"), their
    # tools or their documents are different rows (`row_identity`).
    def pieces():
        return _identity_columns(chunks() if chunks is not None else table.to_batches())

    params = _Params(spec.threshold, spec.num_perm, spec.ngram, seed, BOILERPLATE_SHARE)
    result = _near(pieces, near_inputs, table.column("_model_rank").to_pylist(), params, engine)
    return verdict_from_mask(~np.asarray(result.keep, dtype=bool), "near_duplicate", near_details(table, result))


def _identity_columns(pieces):
    """Only what `near_inputs` reads travels to a worker."""
    for piece in pieces:
        yield piece.select([name for name in _IDENTITY if name in piece.column_names])


def near_inputs(batch: pa.RecordBatch) -> tuple[list[str], list[str]]:
    """`dedup_text` and `row_identity` of each row of a batch of `messages` (and `tools`, `documents` if present)."""
    names = batch.schema.names
    columns = [batch.column(name).to_pylist() if name in names else [None] * batch.num_rows for name in _IDENTITY]
    texts, identities = [], []
    for messages, tools, documents in zip(*columns, strict=True):
        texts.append(dedup_text(messages))
        identities.append(row_identity(messages, tools, documents))
    return texts, identities


def near_details(table: pa.Table, result: NearDupResult) -> list[str | None]:
    """`detail` of each dropped row: the kept row's id and the similarity the verifier measured between the two
    (on the text left once recurring boilerplate is set aside, so it is the figure that decided the drop)."""
    from hermes_data.stages.verdict import detail_json

    ids = table.column("id").to_pylist()
    details: list[str | None] = [None] * len(result.keep)
    for i, kept in enumerate(result.duplicate_of):
        if kept is None or result.keep[i]:
            continue
        details[i] = detail_json(kept_id=ids[kept], similarity=round(float(result.similarity[i]), 4))
    return details


_IDENTITY = ("messages", "tools", "documents")
