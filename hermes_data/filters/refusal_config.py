"""The `filters.refusals` setting as an object: which detector decides, and the model it uses.

`refusals: true` (the default) is `{method: rules}`; `false` turns the stage off. The object form picks a method:
`rules`, `classifier`, `judge` (an LLM through the generate client and its journal), or `rules+classifier` /
`rules+judge` (the rules drop what they flag, the model judges the rest). The
model's name, revision, threshold and label are part of the recipe, so they are part of the build's cache key;
`detector_fingerprint` adds the bytes of a local model folder, which a name alone does not pin.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hermes_data.cache import cache_root
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


class JudgeSettings(BaseModel):
    """An OpenAI-compatible endpoint and where its verdicts are journaled. Every other field of a generate
    endpoint (max_concurrency, timeout_s, requests_per_minute, …) is accepted and checked by `endpoint()` (the generate
    recipe imports the build recipe, so its EndpointSpec cannot be a field type here)."""

    model_config = ConfigDict(extra="allow")

    base_url: str
    model: str
    api_key_env: str | None = "OPENAI_API_KEY"
    journal: str | None = None  # default: the user cache, one file per endpoint and model

    def endpoint(self):  # -> hermes_data.generate.recipe.EndpointSpec
        from hermes_data.generate.recipe import EndpointSpec

        return EndpointSpec(**self.model_dump(exclude={"journal"}))

    def journal_path(self) -> Path:
        if self.journal:
            return Path(self.journal)
        name = hashlib.sha256(f"{self.base_url}|{self.model}".encode()).hexdigest()[:16]
        return cache_root() / "refusal-judge" / f"{name}.sqlite"


class RefusalsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["rules", "classifier", "rules+classifier", "judge", "rules+judge"] = "rules"
    classifier: ClassifierSettings | None = None
    judge: JudgeSettings | None = None

    def model_post_init(self, context: object) -> None:
        if "classifier" in self.method and self.classifier is None:
            raise ValueError(f"method {self.method!r} needs a classifier: {{model: NAME_OR_PATH}}")
        if "judge" in self.method and self.judge is None:
            raise ValueError(f"method {self.method!r} needs a judge: {{base_url: URL, model: NAME}}")


def detector_fingerprint(settings: bool | RefusalsSettings) -> str | None:
    """Hash of a local classifier folder's files (names, sizes, and config bytes), or None for rules / Hub models."""
    if not isinstance(settings, RefusalsSettings) or settings.classifier is None:
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
