"""`pack`: BFD bins over sample lengths (every index once, no bin over max_length) and the packing efficiency."""

from __future__ import annotations

import numpy as np
import pytest

from hermes_train.packing import lower_bound_bins, pack, packing_efficiency


def reference_bfd_rooms(lengths: list[int], max_length: int) -> list[int]:
    """Item-by-item best-fit decreasing by linear scan: the sorted rooms left in the bins (the oracle)."""
    rooms: list[int] = []
    for size in sorted(lengths, reverse=True):
        fitting = [i for i, room in enumerate(rooms) if room >= size]
        if fitting:
            best = min(fitting, key=lambda i: rooms[i])
            rooms[best] -= size
        else:
            rooms.append(max_length - size)
    return sorted(rooms)


def assert_valid(bins: list[list[int]], lengths, max_length: int) -> None:
    assert sorted(i for b in bins for i in b) == list(range(len(lengths)))
    assert all(b for b in bins)
    assert all(sum(lengths[i] for i in b) <= max_length for b in bins)


@pytest.mark.parametrize("seed", range(40))
def test_pack_is_best_fit_decreasing(seed):
    rng = np.random.default_rng(seed)
    max_length = int(rng.integers(8, 300))
    high = max_length + 1 if seed % 2 else max(2, max_length // 5)  # big items, or many small ones per bin
    lengths = rng.integers(1, high, size=int(rng.integers(1, 250))).tolist()
    bins = pack(lengths, max_length)
    assert_valid(bins, lengths, max_length)
    rooms = sorted(max_length - sum(lengths[i] for i in b) for b in bins)
    assert rooms == reference_bfd_rooms(lengths, max_length)


def test_many_equal_lengths_fill_bins_exactly():
    bins = pack([3] * 10, 9)  # 3 per bin; the last bin takes the one left
    assert [len(b) for b in bins] == [3, 3, 3, 1]
    assert bins[0] == [0, 1, 2]  # indices ascending inside a bin


def test_gaps_are_filled_best_fit_not_first_fit():
    # After 7 and 6 open two bins (rooms 3 and 4), a 3 goes to the tighter room 3 and the 4 still fits its gap.
    bins = pack([7, 6, 3, 4], 10)
    assert sorted(map(sorted, bins)) == [[0, 2], [1, 3]]


def test_edge_cases():
    assert pack([], 10) == []
    assert pack(np.array([10, 10]), 10) == [[0], [1]]
    assert pack([1], 1) == [[0]]


def test_errors_name_the_offending_length():
    with pytest.raises(ValueError, match="index 1, length 11"):
        pack([5, 11], 10)
    with pytest.raises(ValueError, match=">= 1"):
        pack([5, 0], 10)
    with pytest.raises(ValueError, match="integers"):
        pack([1.5, 2.0], 10)
    with pytest.raises(ValueError, match="max_length"):
        pack([1], 0)


def test_efficiency_on_a_realistic_mix():
    # Lengths shaped like SFT conversations (median ~550 tokens, long tail up to max_length), as in the paper's mix.
    rng = np.random.default_rng(0)
    lengths = np.clip(rng.lognormal(6.3, 1.0, size=20_000).astype(int), 16, 8192)
    bins = pack(lengths, 8192)
    assert_valid(bins, lengths.tolist(), 8192)
    assert len(bins) <= lower_bound_bins(lengths, 8192) + 1
    assert packing_efficiency(lengths, bins, 8192) >= 0.99


def test_packing_efficiency_and_lower_bound():
    assert packing_efficiency([4, 4, 2], [[0, 2], [1]], 8) == pytest.approx(10 / 16)
    assert packing_efficiency([], [], 8) == 0.0
    assert lower_bound_bins([4, 4, 2], 8) == 2
