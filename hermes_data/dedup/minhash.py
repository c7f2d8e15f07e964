"""MinHash signatures over word n-grams and LSH banding, vectorized across a whole batch of texts.

Hot path, in numpy over one byte buffer per batch (no Python loop over words or shingles):

1. **Words.** Texts are lowercased (NFKC first when not ASCII) and joined into one UTF-8 buffer. A word is a run
   of ASCII letters, digits and `_` or of non-ASCII bytes; CJK ideographs and kana, written without spaces, are
   one word per character. Punctuation and whitespace separate words, so "Hello, world" and "hello world" have
   the same words.
2. **Word ids.** Each word's bytes are read 8 at a time with unaligned loads and masked to the word's length: words
   of up to 8 bytes are their own id, longer ones fold in the rest. Ids are equal on every machine and library
   version (no Python `hash`, no polars hash).
3. **Shingles.** A shingle is `ngram` consecutive words of one text (fewer words when the text is shorter):
   `sum(word_hash[i + k] * M_k)`, then seeded fmix64.
4. **One-permutation MinHash** (Li, Owen & Zhang 2012) with optimal densification (Shrivastava 2017): each shingle
   hash falls into one of `num_perm` bins by its high bits and the bin keeps the smallest low 32 bits. This costs one
   hash per shingle instead of `num_perm` (the classic `(a*x+b) mod p` per permutation), and two signatures still
   agree in a bin with probability equal to the Jaccard similarity of their shingle sets. Bins a short text leaves
   empty copy the value of a bin chosen by a seeded probe sequence that is the same for every text, which keeps that
   property.
5. **Bands.** `rows` signature values per band are mixed into one uint64 bucket key per band.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from hermes_data.engine import InlineEngine

_U64 = np.uint64
_EMPTY = np.uint64(1 << 32)  # larger than any 32-bit bin value
# Texts are hashed in batches of about this many characters: temporaries stay a few tens of MB (measured fastest;
# larger batches lose to cache misses and page faults on fresh allocations).
BATCH_CHARS = 1 << 21
_PAD = b"\n" * 16  # unaligned 8-byte loads near the end stay inside the buffer
_MIX1, _MIX2 = _U64(0xFF51AFD7ED558CCD), _U64(0xC4CEB9FE1A85EC53)
_GOLDEN = _U64(0x9E3779B97F4A7C15)
# Byte masks keeping the first n bytes of a little-endian 8-byte load, n = 0..8.
_LEN_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [(1 << 64) - 1], dtype=_U64)


def fmix64(x: np.ndarray) -> np.ndarray:
    """murmur3's 64-bit finalizer, in place on a uint64 array (returned for chaining)."""
    tmp = np.empty_like(x)
    for mult in (_MIX1, _MIX2):
        np.right_shift(x, _U64(33), out=tmp)
        np.bitwise_xor(x, tmp, out=x)
        np.multiply(x, mult, out=x)
    np.right_shift(x, _U64(33), out=tmp)
    np.bitwise_xor(x, tmp, out=x)
    return x


def _odd_constants(count: int, salt: int) -> np.ndarray:
    return fmix64(np.arange(1, count + 1, dtype=_U64) * _GOLDEN + _U64(salt)) | _U64(1)


# ---- words ---------------------------------------------------------------------------------------------------------


def _encode(texts: list[str]) -> tuple[bytes, np.ndarray]:
    """One lowercase UTF-8 buffer for the batch, and each text's first byte offset (len(texts) + 1 entries)."""
    # NFKC is a no-op on ASCII and str.isascii() is O(1), so only non-ASCII texts pay for it (and for the regex
    # that spaces out CJK characters). "\n" separates texts, so no word runs from one text into the next.
    parts = [t.lower().encode() if t.isascii() else _normalize_non_ascii(t).encode() for t in texts]
    firsts = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter((len(p) + 1 for p in parts), dtype=np.int64, count=len(parts)), out=firsts[1:])
    return b"\n".join([b"", *parts, _PAD]), firsts + 1


# CJK ideographs and kana are written without spaces: each character counts as a word.
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _normalize_non_ascii(text: str) -> str:
    return _CJK_CHAR.sub(r" \g<0> ", unicodedata.normalize("NFKC", text).lower())


# `bytes.translate` table: 1 for bytes that belong to words (ASCII letters, digits, `_` and every non-ASCII byte,
# i.e. letters of other scripts), 0 for separators (whitespace, punctuation, symbols).
_WORD_BYTES = bytes(int(chr(b).isalnum() or b == 95 or b >= 0x80) for b in range(256))


def _word_bounds(buf: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Start and end byte offsets of every word in the buffer (which starts and ends with a separator)."""
    is_word = np.frombuffer(buf.translate(_WORD_BYTES), dtype=np.uint8)
    # Class changes alternate word start, word end, start, end, ... because the buffer begins and ends outside a word.
    changes = np.flatnonzero(is_word[1:] != is_word[:-1]) + 1
    return changes[0::2].copy(), changes[1::2].copy()


def _hash_words(buf: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """64-bit id of each word: its first 8 bytes (exact, so words of up to 8 bytes never collide), longer words
    folding in each further 8 bytes with a multiply. Not mixed: the shingle hash mixes."""
    loads = np.ndarray(shape=(len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
    lengths = ends - starts
    h = loads[starts] & _LEN_MASKS[np.minimum(lengths, 8)]
    offset = 8
    longer = np.flatnonzero(lengths > offset)
    while longer.size:  # long words (URLs, identifiers) take one more round per 8 bytes
        rest = np.minimum(lengths[longer] - offset, 8)
        h[longer] = h[longer] * _GOLDEN + (loads[starts[longer] + offset] & _LEN_MASKS[rest]) + _U64(offset)
        offset += 8
        longer = longer[lengths[longer] > offset]
    return h


def word_hashes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """64-bit id of every word of every text, flat, and `offsets` (len(texts) + 1 entries): text i's words are
    `hashes[offsets[i]:offsets[i + 1]]`. Equal words get equal ids on every machine and library version."""
    buf, firsts = _encode(texts)
    starts, ends = _word_bounds(buf)
    return _hash_words(buf, starts, ends), np.searchsorted(starts, firsts)


# ---- shingles and signatures ---------------------------------------------------------------------------------------


def _shingles(hashes: np.ndarray, offsets: np.ndarray, ngram: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded hash of every word window and the text it belongs to; a text shorter than `ngram` words is one
    shingle of all its words. Windows that run into the next text belong to the discard row `len(offsets) - 1`."""
    lengths = np.diff(offsets)
    num_texts, num_words = len(lengths), len(hashes)
    mults = _odd_constants(ngram, salt=17)
    # All windows of the flat word array at once, over contiguous slices (zero-padded at the end).
    padded = np.concatenate([hashes, np.zeros(ngram - 1, dtype=_U64)])
    acc = padded[:num_words] * mults[0]
    for k in range(1, ngram):
        acc += padded[k : k + num_words] * mults[k]
    text_of = np.repeat(np.arange(num_texts), lengths)
    firsts, ends = offsets[:-1], offsets[1:]
    for k in range(1, ngram):  # the last ngram - 1 windows of a text cross its end (all but the first if short)
        last = ends - k
        text_of[last[last > firsts]] = num_texts
    short = np.flatnonzero((lengths > 0) & (lengths < ngram))
    acc[firsts[short]] = 0
    for k in range(1, ngram - 1):
        has_k = lengths[short] > k
        acc[firsts[short[has_k]]] += hashes[firsts[short[has_k]] + k] * mults[k]
    acc[firsts[short]] += hashes[firsts[short]] * mults[0]
    acc ^= fmix64(np.array([(seed + 1) % 2**64], dtype=_U64))
    return fmix64(acc), text_of


@lru_cache(maxsize=8)
def _probe_table(num_perm: int, seed: int, attempts: int) -> np.ndarray:
    """Bin to copy from, per (attempt, empty bin): the same for every text, which keeps densified bins comparable."""
    keys = np.arange(attempts * num_perm, dtype=_U64) + _U64(seed * int(_GOLDEN) % 2**64)
    return (fmix64(keys ^ _U64(0x5DEECE66D)) % _U64(num_perm)).astype(np.int64).reshape(attempts, num_perm)


_PROBES = 64  # a text with m of num_perm bins filled leaves a bin unfilled after 64 probes w.p. (1 - m/num_perm)**64


def _densify(sig: np.ndarray, seed: int) -> None:
    """Fill empty bins in place (optimal densification); rows without any shingle stay empty."""
    original = sig.copy()
    has_any = (original != _EMPTY).any(axis=1)
    rows, cols = np.nonzero((original == _EMPTY) & has_any[:, None])
    probes = _probe_table(sig.shape[1], seed, _PROBES)
    for attempt in range(_PROBES):
        if not rows.size:
            return
        source = original[rows, probes[attempt, cols]]
        hit = source != _EMPTY
        sig[rows[hit], cols[hit]] = source[hit]
        rows, cols = rows[~hit], cols[~hit]
    sig[rows, cols] = original.min(axis=1)[rows]  # only texts with a handful of shingles get here


def signatures(texts: list[str], *, num_perm: int = 128, ngram: int = 5, seed: int = 0) -> np.ndarray:
    """(len(texts), num_perm) uint64 MinHash signatures (values < 2**32); a text without words has a row of 2**32."""
    hashes, offsets = word_hashes(texts)
    shingles, text_of = _shingles(hashes, offsets, ngram, seed)
    bins = ((shingles >> _U64(32)) * _U64(num_perm)) >> _U64(32)  # high bits pick the bin, low 32 bits compete
    sig = np.full((len(texts) + 1) * num_perm, _EMPTY, dtype=_U64)  # + the discard row
    np.minimum.at(sig, text_of.astype(_U64) * _U64(num_perm) + bins, shingles & _U64(0xFFFFFFFF))
    sig = sig.reshape(len(texts) + 1, num_perm)[:-1]
    _densify(sig, seed)
    return sig


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Fraction of agreeing bins: an unbiased estimate of the Jaccard similarity of the two shingle sets."""
    return float(np.mean(sig_a == sig_b))


# ---- LSH banding ---------------------------------------------------------------------------------------------------


def candidate_jaccard(threshold: float, ngram: int) -> float:
    """Shingle Jaccard that the LSH targets for a verification threshold on word similarity.

    Word similarity and n-gram Jaccard disagree: one word changed every 20 words keeps 95 % of the words but breaks
    up to `ngram` shingles each, so 5-gram Jaccard falls to 0.63. Candidates must survive that, while aiming at the
    full 1 - threshold edit budget would make every pair sharing boilerplate a candidate. The target is the Jaccard
    of a pair with half that budget, (1 - threshold) / 2, spread one word at a time: J = q / (2 - q) with
    q = (1 - edits) ** ngram. For threshold 0.8 and 5-grams that is 0.42. Edits that come in runs (a rewritten
    sentence) break far fewer shingles and are found down to the threshold itself.
    """
    kept = (1.0 - (1.0 - threshold) / 2.0) ** ngram
    return kept / (2.0 - kept)


def _band_error(jaccard: float, bands: int, rows: int) -> float:
    # datasketch's criterion: the area under the S-curve below the target (false positives) plus the area above
    # the curve beyond it (false negatives), equal weights.
    below = np.linspace(0.0, jaccard, 257)
    above = np.linspace(jaccard, 1.0, 257)
    false_pos = np.trapezoid(1.0 - (1.0 - below**rows) ** bands, below)
    false_neg = np.trapezoid((1.0 - above**rows) ** bands, above)
    return 0.5 * false_pos + 0.5 * false_neg


@lru_cache(maxsize=32)
def lsh_params(threshold: float, num_perm: int, ngram: int) -> tuple[int, int]:
    """(bands, rows) with bands * rows <= num_perm minimizing weighted false positives and negatives around
    `candidate_jaccard(threshold, ngram)`; (29, 4) for 0.8, 128, 5."""
    target = candidate_jaccard(threshold, ngram)
    options = [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]
    return min(options, key=lambda br: _band_error(target, *br))


def band_keys(sig: np.ndarray, bands: int, rows: int, salts: np.ndarray | None = None) -> np.ndarray:
    """(len(sig), bands) uint64 bucket keys: one per band of `rows` signature values. Rows whose `salts` differ
    never share a bucket."""
    mults = _odd_constants(rows, salt=29)
    keys = (sig[:, : bands * rows].reshape(len(sig), bands, rows) * mults).sum(axis=2, dtype=_U64)
    keys += np.arange(bands, dtype=_U64) * _GOLDEN
    if salts is not None:
        keys ^= salts[:, None]
    return fmix64(keys)


def lsh_keys(
    texts: list[str],
    *,
    bands: int,
    rows: int,
    num_perm: int,
    ngram: int,
    seed: int,
    salts: np.ndarray | None = None,
    batch_chars: int = BATCH_CHARS,
    engine=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Band keys of all texts, computed in batches of about `batch_chars` characters (bounded memory), and a mask of
    the texts that have words at all (the others take no part in near-dedup). `engine` (hermes_data.engine) runs
    the batches on its workers; None: in this process."""
    keys = np.zeros((len(texts), bands), dtype=_U64)
    has_words = np.zeros(len(texts), dtype=bool)
    ranges = list(char_batches(texts, batch_chars))
    jobs = (
        _KeysJob(texts[lo:hi], None if salts is None else salts[lo:hi], bands, rows, num_perm, ngram, seed)
        for lo, hi in ranges
    )
    # Each text's keys depend on that text alone, so any engine and batching give the same keys.
    results = (engine or InlineEngine()).map_ordered(batch_lsh_keys, jobs)
    for (lo, hi), (batch_keys, batch_has_words) in zip(ranges, results, strict=True):
        keys[lo:hi], has_words[lo:hi] = batch_keys, batch_has_words
    return keys, has_words


class _KeysJob(NamedTuple):
    texts: list[str]
    salts: np.ndarray | None
    bands: int
    rows: int
    num_perm: int
    ngram: int
    seed: int


def batch_lsh_keys(job: _KeysJob) -> tuple[np.ndarray, np.ndarray]:
    """Band keys and has-words mask of one batch of texts (what `lsh_keys` runs on an engine's workers)."""
    sig = signatures(job.texts, num_perm=job.num_perm, ngram=job.ngram, seed=job.seed)
    return band_keys(sig, job.bands, job.rows, job.salts), sig[:, 0] != _EMPTY


def char_batches(texts: list[str], batch_chars: int) -> Iterator[tuple[int, int]]:
    """`(lo, hi)` ranges of consecutive texts of about `batch_chars` characters together (at least one text)."""
    ends = np.cumsum(np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts)))
    lo = 0
    while lo < len(texts):
        hi = max(lo + 1, int(np.searchsorted(ends, (ends[lo - 1] if lo else 0) + batch_chars, side="right")))
        yield lo, hi
        lo = hi


def buckets(keys: np.ndarray, valid: np.ndarray, engine=None) -> tuple[np.ndarray, list[np.ndarray]]:
    """Texts that share a bucket in any band: pairs (from buckets of two) and larger groups, each once.

    Pairs come back as a sorted (P, 2) array with i < j; groups as index arrays in input order, sorted by first
    member (then band), so callers see them in a deterministic order. The same pair or group in several bands is
    reported once. Each band is grouped on its own, on `engine`'s workers when one is given (None: here); the
    merge here is in band order, so the result does not depend on the engine.
    """
    rows_valid = np.flatnonzero(valid)
    pair_codes, groups, seen_groups = [], [], set()
    jobs = ((np.ascontiguousarray(keys[:, band]), rows_valid, len(keys)) for band in range(keys.shape[1]))
    for band_pairs, band_groups in (engine or InlineEngine()).map_ordered(band_buckets, jobs):
        pair_codes.append(band_pairs)
        for members in band_groups:
            signature = members.tobytes()
            if signature not in seen_groups:
                seen_groups.add(signature)
                groups.append(members)
    codes = np.unique(np.concatenate(pair_codes)) if pair_codes else np.zeros(0, dtype=np.int64)
    pairs = np.stack([codes // max(len(keys), 1), codes % max(len(keys), 1)], axis=1)
    groups.sort(key=lambda g: int(g[0]))
    return pairs, groups


def band_buckets(job: tuple[np.ndarray, np.ndarray, int]) -> tuple[np.ndarray, list[np.ndarray]]:
    """One band's buckets: pair codes (`i * num_rows + j`, i < j) of its two-row buckets and its larger groups."""
    band_keys, rows_valid, num_rows = job
    order = rows_valid[np.argsort(band_keys[rows_valid], kind="stable")]
    sorted_keys = band_keys[order]
    edges = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    starts = np.concatenate([[0], edges])
    sizes = np.diff(np.concatenate([starts, [len(order)]]))
    two = starts[sizes == 2]
    codes = order[two] * num_rows + order[two + 1]  # stable sort: order[two] < order[two + 1]
    groups = [order[start : start + size] for start, size in zip(starts[sizes > 2], sizes[sizes > 2], strict=True)]
    return codes, groups
