"""Sample packing: best-fit decreasing over token lengths, batched by length so millions of samples pack in a second.

Best-fit decreasing (BFD) takes samples longest first and puts each into the open bin with the least room that still
fits it, opening a new bin when none does. Samples of one length are interchangeable, and that makes BFD batchable:
for `n` samples of length `s`, the best-fitting bin (room `c`, the smallest room >= s) stays the best fit after each
placement while its room `c - s` is still >= s, because it is smaller than `c` and `c` was the smallest. So one step
gives every bin with room `c` its `c // s` samples at once, then moves on to the next larger room; the samples left
when no room fits open new bins of `max_length // s` samples each. The rooms evolve exactly as in item-by-item BFD
(only which of two equal-room bins is chosen can differ, and that never changes the room multiset), so the number
of bins is BFD's, the same as TRL's `pack_dataset(strategy="bfd")` (benchmarks/packing.py checks it).

Cost: Python work per (length, room) step, not per sample, with the open rooms kept as a bit set in one Python int
(bit `c` set = some bin has room `c`), so "smallest room >= s" is a shift and a lowest-set-bit. Assigning sample
indices to bins happens once at the end in numpy.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

__all__ = ["lower_bound_bins", "pack", "packing_efficiency"]


def pack(lengths: Sequence[int] | np.ndarray, max_length: int) -> list[list[int]]:
    """Bins of sample indices (each index exactly once, each bin's total length <= `max_length`), by BFD.

    Bins come longest-sample first; indices inside a bin are ascending. A length above `max_length`, or below 1, is
    a `ValueError` (tokenization drops or truncates such rows before packing).
    """
    sizes = _checked_lengths(lengths, max_length)
    if sizes.size == 0:
        return []
    values, counts = np.unique(sizes, return_counts=True)
    bin_ids, repeats = _bfd_by_length(values[::-1].tolist(), counts[::-1].tolist(), max_length)
    # The i-th slot of `bin_of_slot` belongs to the i-th sample in (length descending, index ascending) order.
    bin_of_slot = np.repeat(np.asarray(bin_ids, dtype=np.int64), np.asarray(repeats, dtype=np.int64))
    bin_of = np.empty_like(bin_of_slot)
    bin_of[_longest_first(sizes, max_length)] = bin_of_slot
    by_bin = np.argsort(bin_of, kind="stable").tolist()
    ends = np.cumsum(np.bincount(bin_of)).tolist()
    return [by_bin[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]


def _longest_first(sizes: np.ndarray, max_length: int) -> np.ndarray:
    """Indices by length descending, ties by index; a 16-bit key lets numpy use its radix sort (4x faster)."""
    key = max_length - sizes
    if max_length < 2**16:
        key = key.astype(np.uint16)
    return np.argsort(key, kind="stable")


def _checked_lengths(lengths, max_length: int) -> np.ndarray:
    if isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer)) or max_length < 1:
        raise ValueError(f"max_length must be a positive integer, got {max_length!r}")
    sizes = np.asarray(lengths)
    if sizes.size == 0:
        return sizes.astype(np.int64).reshape(0)
    if sizes.ndim != 1 or not np.issubdtype(sizes.dtype, np.integer):
        raise ValueError(f"lengths must be a flat sequence of integers, got dtype {sizes.dtype} shape {sizes.shape}")
    sizes = sizes.astype(np.int64)
    too_long = np.flatnonzero(sizes > max_length)
    if too_long.size:
        i = int(too_long[0])
        raise ValueError(
            f"{too_long.size} length(s) exceed max_length {max_length} (first: index {i}, length {sizes[i]}); "
            "drop or truncate them before packing"
        )
    if sizes.min() < 1:
        i = int(np.argmin(sizes))
        raise ValueError(f"lengths must be >= 1 (index {i} has length {sizes[i]})")
    return sizes


def _bfd_by_length(values: list[int], counts: list[int], max_length: int) -> tuple[list[int], list[int]]:
    """Batched BFD. Returns parallel lists (bin id, samples it receives) in sample order (length descending)."""
    rooms: dict[int, list[int]] = {}  # room -> open bins with exactly that room, oldest first
    open_rooms = 0  # bit c set <=> rooms[c] is non-empty (full bins, room 0, are never tracked)
    bin_ids: list[int] = []
    repeats: list[int] = []
    num_bins = 0

    def move(bins: list[int], room: int) -> None:
        nonlocal open_rooms
        if room > 0:
            rooms.setdefault(room, []).extend(bins)
            open_rooms |= 1 << room

    for size, n in zip(values, counts, strict=True):
        while n:
            fits = open_rooms >> size
            if not fits:
                break
            room = size + (fits & -fits).bit_length() - 1  # smallest open room >= size
            group = rooms[room]
            per_bin = room // size
            num_full = min(len(group), n // per_bin)
            if num_full:
                full, group[:num_full] = group[:num_full], []
                bin_ids += full
                repeats += [per_bin] * num_full
                n -= num_full * per_bin
                move(full, room - per_bin * size)
            if n and group:  # fewer samples left than this bin holds: it takes them all and keeps room for others
                partial = [group.pop(0)]
                bin_ids += partial
                repeats.append(n)
                move(partial, room - n * size)
                n = 0
            if not group:
                open_rooms &= ~(1 << room)
        if n:  # no open bin fits: new bins, each filled with max_length // size samples of this length
            per_bin = max_length // size
            num_new = -(-n // per_bin)
            new = list(range(num_bins, num_bins + num_new))
            num_bins += num_new
            last = n - (num_new - 1) * per_bin
            bin_ids += new
            repeats += [per_bin] * (num_new - 1) + [last]
            move(new[:-1], max_length - per_bin * size)
            move(new[-1:], max_length - last * size)
    return bin_ids, repeats


def packing_efficiency(lengths: Sequence[int] | np.ndarray, bins: Sequence[Sequence[int]], max_length: int) -> float:
    """Real tokens / slots: the share of the packed rows' `len(bins) * max_length` positions holding sample tokens."""
    if not bins:
        return 0.0
    sizes = np.asarray(lengths, dtype=np.int64)
    packed = np.fromiter(itertools.chain.from_iterable(bins), dtype=np.int64)
    return int(sizes[packed].sum()) / (len(bins) * max_length)


def lower_bound_bins(lengths: Sequence[int] | np.ndarray, max_length: int) -> int:
    """`ceil(sum / max_length)`: no packing can use fewer rows."""
    return math.ceil(int(np.asarray(lengths, dtype=np.int64).sum()) / max_length)
