r"""Hermes 3 ChatML rendering and the one token-accounting function (DESIGN §6).

A conversation's tokens are those of `render_chatml(messages)` encoded without added BOS/EOS, which is exactly what
`tokenizer.apply_chat_template(messages)` yields with the Hermes 3 template:

    <|begin_of_text|><|im_start|>{role}\n{content}<|im_end|>\n<|im_start|>…

Output tokens are the ones the loss sees: every token that overlaps an assistant message's content, plus that
message's `<|im_end|>`. Input tokens are the rest (BOS, `<|im_start|>role\n`, the `\n` after each `<|im_end|>`, and
all system, user and tool turns).

Two consequences of encoding the rendered text as a whole, which the tests pin:
- The BPE pre-tokenizer can merge the `\n` after `assistant` with leading whitespace of the content (content
  "\nHi" gives the token "\n\n"). Such a token overlaps the content, so it counts (and is learned) as output.
- Added-token strings inside content (`<|im_end|>`, `<|eot_id|>`, any reserved name, and the reasoning tags of the
  opt-in variant) are encoded as those single tokens, as Hugging Face tokenizers always do. The rendered text is
  the truth, so the counts follow it; the validator, not the counter, is the place to reject such content.

Speed: the built-in `llama3` tokenizer counts through tiktoken (tiktoken_counts.py), with the same ids. Other
tokenizers: one `encode_batch` call in the Rust backend per `batch_size` conversations, on all cores (set
`RAYON_NUM_THREADS` before the first call to limit them; a worker forked after its parent used `tokenizers` runs
single-threaded). Per conversation, Python only joins strings and asks the encoding which token holds two character
offsets per assistant turn, so counting runs at the speed of raw `encode_batch` on the same texts
(benchmarks/tokenize_throughput.py). Encoding whole renderings, rather than the segments between special tokens,
costs the same in Rust and stays exact for any tokenizer (normalizers, Metaspace prefixes, truncation settings).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from hermes_data.errors import DataError
from hermes_data.tokenizer import tiktoken_counts

BOS = "<|begin_of_text|>"
IM_START = "<|im_start|>"
IM_END = "<|im_end|>"
ASSISTANT = "assistant"

# The Hermes 3 chat template (tokenizer_config.json of the NousResearch Hermes 3 checkpoints), with
# `{% generation %}` markers around exactly what the loss learns (assistant content and its `<|im_end|>`), so that
# `apply_chat_template(..., return_assistant_tokens_mask=True)` and TRL's `assistant_only_loss` mask what
# `hermes-train` masks. The markers render nothing: the text is the Hermes 3 template's, character for character.
CHAT_TEMPLATE = (
    "{{bos_token}}{% for message in messages %}"
    "{% if message['role'] == 'assistant' %}"
    "{{'<|im_start|>assistant\\n'}}{% generation %}{{message['content'] + '<|im_end|>'}}{% endgeneration %}{{'\\n'}}"
    "{% else %}"
    "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

Messages = Sequence[dict]


def render_chatml(messages: Messages, *, bos_token: str | None = BOS) -> str:
    """The Hermes 3 ChatML text of a conversation, BOS first, as the trainer feeds it."""
    return _render(messages, bos_token or "")[0]


def _render(messages: Messages, bos: str) -> tuple[str, list[tuple[int, int]]]:
    """Rendered text and the (start, end) character span of every assistant content (end = its `<|im_end|>`)."""
    parts = [bos]
    pos = len(bos)
    spans = []
    for message in messages:
        role, content = message["role"], message["content"]
        if not isinstance(content, str) or not isinstance(role, str):
            raise TypeError(f"role and content must be strings, got {type(role).__name__}/{type(content).__name__}")
        head = IM_START + role + "\n"
        pos += len(head)
        if role == ASSISTANT:
            spans.append((pos, pos + len(content)))
        pos += len(content) + len(IM_END) + 1
        parts += (head, content, IM_END + "\n")
    return "".join(parts), spans


def _render_all(conversations: Sequence[Messages], bos: str, offset: int) -> tuple[list[str], list[list]]:
    texts, spans = [], []
    for index, messages in enumerate(conversations):
        try:
            text, conv_spans = _render(messages, bos)
        except (TypeError, KeyError) as exc:
            raise DataError(
                f"conversation {offset + index}: cannot render ChatML ({exc!r}); every message needs string "
                "'role' and 'content'"
            ) from exc
        texts.append(text)
        spans.append(conv_spans)
    return texts, spans


def _token_at(encoding, start: int, end: int) -> int:
    """Index of the first token overlapping characters [start, end); `end` is always a token (`<|im_end|>`)."""
    for char in range(start, end):
        token = encoding.char_to_token(char)
        if token is not None:  # a normalizer may drop characters (not Llama 3's, but any Hub tokenizer's)
            return token
    return encoding.char_to_token(end)


def _output_ranges(encoding, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Token index ranges [first, last] learned by the loss: each assistant content and its `<|im_end|>`."""
    ranges = []
    for start, end in spans:
        im_end = encoding.char_to_token(end)
        ranges.append((_token_at(encoding, start, end) if end > start else im_end, im_end))
    return ranges


def _bos_of(tokenizer) -> str:
    return tokenizer.bos_token or ""


def _plain_backend(tokenizer):
    """The Rust tokenizer with no truncation or padding: some tokenizer.json files ship with them enabled, which would
    silently cut long conversations. `transformers` itself resets both on the backend before every call."""
    backend = tokenizer.backend_tokenizer
    if backend.truncation is not None:
        backend.no_truncation()
    if backend.padding is not None:
        backend.no_padding()
    return backend


def encode_chatml(messages: Messages, tokenizer) -> tuple[list[int], list[bool]]:
    """Token ids of the ChatML rendering and the loss mask (True = output token the trainer learns)."""
    (text,), (spans,) = _render_all([messages], _bos_of(tokenizer), 0)
    encoding = _plain_backend(tokenizer).encode(text, add_special_tokens=False)
    mask = [False] * len(encoding)
    for first, last in _output_ranges(encoding, spans):
        mask[first : last + 1] = [True] * (last + 1 - first)
    return encoding.ids, mask


def count_tokens(conversations: Sequence[Messages], tokenizer, *, batch_size: int = 2048) -> list[tuple[int, int]]:
    """(input, output) token counts per conversation, equal to `encode_chatml`'s ids and mask.

    The built-in `llama3` tokenizer counts through tiktoken on all cores (tiktoken_counts.py: same ids, no
    offsets needed); any other tokenizer through its Rust backend (`count_tokens_hf`). `batch_size` bounds memory
    (one batch's texts and ids are alive at a time), not speed.
    """
    enc = tiktoken_counts.encoding_for(tokenizer)
    if enc is None:
        return count_tokens_hf(conversations, tokenizer, batch_size=batch_size)
    bos = _bos_of(tokenizer)
    threads = tiktoken_counts.num_threads()
    counts: list[tuple[int, int]] = []
    with ThreadPoolExecutor(threads) as pool:
        for offset in range(0, len(conversations), batch_size):
            batch = conversations[offset : offset + batch_size]
            texts, _ = _render_all(batch, bos, offset)
            counts += tiktoken_counts.count_rendered(texts, batch, enc, pool=pool, threads=threads)
    return counts


def count_tokens_hf(conversations: Sequence[Messages], tokenizer, *, batch_size: int = 2048) -> list[tuple[int, int]]:
    """`count_tokens` through the tokenizer's Rust backend and its character offsets: exact for any tokenizer.

    The Rust backend parallelises within each batch.
    """
    backend = _plain_backend(tokenizer)
    bos = _bos_of(tokenizer)
    counts = []
    for offset in range(0, len(conversations), batch_size):
        texts, spans = _render_all(conversations[offset : offset + batch_size], bos, offset)
        for encoding, conv_spans in zip(backend.encode_batch(texts, add_special_tokens=False), spans, strict=True):
            num_output = sum(last + 1 - first for first, last in _output_ranges(encoding, conv_spans))
            counts.append((len(encoding) - num_output, num_output))
    return counts
