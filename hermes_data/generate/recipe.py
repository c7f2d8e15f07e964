"""The generate recipe (issue 4): endpoints, defaults and tasks, validated strictly like the build recipe.

Unknown keys are errors that list the allowed ones; every error names the field. The API key itself never appears
in a recipe: an endpoint names the environment variable that holds it (`api_key_env`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from hermes_data.errors import RecipeError
from hermes_data.generate.structure_files import load_json_schema, load_tool_files
from hermes_data.recipe import Strict, apply_overrides, load_yaml, parse_model
from hermes_data.recipe.fields import CategorySlug

GENERATORS = (
    "evol",
    "domain_expert",
    "math",
    "roleplay",
    "coding",
    "tool_use",
    "rag",
    "content_generation",
    "steering",
    "judge",
    "json_mode",
    "tool_episode",
)
EVOL_METHODS = ("constraints", "deepen", "concretize", "reasoning", "complicate", "breadth")
# The generator a task gets when it names a category but no generator: each category's own scheme.
DEFAULT_GENERATOR = {
    "general": "evol",
    "domain_expert": "domain_expert",
    "math": "math",
    "roleplay": "roleplay",
    "coding": "coding",
    "tool_use": "tool_use",
    "content_generation": "content_generation",
    "steering": "steering",
}
REASONING_TAGS = ("SCRATCHPAD", "REASONING", "INNER_MONOLOGUE", "THINKING", "PLAN")
_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class EndpointSpec(Strict):
    base_url: str
    model: str
    api_key_env: str | None = "OPENAI_API_KEY"  # None: a local server that needs no key
    max_concurrency: int = Field(default=64, gt=0)
    requests_per_minute: float | None = Field(default=None, gt=0)
    tokens_per_minute: float | None = Field(default=None, gt=0)
    timeout_s: float = Field(default=120, gt=0)
    max_attempts: int = Field(default=6, ge=1)  # HTTP attempts per request (429, 5xx, timeouts, bad bodies)
    backoff_base_s: float = Field(default=1.0, ge=0)
    backoff_max_s: float = Field(default=60.0, ge=0)
    # USD per million tokens; with both set the manifest estimates the cost and --max-cost can stop the run.
    input_price_per_mtok: float | None = Field(default=None, ge=0)
    output_price_per_mtok: float | None = Field(default=None, ge=0)


class DefaultsSpec(Strict):
    endpoint: str | None = None
    temperature: float = Field(default=0.7, ge=0, le=2)
    max_tokens: int = Field(default=2048, gt=0)
    # Completions that come back empty, truncated or with invalid markup are asked again with another seed.
    max_retries: int = Field(default=2, ge=0)


class EvolSpec(Strict):
    rounds: int = Field(default=3, ge=1, le=10)
    methods: list[Literal[EVOL_METHODS]] = list(EVOL_METHODS)  # type: ignore[valid-type]
    # WizardLM's elimination rules, by similarity (rapidfuzz ratio, 0-100) rather than string equality.
    max_similarity: float = Field(default=92, gt=0, le=100)  # evolved vs previous instruction: "adds no information"
    # evolved sentences vs the evolving prompt's own wording: paraphrased copies score 68-81, real evolutions <= 60
    copy_similarity: float = Field(default=70, gt=0, le=100)
    min_response_chars: int = Field(default=40, ge=0)  # "too short" answers eliminate the evolution

    @field_validator("methods")
    @classmethod
    def _some(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError(f"give at least one evolution method of {', '.join(EVOL_METHODS)}")
        return v


class HubSeeds(Strict):
    hub: str
    column: str = "prompt"
    split: str = "train"
    config: str | None = None
    revision: str | None = None


class FileSeeds(Strict):
    path: str  # a JSONL file (plain, .gz, .bz2, .xz), a Parquet file, or a folder of them
    column: str | None = None  # the prompt field; default: the first of prompt, instruction, question, text


class TaskSpec(Strict):
    name: str = Field(pattern=_NAME)
    category: CategorySlug = None
    generator: Literal[GENERATORS] | None = None  # type: ignore[valid-type]
    # Seed prompts, streamed: a JSONL/Parquet file or folder (a path, or {path, column}), inline strings, or a Hub
    # dataset column.
    seeds: str | list[str] | HubSeeds | FileSeeds | None = None
    topics: list[str] | None = None  # subjects cycled through by generators that start from nothing
    count: int | None = Field(default=None, gt=0)  # items when there are no seeds
    evolve: EvolSpec | None = None
    respond: bool = True
    turns: int = Field(default=3, ge=1, le=20)  # roleplay: user turns
    num_documents: int = Field(default=3, ge=1, le=20)  # rag
    endpoint: str | None = None
    endpoints: list[str] | None = None  # several models answer the same prompts
    samples: int = Field(default=1, ge=1, le=16)  # answers per prompt and endpoint
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, gt=0)
    input: str | None = None  # judge: the task whose responses it rates
    templates: dict[str, str] = {}  # template name (e.g. "evol/deepen") -> file, overriding the packaged one
    system_prompt: str | None = None  # steering/others: a fixed system prompt instead of a generated one
    # json_mode: the JSON Schema the answers must be valid against (inline, or a .json file), or each seed row's own
    # (schema_column); with neither, the teacher writes one for each item's topic or request.
    json_schema: dict | str | None = None
    schema_column: str | None = None
    # tool_episode: the tool pool (JSON function definitions; else the teacher makes one from the topic), the rounds
    # of calls before the episode must have answered, the share of requests no tool fits, an optional reasoning tag.
    tool_files: list[str] | None = None
    tools_column: str | None = None  # ... or each seed row's own tool list, in this column (JSON)
    max_rounds: int = Field(default=4, ge=1, le=20)
    no_tool_share: float = Field(default=0.0, ge=0, le=1)
    reasoning_tag: Literal[REASONING_TAGS] | None = None  # type: ignore[valid-type]
    scaffold: Literal["figure9"] | None = None  # coding: answers in the paper's Figure 9 structure, checked

    @model_validator(mode="after")
    def _resolve(self) -> TaskSpec:
        if self.generator is None:
            if self.category is None:
                raise ValueError("give a generator or a category (its default generator is used)")
            self.generator = DEFAULT_GENERATOR[self.category]
        if self.generator == "judge":
            if not self.input:
                raise ValueError("a judge task needs `input`: the name of the task whose responses it rates")
        elif self.seeds is None and self.count is None:
            raise ValueError("give seeds (prompts to start from) or count (items to generate)")
        if (self.json_schema or self.schema_column) and self.generator != "json_mode":
            raise ValueError(f"json_schema and schema_column apply to the json_mode generator, not {self.generator}")
        if self.schema_column and (self.json_schema or not self.seeds or isinstance(self.seeds, list)):
            raise ValueError("schema_column reads each seed row's schema: give file or Hub seeds and no json_schema")
        if (self.tool_files or self.tools_column) and self.generator != "tool_episode":
            raise ValueError(f"tool_files and tools_column apply to the tool_episode generator, not {self.generator}")
        if self.tools_column and (self.tool_files or not self.seeds or isinstance(self.seeds, list)):
            raise ValueError("tools_column reads each seed row's tool list: give file or Hub seeds and no tool_files")
        if self.scaffold and self.generator != "coding":
            raise ValueError(f"scaffold applies to the coding generator, not {self.generator}; remove it")
        if self.generator == "evol" and self.evolve is None:
            self.evolve = EvolSpec()
        if self.endpoint and self.endpoints:
            raise ValueError("give endpoint or endpoints, not both")
        return self


class GenerateRecipe(Strict):
    name: str = Field(pattern=_NAME)
    seed: int = 0
    endpoints: dict[str, EndpointSpec] = Field(min_length=1)
    defaults: DefaultsSpec = DefaultsSpec()
    tasks: list[TaskSpec] = Field(min_length=1)
    output: str
    journal: str | None = None  # default: `<output>.journal.sqlite` next to the output folder

    @model_validator(mode="after")
    def _references(self) -> GenerateRecipe:
        names = [t.name for t in self.tasks]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"task names must be unique; repeated: {', '.join(dupes)}")
        if self.defaults.endpoint is None:
            if len(self.endpoints) > 1:
                raise ValueError("several endpoints: set defaults.endpoint to the one tasks use by default")
            self.defaults.endpoint = next(iter(self.endpoints))
        known = set(self.endpoints)
        for i, task in enumerate(self.tasks):
            for ref in [self.defaults.endpoint, task.endpoint, *(task.endpoints or [])]:
                if ref is not None and ref not in known:
                    raise ValueError(f"tasks.{i} ({task.name}): unknown endpoint {ref!r}; defined: {sorted(known)}")
            if task.input is not None and task.input not in names[:i]:
                raise ValueError(f"tasks.{i} ({task.name}): input {task.input!r} must name an earlier task")
        return self

    def task_endpoints(self, task: TaskSpec) -> list[str]:
        return task.endpoints or [task.endpoint or self.defaults.endpoint]

    def resolved(self) -> dict:
        """The recipe as saved beside the output (it holds env-variable names, never keys)."""
        return self.model_dump(mode="json")

    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.resolved(), sort_keys=True).encode()).hexdigest()


def load_generate_recipe(path: str | Path, overrides: dict | None = None) -> GenerateRecipe:
    """Read and validate a generate recipe (with `--set` overrides applied). Seed files and template overrides
    resolve against the recipe's folder; `output` and `journal` against the working directory."""
    path = Path(path)
    data = load_yaml(path)
    apply_overrides(data, overrides)
    # Endpoints sit under user-chosen names; validated one by one, an unknown key's error lists the allowed ones.
    if isinstance(data.get("endpoints"), dict):
        for name, spec in data["endpoints"].items():
            if isinstance(spec, dict):
                parse_model(EndpointSpec, spec, f"{path}: endpoints.{name}")
    recipe = parse_model(GenerateRecipe, data, str(path))
    base = path.resolve().parent
    for i, task in enumerate(recipe.tasks):
        if isinstance(task.seeds, str) and not Path(task.seeds).is_absolute():
            task.seeds = str(base / task.seeds)
        if isinstance(task.seeds, FileSeeds) and not Path(task.seeds.path).is_absolute():
            task.seeds.path = str(base / task.seeds.path)
        if task.tool_files:
            task.tool_files = [str(base / f) if not Path(f).is_absolute() else f for f in task.tool_files]
            _checked(load_tool_files, tuple(task.tool_files), where=f"{path}: tasks.{i}")
        if task.json_schema is not None:
            schema = str(base / task.json_schema) if isinstance(task.json_schema, str) else task.json_schema
            task.json_schema = _checked(load_json_schema, schema, "json_schema", where=f"{path}: tasks.{i}")
        task.templates = {k: str(base / v) if not Path(v).is_absolute() else v for k, v in task.templates.items()}
    recipe.output = str(Path(recipe.output).resolve())
    journal = recipe.journal or recipe.output.rstrip("/") + ".journal.sqlite"
    recipe.journal = str(Path(journal).resolve())
    return recipe


def _checked(load, *args: object, where: str):
    """`load(*args)`, its RecipeError prefixed with the recipe and the task."""
    try:
        return load(*args)
    except RecipeError as exc:
        raise RecipeError(f"{where}: {exc}") from None
