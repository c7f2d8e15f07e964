"""The built-in Llama 3.1 tokenizer: converted offline from `llama-models`' tiktoken file and cached as tokenizer.json.

The BPE ranks ship with the `llama-models` package (`llama_models/llama3/tokenizer.model`), so no download or Hub
login is needed. `transformers`' `TikTokenConverter` turns them into a `tokenizers` BPE with the Llama 3 pre-tokenizer
regex; the 256 special tokens follow at ids 128000-128255 in the order of Meta's Llama 3.1 `tokenizer.json`.
`llama-models` itself lists the Llama 3.2 names (`<|step_id|>` at 128005, `<|image|>` at 128011, reserved names
shifted), which is why tokens are placed by id here and never looked up by reserved name.

Conversion takes a few seconds, so the result is cached under `$HERMES_CACHE/tokenizers/` (default
`~/.cache/hermes-toolkit/tokenizers/`) in a folder named after a hash of the `.model` bytes, `CODE_VERSION` and the
variant; it is written to a temporary folder and renamed, so a crash never leaves a half-written entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from hermes_data.cache import cache_folder, cache_root

# Bump when the conversion below changes: old cache entries are then ignored, never reused.
CODE_VERSION = "1"

# From llama_models.llama3.tokenizer.Tokenizer.pat_str (the Llama 3 pre-tokenizer split).
LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
    r"|\s+(?!\S)|\s+"
)
NUM_BASE_TOKENS = 128000
NUM_SPECIAL_TOKENS = 256

BOS = "<|begin_of_text|>"
END_OF_TEXT = "<|end_of_text|>"
PAD = "<|finetune_right_pad_id|>"
IM_START = "<|im_start|>"
IM_END = "<|im_end|>"

# Hermes 3 keeps the vocabulary at 128,256 and puts ChatML on reserved slots (one public llama.cpp load log of a
# Hermes 3 GGUF shows <|im_start|> at 128040). The exact ids of the released checkpoint are not confirmed offline;
# a Hub tokenizer (load_tokenizer("NousResearch/...")) always brings its own ids.
CHATML_IDS = {IM_START: 128040, IM_END: 128041}
# Opt-in (load_tokenizer(reasoning_tags=True)): the paper's ten reasoning tags (§2.1), opening then closing, on the
# twenty reserved slots right after ChatML. Our choice, not a confirmed Hermes 3 layout.
FIRST_REASONING_ID = 128042


def llama31_special_tokens() -> list[str]:
    """The 256 Llama 3.1 special token names, index i = id 128000 + i (Meta's Llama 3.1 tokenizer.json)."""
    named = [
        BOS,
        END_OF_TEXT,
        "<|reserved_special_token_0|>",
        "<|reserved_special_token_1|>",
        PAD,
        "<|reserved_special_token_2|>",
        "<|start_header_id|>",
        "<|end_header_id|>",
        "<|eom_id|>",
        "<|eot_id|>",
        "<|python_tag|>",
    ]
    reserved = [f"<|reserved_special_token_{i}|>" for i in range(3, 3 + NUM_SPECIAL_TOKENS - len(named))]
    return named + reserved


def reasoning_tag_tokens() -> list[str]:
    """`<SCRATCHPAD>`, `</SCRATCHPAD>`, `<REASONING>`, … : the tokens the opt-in variant places on reserved ids."""
    from hermes_data.markup.reasoning import RESERVED_TAG_TOKENS

    return list(RESERVED_TAG_TOKENS)


def hermes_special_tokens(reasoning_tags: bool = False) -> list[tuple[str, bool]]:
    """(token, special) for ids 128000…128255: Llama 3.1 names with ChatML (and optionally the tags) on reserved ids.

    Reasoning tags are added tokens but not *special* ones, so `decode(skip_special_tokens=True)` keeps them: they are
    text the model writes, unlike the chat scaffolding.
    """
    tokens = [(name, True) for name in llama31_special_tokens()]
    for token, token_id in CHATML_IDS.items():
        tokens[token_id - NUM_BASE_TOKENS] = (token, True)
    if reasoning_tags:
        for offset, token in enumerate(reasoning_tag_tokens()):
            tokens[FIRST_REASONING_ID - NUM_BASE_TOKENS + offset] = (token, False)
    return tokens


def model_file() -> Path:
    """The tiktoken BPE file shipped by `llama-models`."""
    import llama_models

    return Path(llama_models.__file__).parent / "llama3" / "tokenizer.model"


def build_backend(model_path: Path, reasoning_tags: bool = False):
    """Convert the tiktoken file into a `tokenizers.Tokenizer` with the 256 special tokens at 128000-128255."""
    from tokenizers import AddedToken, processors
    from transformers.convert_slow_tokenizer import TikTokenConverter

    backend = TikTokenConverter(vocab_file=str(model_path), pattern=LLAMA3_PATTERN).converted()
    if backend.get_vocab_size(with_added_tokens=False) != NUM_BASE_TOKENS:
        raise ValueError(f"{model_path}: expected {NUM_BASE_TOKENS} BPE ranks, got {backend.get_vocab_size()}")
    # Added tokens take the next free id, so adding them one by one in order places each on its id.
    for token, special in hermes_special_tokens(reasoning_tags):
        added = AddedToken(token, special=special, normalized=False)
        num_added = backend.add_special_tokens([added]) if special else backend.add_tokens([added])
        assert num_added == 1, token
    # As Meta's tokenizer.json: plain `tokenizer(text)` prepends BOS; chat rendering carries its own BOS instead.
    backend.post_processor = processors.Sequence(
        [
            processors.ByteLevel(trim_offsets=False),
            processors.TemplateProcessing(
                single=f"{BOS} $A", pair=f"{BOS} $A {BOS}:1 $B:1", special_tokens=[(BOS, NUM_BASE_TOKENS)]
            ),
        ]
    )
    return backend


def cache_key(model_path: Path, reasoning_tags: bool) -> str:
    digest = hashlib.sha256(model_path.read_bytes())
    digest.update(f"\0code={CODE_VERSION}\0reasoning={reasoning_tags}".encode())
    return digest.hexdigest()[:16]


def cache_dir(reasoning_tags: bool = False) -> Path:
    """The cache entry of this variant: `tokenizers/llama3[-reasoning]-<hash>/` under the project cache."""
    variant = "llama3-reasoning" if reasoning_tags else "llama3"
    return cache_root() / "tokenizers" / f"{variant}-{cache_key(model_file(), reasoning_tags)}"


def cached_tokenizer_file(reasoning_tags: bool = False) -> Path:
    """Path of the cached tokenizer.json for this variant, converting and writing it first when absent."""
    model_path = model_file()
    folder = cache_dir(reasoning_tags)
    target = folder / "tokenizer.json"
    if target.is_file():
        return target
    cache_folder("tokenizers")
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        build_backend(model_path, reasoning_tags).save(str(tmp / "tokenizer.json"), pretty=False)
        info = {"source": str(model_path), "code_version": CODE_VERSION, "reasoning_tags": reasoning_tags}
        (tmp / "info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a shared $HERMES_CACHE should stay readable
        os.rename(tmp, folder)
    except OSError:
        # Another process finished the same entry first: theirs is complete, ours is dropped.
        if not target.is_file():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
