"""Packed rows for the model: samples of a bin laid end to end, `position_ids` restarting at 0, no attention mask.

Samples in one row must not attend to each other. No mask is passed; the position ids say where each sample starts:
- SDPA / eager (CPU, tests): with `attention_mask=None`, no cache and `position_ids` given, transformers 5.x derives
  a block-diagonal causal mask from the places where the position ids do not step by 1
  (`masking_utils.find_packed_sequence_indices`). Works with any number of rows per batch.
- FlashAttention-2 (GPU): transformers switches to `flash_attn_varlen_func` with `cu_seqlens` taken from the
  position ids, but only when the batch has ONE row (`_is_packed_sequence`); with more rows it would run plain
  causal attention across samples. `flatten=True` therefore lays all bins of a micro-batch into one row.

Padding (rows shorter than the longest in the batch, or than `pad_to`) gets its own position run starting at 0, so
it forms a separate block that real tokens never see, and labels -100 so it adds nothing to the loss.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch

from hermes_train.tokenize import IGNORE_INDEX

Sample = Mapping[str, Sequence[int]]


@dataclass(frozen=True)
class PackedCollator:
    """Collate bins (each a list of samples with `input_ids` and `labels`) into `input_ids`, `labels`, `position_ids`.

    Output tensors are `[num_bins, length]`, or `[1, total]` with `flatten=True` (FlashAttention-2 varlen). `length`
    is the longest bin, or `pad_to` when given (fixed shapes help `torch.compile` and memory planning).
    """

    pad_token_id: int
    pad_to: int | None = None
    flatten: bool = False

    def __call__(self, bins: Sequence[Sequence[Sample]]) -> dict[str, torch.Tensor]:
        if self.flatten:
            bins = [[sample for samples in bins for sample in samples]]
        rows = [_concat(samples) for samples in bins]
        length = max(len(ids) for ids, _, _ in rows)
        if self.pad_to is not None:
            if length > self.pad_to:
                raise ValueError(f"a packed row has {length} tokens, more than pad_to={self.pad_to}")
            length = self.pad_to
        padded = [self._pad(row, length) for row in rows]
        return {
            key: torch.tensor([row[k] for row in padded], dtype=torch.long)
            for k, key in enumerate(("input_ids", "labels", "position_ids"))
        }

    def _pad(self, row: tuple[list[int], list[int], list[int]], length: int) -> tuple[list, list, list]:
        ids, labels, positions = row
        extra = length - len(ids)
        return ids + [self.pad_token_id] * extra, labels + [IGNORE_INDEX] * extra, positions + list(range(extra))


def _concat(samples: Sequence[Sample]) -> tuple[list[int], list[int], list[int]]:
    ids: list[int] = []
    labels: list[int] = []
    positions: list[int] = []
    for sample in samples:
        if len(sample["input_ids"]) != len(sample["labels"]):
            raise ValueError("a sample's input_ids and labels differ in length")
        ids += sample["input_ids"]
        labels += sample["labels"]
        positions += range(len(sample["input_ids"]))
    return ids, labels, positions


class PackedRows:
    """Map-style dataset over bins: item `i` is the list of samples of `bins[i]` (for a `DataLoader` with the
    collator). `samples` is anything indexable by int with `input_ids` and `labels`, e.g. a tokenized `Dataset`."""

    def __init__(self, samples, bins: Sequence[Sequence[int]]):
        self.samples = samples
        self.bins = bins

    def __len__(self) -> int:
        return len(self.bins)

    def __getitem__(self, index: int) -> list[Sample]:
        return [self.samples[int(i)] for i in self.bins[index]]
