"""Chat-template control tokens written as text in a message (`<|im_end|>`, `<|eot_id|>`, `<|endoftext|>`).

The trainer renders a conversation as ChatML text and tokenizes it whole, so a control token of the training
tokenizer that sits inside a message is read as the real token, not as text: an answer holding `<|im_end|>` teaches
the model to end its turn there, one holding `<|begin_of_text|>` restarts the document mid-answer. Real data carries
them where another model's template leaked into an export (`"Business<|endoftext|>"` ends every completion of some
prompt/completion sets) or where a scraped chat log kept its markup.

Two tiers:
- TEMPLATE tokens (ChatML's and Llama 3's, which the Llama 3.1 + ChatML tokenizer reads as control tokens) count
  anywhere, code included: the tokenizer does not know what a code block is;
- other models' markers (`<|endoftext|>`, GPT-2's and Qwen's end of text) count outside Markdown code only, where
  they are leaked template text; inside code they are a program's string literal, plain text to this tokenizer.

A marker that only ends a message (whitespace aside) is the common leak and is repairable: `strip_trailing` removes
it. One in the middle is not: what the text meant around it is unknown.
"""

from __future__ import annotations

import re

from hermes_data.markup.code_spans import mask_code

TEMPLATE = re.compile(
    r"<\|(?:im_start|im_end|begin_of_text|end_of_text|eot_id|eom_id|start_header_id|end_header_id|python_tag"
    r"|finetune_right_pad_id|reserved_special_token_\d+)\|>"
)
OTHER = re.compile(r"<\|endoftext\|>")
_TRAILING = re.compile(rf"(?:\s*(?:{TEMPLATE.pattern}|{OTHER.pattern}))+\s*\Z")


def find_control_tokens(text: str) -> list[tuple[int, str]]:
    """(character offset, token) of every control token written as text in `text`, in order."""
    if "<|" not in text:
        return []
    found = [(m.start(), m.group()) for m in TEMPLATE.finditer(text)]
    if "<|endoftext|>" in text:
        found += [(m.start(), m.group()) for m in OTHER.finditer(mask_code(text))]
    return sorted(found)


def strip_trailing(text: str) -> str:
    """`text` without the control tokens (and the whitespace among them) that end it; unchanged if none does."""
    if "<|" not in text:
        return text
    match = _TRAILING.search(text)
    return text[: match.start()] if match else text
