"""The `filters.refusals` setting as an object: which detector decides, and the model it uses.

`refusals: true` (the default) is `{method: rules}`; `false` turns the stage off. The object form picks a method:
`rules`, `classifier`, or `rules+classifier` (the rules drop what they flag, the classifier judges the rest). The
model's name, revision, threshold and label are part of the recipe, so they are part of the build's cache key;
`detector_fingerprint` adds the bytes of a local model folder, which a name alone does not pin.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hermes_data.filters.refusal_classifier import ClassifierSpec


class ClassifierSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str
    revision: str | None = None
    threshold: float = Field(default=0.5, gt=0, lt=1)
    label: str = "1"
    batch_size: int = Field(default=32, ge=1)
    with_prompt: bool = False

    def spec(self) -> ClassifierSpec:
        return ClassifierSpec(**self.model_dump())


class RefusalsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["rules", "classifier", "rules+classifier"] = "rules"
    classifier: ClassifierSettings | None = None

    def model_post_init(self, context: object) -> None:
        if "classifier" in self.method and self.classifier is None:
            raise ValueError(f"method {self.method!r} needs a classifier: {{model: NAME_OR_PATH}}")


def detector_fingerprint(settings: RefusalsSettings) -> str | None:
    """Hash of a local classifier folder's files (names, sizes, and config bytes), or None for rules / Hub models."""
    if settings.classifier is None:
        return None
    folder = Path(settings.classifier.model)
    if not folder.is_dir():
        return None  # a Hub name: the recipe's `revision` pins it
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(folder)}\0{path.stat().st_size}\0".encode())
        if path.suffix == ".json":
            digest.update(path.read_bytes())
    return digest.hexdigest()
