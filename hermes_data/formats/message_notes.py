"""What a message carries besides its text: content parts that are not text, reasoning, and per-message extras.

The record's messages are `{role, content}` only (DESIGN §2), and widening that struct would change the Parquet schema
and with it every content hash. So these live in `meta`, keyed by the record's turn index (a string, as JSON keys are):

- `reasoning_content`: `{turn: text}` of assistant messages' `reasoning_content` / `reasoning` / `thinking` (what
  DeepSeek-style and several OpenAI-compatible servers return); `reasoning_field`: `{turn: key}` only where the
  input used another key than `reasoning_content`, so a writer gives it back under its own name. The answer text is
  left as it was: rendering the reasoning into a Hermes tag is a recipe's choice (`hermes_data.build.reasoning`).
- `message_extras`: `{turn: {key: value}}` for `loss_weight`, `weight` and `name` (a speaker's name; a tool
  result's `name` is the tool's and goes into the `<tool_response>` instead).
- `non_text_parts`: a list of `{"turn", "type", "part"}` for content parts that are not text (images, audio, files;
  `part` is the part as given) and
  `{"column", "count"}` for media columns (LLaMA-Factory's `images`/`videos`/`audios`, whose `<image>`
  placeholders sit in the text). Such text is not what the row means, so the validator reports `non_text_content`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REASONING_KEYS = ("reasoning_content", "reasoning", "thinking")
EXTRA_KEYS = ("loss_weight", "weight", "name")
MEDIA_COLUMNS = ("images", "videos", "audios", "image", "audio", "video")

REASONING = "reasoning_content"
REASONING_FIELD = "reasoning_field"
MESSAGE_EXTRAS = "message_extras"
NON_TEXT_PARTS = "non_text_parts"
NON_TEXT_KEPT = "non_text_kept"
# Meta entries a writer puts back on the messages (and so leaves out of the row's `meta`).
PUT_ON_MESSAGES = (REASONING, REASONING_FIELD, MESSAGE_EXTRAS)

# Part types that carry text, and the key holding it: chat completions use "text" (LLaMA-Factory's newer layout
# "value"), the Responses API "input_text"/"output_text", and an assistant's refusal part its "refusal".
TEXT_PARTS = ("text", "input_text", "output_text", "refusal")


def parts_text(parts: list[Any]) -> tuple[str, list[Any]]:
    """The text parts joined, and the parts that are not text, as given (never turned into text)."""
    texts: list[str] = []
    other: list[Any] = []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
            continue
        kind = part.get("type", "text") if isinstance(part, dict) else type(part).__name__
        if kind not in TEXT_PARTS:
            other.append(part)
            continue
        value = next((part[k] for k in ("text", "value", "refusal") if isinstance(part.get(k), str)), "")
        texts.append(value)
    return "".join(texts), other


@dataclass
class MessageNotes:
    """Notes gathered while a reader turns messages into turns; `as_meta` shifts them onto the final turn indices."""

    reasoning: dict[int, str] = field(default_factory=dict)
    reasoning_field: dict[int, str] = field(default_factory=dict)
    extras: dict[int, dict[str, Any]] = field(default_factory=dict)
    non_text: list[dict[str, Any]] = field(default_factory=list)

    def add_message(self, turn: int, role: str, msg: dict[str, Any]) -> None:
        """Keep the reasoning of an assistant message and the extras of any message that is not a tool result."""
        if role == "assistant":
            key = next((k for k in REASONING_KEYS if isinstance(msg.get(k), str) and msg[k]), None)
            if key is not None:
                self.reasoning[turn] = msg[key]
                if key != REASONING:
                    self.reasoning_field[turn] = key
        if role == "tool":
            return
        extras = {k: msg[k] for k in EXTRA_KEYS if msg.get(k) is not None}
        if extras:
            self.extras.setdefault(turn, {}).update(extras)

    def add_non_text(self, turn: int, parts: list[Any]) -> None:
        """Keep each part whole (an image URL, a file path, audio data) so that nothing of the row is lost."""
        for part in parts:
            kind = part.get("type", "text") if isinstance(part, dict) else type(part).__name__
            self.non_text.append({"turn": turn, "type": str(kind), "part": part})

    def add_media_columns(self, row: dict[str, Any]) -> None:
        for column in MEDIA_COLUMNS:
            value = row.get(column)
            if value not in (None, "", []):
                self.non_text.append({"column": column, "count": len(value) if isinstance(value, list) else 1})

    def as_meta(self, shift: int = 0) -> dict[str, Any]:
        """The notes as meta entries, turn indices moved by `shift` (a system prompt the reader put in front)."""
        meta: dict[str, Any] = {}
        if self.reasoning:
            meta[REASONING] = {str(t + shift): text for t, text in self.reasoning.items()}
        if self.reasoning_field:
            meta[REASONING_FIELD] = {str(t + shift): key for t, key in self.reasoning_field.items()}
        if self.extras:
            meta[MESSAGE_EXTRAS] = {str(t + shift): extras for t, extras in self.extras.items()}
        if self.non_text:
            meta[NON_TEXT_PARTS] = [{**p, "turn": p["turn"] + shift} if "turn" in p else p for p in self.non_text]
        return meta


def message_notes_out(meta: dict[str, Any], turn: int) -> dict[str, Any]:
    """What a writer puts back on the message of record turn `turn`: its reasoning (under its own key) and extras."""
    out: dict[str, Any] = {}
    text = (meta.get(REASONING) or {}).get(str(turn))
    if isinstance(text, str):
        out[(meta.get(REASONING_FIELD) or {}).get(str(turn), REASONING)] = text
    extras = (meta.get(MESSAGE_EXTRAS) or {}).get(str(turn))
    if isinstance(extras, dict):
        out.update(extras)
    return out
