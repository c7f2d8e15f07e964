"""Refusal detection with a Hugging Face sequence-classification model (issue 13 §2, `method: classifier`).

Any model loadable with `AutoModelForSequenceClassification` works, e.g. NousResearch/Minos-v1 (what Nous uses to
filter refusals) or ProtectAI/distilroberta-base-rejection-v1. Replies go through in batches, on the GPU when torch
sees one; a reply is a refusal when the softmax probability of the refusal label reaches the threshold. torch and
transformers are imported when a classifier is built, so `hermes_data` itself imports without them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hermes_data.errors import HermesError

MAX_TOKENS = 512  # replies are truncated to this many tokens: refusals announce themselves early


@dataclass(frozen=True)
class ClassifierSpec:
    model: str  # Hub name or local folder
    revision: str | None = None  # Hub commit, tag or branch; part of the build's cache key
    threshold: float = 0.5
    label: str = "1"  # the label meaning refusal: a name from the model's id2label, or an index
    batch_size: int = 32
    with_prompt: bool = False  # feed (request, reply) as a text pair, for models trained on both


class RefusalClassifier:
    """A loaded classifier; `predict` gives one bool per reply, `probabilities` the refusal probability."""

    def __init__(self, spec: ClassifierSpec) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.spec = spec
        self._torch = torch
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.tokenizer = AutoTokenizer.from_pretrained(spec.model, revision=spec.revision)
        if self.tokenizer.pad_token is None:  # decoder tokenizers (Llama) ship without one
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = AutoModelForSequenceClassification.from_pretrained(spec.model, revision=spec.revision)
        if self.model.config.pad_token_id is None:
            self.model.config.pad_token_id = self.tokenizer.pad_token_id
        self.model.to(self.device).eval()
        self.label_index = label_index(self.model.config.id2label, spec.label, spec.model)

    def probabilities(self, texts: Sequence[str], prompts: Sequence[str | None] | None = None) -> list[float]:
        torch = self._torch
        out: list[float] = []
        size = max(1, self.spec.batch_size)
        for start in range(0, len(texts), size):
            batch = [t or "" for t in texts[start : start + size]]
            pair = None
            if self.spec.with_prompt and prompts is not None:
                pair = [p or "" for p in prompts[start : start + size]]
            args = (pair, batch) if pair is not None else (batch,)
            encoded = self.tokenizer(*args, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
            with torch.inference_mode():
                logits = self.model(**encoded.to(self.device)).logits
            out += torch.softmax(logits.float(), dim=-1)[:, self.label_index].tolist()
        return out

    def predict(self, texts: Sequence[str], prompts: Sequence[str | None] | None = None) -> list[bool]:
        return [p >= self.spec.threshold for p in self.probabilities(texts, prompts)]


def label_index(id2label: dict, label: str, model: str) -> int:
    """The output index of `label` (a label name, case-insensitive, or an index), or a user error naming both."""
    names = {str(name).lower(): int(i) for i, name in id2label.items()}
    if str(label).lower() in names:
        return names[str(label).lower()]
    if str(label).isdigit() and int(label) < len(id2label):
        return int(label)
    known = ", ".join(f"{i}={n}" for i, n in sorted(id2label.items()))
    raise HermesError(
        f"filters.refusals.classifier.label: {label!r} is not a label of {model} ({known}); "
        "set it to the label that means refusal"
    )
