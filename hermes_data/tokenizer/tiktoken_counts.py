r"""Token counts of the built-in Llama 3.1 tokenizer through tiktoken: the HF tokenizer's ids, at tiktoken's speed.

The built-in tokenizer is a conversion of the very tiktoken file (`llama_models/llama3/tokenizer.model`) that
tiktoken reads natively, so a `tiktoken.Encoding` over the same BPE ranks, the same pre-tokenizer pattern and the
same 256 special tokens on the same ids yields the same ids as the `tokenizers` BPE (tests/tokenizer pins it over
whitespace runs, unicode, code, numbers, URLs and every token the ChatML renderer writes). Any other tokenizer, or
the built-in one after tokens were added to it, keeps the Hugging Face path (`chatml.count_tokens_hf`).

tiktoken gives no character offsets, so the loss spans of DESIGN §6 come from the structure of the rendering
instead. Added tokens are matched before pre-tokenization, so the text between two of them is encoded on its own;
when no content holds the renderer's own tokens, a conversation's ids are

    BOS  (<|im_start|> ids(role + "\n" + content) <|im_end|> ids("\n"))*

and the specials' positions give every message's segment. An assistant message's output tokens are those of its
segment that overlap the content (the leading tokens that lie wholly inside "assistant\n" are scaffolding, found
from the tokens' byte lengths; a token such as "\n\n" that spans both counts as output, as on the HF path) plus its
`<|im_end|>`. Other added tokens inside content (`<|eot_id|>`, the opt-in reasoning tags) are tokens of their
segment like any other. A conversation whose content holds `<|im_start|>`, `<|im_end|>` or BOS is counted message by
message instead.

Speed: the conversations of one batch are joined (BOS separates them) into one string per thread and encoded in
one call that releases the GIL, so Python's per-row work is joining strings; everything after is numpy.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from hermes_data.tokenizer import llama3

if TYPE_CHECKING:
    import tiktoken

# load_tokenizer("llama3") sets this attribute (the reasoning_tags flag) on the tokenizers it builds; it does not
# survive save_pretrained, so a reloaded or modified copy goes the Hugging Face way.
BUILTIN_ATTR = "hermes_llama3_reasoning_tags"
VOCAB_SIZE = llama3.NUM_BASE_TOKENS + llama3.NUM_SPECIAL_TOKENS
ASSISTANT_HEAD = "assistant\n"


@dataclass(frozen=True)
class Llama3Encoding:
    """A tiktoken encoding of the built-in tokenizer and the byte length of every id."""

    encoding: tiktoken.Encoding
    token_bytes: np.ndarray  # places the end of "assistant\n" among a segment's tokens without offsets
    structural: np.ndarray  # True on the ids the renderer writes between messages: BOS, <|im_start|>, <|im_end|>


def mark_builtin(tokenizer, reasoning_tags: bool) -> None:
    """Let `encoding_for` recognise a tokenizer built by `load_tokenizer("llama3")`."""
    setattr(tokenizer, BUILTIN_ATTR, reasoning_tags)


def encoding_for(tokenizer) -> Llama3Encoding | None:
    """The tiktoken twin of `tokenizer` when it is the unmodified built-in Llama 3.1 tokenizer, else None."""
    reasoning_tags = getattr(tokenizer, BUILTIN_ATTR, None)
    if reasoning_tags is None or len(tokenizer) != VOCAB_SIZE or tokenizer.bos_token != llama3.BOS:
        return None  # tokens added after loading are known to the HF tokenizer only
    return llama3_encoding(bool(reasoning_tags))


@lru_cache(maxsize=2)
def llama3_encoding(reasoning_tags: bool = False) -> Llama3Encoding:
    """tiktoken `Encoding` over llama-models' BPE ranks with the same 256 special tokens as `llama3.build_backend`."""
    import tiktoken

    ranks = _read_ranks(llama3.model_file())
    # Reasoning tags are added but not special tokens in HF (decode keeps them); for encoding both kinds are
    # matched before the BPE alike, which is what tiktoken's special tokens do.
    specials = {
        token: llama3.NUM_BASE_TOKENS + index
        for index, (token, _) in enumerate(llama3.hermes_special_tokens(reasoning_tags))
    }
    name = "hermes-llama3-reasoning" if reasoning_tags else "hermes-llama3"
    encoding = tiktoken.Encoding(name, pat_str=llama3.LLAMA3_PATTERN, mergeable_ranks=ranks, special_tokens=specials)
    token_bytes = np.zeros(VOCAB_SIZE, dtype=np.int64)
    for token, rank in ranks.items():
        token_bytes[rank] = len(token)
    for token, token_id in specials.items():
        token_bytes[token_id] = len(token.encode())
    structural = np.zeros(VOCAB_SIZE, dtype=bool)
    structural[[specials[llama3.BOS], specials[llama3.IM_START], specials[llama3.IM_END]]] = True
    return Llama3Encoding(encoding, token_bytes, structural)


def _read_ranks(path) -> dict[bytes, int]:
    """`base64-token rank` lines. tiktoken's own loader copies even a local file into a cache keyed by its path
    (`$TMPDIR/data-gym-cache`), which would outlive an upgrade of llama-models; parsing here writes nothing."""
    ranks = {}
    for line in path.read_bytes().splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    if len(ranks) != llama3.NUM_BASE_TOKENS:
        raise ValueError(f"{path}: expected {llama3.NUM_BASE_TOKENS} BPE ranks, got {len(ranks)}")
    return ranks


def encode(text: str, enc: Llama3Encoding) -> np.ndarray:
    """Ids of `text` with every added-token string as its single id: HF's `encode(text, add_special_tokens=False)`."""
    return enc.encoding.encode_to_numpy(text, allowed_special="all")


def num_threads() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def count_rendered(
    texts: list[str],
    messages: Sequence[Sequence[dict]],
    enc: Llama3Encoding,
    *,
    pool: ThreadPoolExecutor | None = None,
    threads: int = 1,
) -> list[tuple[int, int]]:
    """(input, output) counts of rendered conversations (`texts[i]` renders `messages[i]` with BOS first).

    The batch is cut into `threads` chunks run on `pool`; tiktoken releases the GIL while it encodes.
    """
    bounds = np.linspace(0, len(texts), max(threads, 1) + 1).astype(int).tolist()
    chunks = [(lo, hi) for lo, hi in zip(bounds, bounds[1:], strict=False) if hi > lo]
    run = pool.map if pool is not None else map
    counts: list[tuple[int, int]] = []
    for part in run(lambda b: _count_chunk(texts[b[0] : b[1]], messages[b[0] : b[1]], enc), chunks):
        counts += part
    return counts


def _count_chunk(texts: list[str], messages: Sequence[Sequence[dict]], enc: Llama3Encoding) -> list[tuple[int, int]]:
    ids = encode("".join(texts), enc)
    # Other added tokens in content (<|eot_id|>, reasoning tags) are ordinary tokens of their segment here.
    specials = np.flatnonzero(enc.structural[ids])
    num_messages = np.fromiter((len(m) for m in messages), dtype=np.int64, count=len(messages))
    if len(specials) != int((1 + 2 * num_messages).sum()):
        # Some content holds <|im_start|>, <|im_end|> or BOS, so positions no longer tell messages apart: halve the
        # chunk until the conversations at fault are found and count those message by message (a data defect, rare).
        if len(texts) == 1:
            return [_count_by_message(messages[0], enc)]
        mid = len(texts) // 2
        return _count_chunk(texts[:mid], messages[:mid], enc) + _count_chunk(texts[mid:], messages[mid:], enc)
    first = np.concatenate([[0], np.cumsum(1 + 2 * num_messages)[:-1]])  # index of each BOS among the specials
    starts = specials[first]
    totals = np.diff(np.append(starts, len(ids)))
    conv_of, im_start = [], []
    for c, conv in enumerate(messages):
        for k, message in enumerate(conv):
            if message["role"] == "assistant":
                conv_of.append(c)
                im_start.append(first[c] + 1 + 2 * k)
    outputs = np.zeros(len(texts), dtype=np.int64)
    if im_start:
        index = np.asarray(im_start)
        per_turn = _assistant_outputs(ids, specials[index], specials[index + 1], enc)
        np.add.at(outputs, np.asarray(conv_of), per_turn)
    return list(zip((totals - outputs).tolist(), outputs.tolist(), strict=True))


def _assistant_outputs(ids: np.ndarray, im_start: np.ndarray, im_end: np.ndarray, enc: Llama3Encoding) -> np.ndarray:
    """Output tokens of assistant turns given the positions of their `<|im_start|>` and `<|im_end|>`."""
    head_bytes = len(ASSISTANT_HEAD)
    segment = im_end - im_start - 1
    scaffold = np.zeros_like(segment)
    cum = np.zeros_like(segment)
    # A token lies wholly in "assistant\n" while the running byte count stays within it; every token has >= 1 byte.
    for j in range(1, head_bytes + 1):
        inside = j <= segment
        cum += np.where(inside, enc.token_bytes[ids[np.minimum(im_start + j, len(ids) - 1)]], 0)
        scaffold += inside & (cum <= head_bytes)
    return segment - scaffold + 1


def _count_by_message(messages: Sequence[dict], enc: Llama3Encoding) -> tuple[int, int]:
    """Counts of one conversation from each message's own segment (content may hold added-token strings)."""
    total, output = 1, 0  # BOS
    for message in messages:
        head = message["role"] + "\n"
        segment = encode(head + message["content"], enc)
        total += 1 + len(segment) + 2  # <|im_start|> segment <|im_end|> "\n"
        if message["role"] == "assistant":
            ends = np.cumsum(enc.token_bytes[segment])
            output += len(segment) - int(np.searchsorted(ends, len(head.encode()), side="right")) + 1
    return total - output, output
