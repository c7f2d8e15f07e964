"""Tokenizers for Hermes 3 data: the built-in Llama 3.1 tokenizer with ChatML, and the one token-accounting function.

`load_tokenizer("llama3")` builds Meta's Llama 3.1 tokenizer offline from the `llama-models` package (see
`llama3.py`) and returns a `transformers` fast tokenizer with the Hermes 3 chat template:

    128000         <|begin_of_text|>            BOS, once at the start of every rendered conversation
    128001         <|end_of_text|>              Llama end of text (ChatML does not use it)
    128004         <|finetune_right_pad_id|>    pad
    128009         <|eot_id|>                   Llama 3.1 end of turn (ChatML does not use it)
    128040         <|im_start|>                 ChatML turn start, on a reserved slot
    128041         <|im_end|>                   ChatML turn end; the chat EOS
    128042-128061  <SCRATCHPAD> </SCRATCHPAD>   … </UNIT_TEST>: only with reasoning_tags=True

The vocabulary stays at 128,256, so no embedding resize is needed. Hermes 3 appears to place ChatML on reserved ids
the same way, but the released checkpoint's exact ids are unconfirmed offline: 128040/128041 (and the reasoning-tag
ids) are this toolkit's documented choice. Pass a Hub name or a local folder to use another tokenizer; its own ids
then win.

`encode_chatml` and `count_tokens` (chatml.py) define a conversation's input and output tokens for the whole
project: data statistics, filters and balancing count with them, and training labels mask with them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from hermes_data.errors import DataError
from hermes_data.tokenizer import llama3, tiktoken_counts
from hermes_data.tokenizer.chatml import CHAT_TEMPLATE, IM_END, IM_START, count_tokens, encode_chatml, render_chatml

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerFast

__all__ = ["CHAT_TEMPLATE", "count_tokens", "encode_chatml", "load_tokenizer", "render_chatml"]

# The data half uses transformers for tokenizer classes only; without this its import prints "PyTorch was not found.
# Models won't be available" to every data engineer. A user's own setting wins.
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

BUILTIN = "llama3"
# Llama 3.1's context length (its config's max_position_embeddings).
MODEL_MAX_LENGTH = 131072


def load_tokenizer(
    name_or_path: str = BUILTIN, *, add_chatml_tokens: bool = False, reasoning_tags: bool = False
) -> PreTrainedTokenizerFast:
    """A `transformers.PreTrainedTokenizerFast` with the Hermes 3 ChatML chat template and EOS `<|im_end|>`.

    `"llama3"` is the built-in Llama 3.1 tokenizer (ChatML on reserved ids, converted once and cached). Anything else
    goes to `AutoTokenizer.from_pretrained`; such a tokenizer must already have `<|im_start|>`/`<|im_end|>` unless
    `add_chatml_tokens=True`, which adds them as new special tokens (training then resizes the embeddings).
    `reasoning_tags=True` makes the ten reasoning tags single tokens: reserved ids for the built-in tokenizer, new
    tokens for any other one.
    """
    if name_or_path == BUILTIN:
        tokenizer = _load_llama3(reasoning_tags)
    else:
        tokenizer = _load_pretrained(name_or_path, add_chatml_tokens, reasoning_tags)
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def _load_llama3(reasoning_tags: bool):
    from transformers import PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast(
        tokenizer_file=str(llama3.cached_tokenizer_file(reasoning_tags)),
        bos_token=llama3.BOS,
        eos_token=IM_END,
        pad_token=llama3.PAD,
        model_max_length=MODEL_MAX_LENGTH,
    )
    tiktoken_counts.mark_builtin(tokenizer, reasoning_tags)  # count_tokens may then count through tiktoken
    return tokenizer


_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json")


def _load_pretrained(name_or_path: str, add_chatml_tokens: bool, reasoning_tags: bool):
    from tokenizers import AddedToken
    from transformers import AutoTokenizer

    folder = Path(name_or_path)
    if folder.is_dir() and not any((folder / f).is_file() for f in _TOKENIZER_FILES):
        raise DataError(
            f"tokenizer {name_or_path!r}: the folder has no {' or '.join(_TOKENIZER_FILES)}; give a folder saved "
            "with save_pretrained, 'llama3' for the built-in Llama 3.1 tokenizer, or a Hugging Face Hub name"
        )
    try:
        tokenizer = AutoTokenizer.from_pretrained(name_or_path)
    except (OSError, ValueError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]  # transformers' text runs many lines
        raise DataError(
            f"tokenizer {name_or_path!r}: cannot load it ({reason}); use 'llama3' for the built-in Llama 3.1 "
            "tokenizer, a local folder with tokenizer.json, or a Hugging Face Hub name"
        ) from exc
    if getattr(tokenizer, "backend_tokenizer", None) is None:
        raise DataError(
            f"tokenizer {name_or_path!r}: not a fast (Rust `tokenizers`) tokenizer; token counting needs one"
        )
    # A ChatML string that is only an ordinary vocabulary entry would be split by BPE: it must be an added token.
    missing = [token for token in (IM_START, IM_END) if token not in tokenizer.added_tokens_encoder]
    if missing and not add_chatml_tokens:
        raise DataError(
            f"tokenizer {name_or_path!r} lacks the ChatML tokens {', '.join(missing)}; pass add_chatml_tokens=True "
            "(recipe `add_chatml_tokens: true`, `hermes-train check-tokenizer --add-chatml-tokens`) to add them as "
            "special tokens, which grows the vocabulary so training resizes the embeddings"
        )
    if missing:
        tokenizer.add_tokens([AddedToken(t, special=True, normalized=False) for t in missing], special_tokens=True)
    if reasoning_tags:
        tags = [t for t in llama3.reasoning_tag_tokens() if t not in tokenizer.added_tokens_encoder]
        tokenizer.add_tokens([AddedToken(t, special=False, normalized=False) for t in tags])
    tokenizer.eos_token = IM_END  # generation stops at the end of the assistant turn, as in Hermes 3's config
    if tokenizer.pad_token is None:
        tokenizer.pad_token = IM_END  # padding is masked out; any existing token serves
    return tokenizer
