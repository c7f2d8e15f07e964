"""The evaluation suite (issue 8): which benchmarks, with which shots, scored by which metric, grouped for `select`.

A suite is a strict YAML file (`recipes/eval-hermes3.yaml` is the paper's; `--suite hermes3` finds it). Every
relative path in it (`include_path`, `data_files`, `mtbench.questions`) resolves against the suite file's folder, so
a suite and its local data travel together. Tasks are lm-evaluation-harness task names; `data_files` replaces a
task's Hub dataset with local JSON/JSONL files in the same schema (`dataset_path: json`), which is how the tests and
air-gapped machines run the real task configs offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hermes_data.errors import RecipeError
from hermes_data.recipe import apply_overrides, load_yaml, parse_model


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TaskSpec(Strict):
    """One lm_eval task: `metric` is the value `select` and `compare` use (the paper's column of Table 5)."""

    task: str
    num_fewshot: int = Field(default=0, ge=0)
    metric: str = "acc"
    group: str  # the select group this metric averages into (gpt4all, agieval, ifeval, …)
    data_files: dict[str, str] | None = None  # {split: local JSON/JSONL}: replaces the task's Hub dataset
    chat_template: bool = False  # render prompts with the checkpoint's chat template (instruction benchmarks)
    config: dict[str, Any] = {}  # further lm_eval task-config keys, e.g. generation_kwargs for a smoke run


class JudgeSpec(Strict):
    """The MT-Bench judge: any OpenAI-compatible endpoint; the key comes from the env var `api_key_env` only."""

    base_url: str = "https://api.openai.com/v1"
    model: str = "gpt-4-0613"  # MT-Bench's judge
    api_key_env: str | None = "OPENAI_API_KEY"  # None: a local server that needs no key
    max_concurrency: int = Field(default=8, gt=0)
    timeout_s: float = Field(default=120, gt=0)
    max_attempts: int = Field(default=4, ge=1)  # HTTP attempts per request (429, 5xx, timeouts)
    backoff_base_s: float = Field(default=1.0, ge=0)
    max_retries: int = Field(default=2, ge=0)  # judgments without a parseable [[rating]] asked again (new seed)
    temperature: float = Field(default=0.0, ge=0, le=2)
    max_tokens: int = Field(default=1024, gt=0)


class MTBenchSpec(Strict):
    """Multi-turn questions answered by the checkpoint (ChatML) and rated 1-10 by the judge."""

    # FastChat's question.jsonl ({"question_id", "category", "turns": [...]}), relative to the suite; or a Hub
    # dataset `hub:ORG/NAME` with a `prompt` list per row (HuggingFaceH4/mt_bench_prompts), read with `datasets`.
    questions: str
    max_new_tokens: int = Field(default=1024, gt=0)
    temperature: float = Field(default=0.0, ge=0)  # 0: greedy (the default); > 0 samples with `seed`
    top_p: float = Field(default=1.0, gt=0, le=1)
    limit: int | None = Field(default=None, ge=1)  # first N questions (smoke runs)
    group: str = "mtbench"
    judge: JudgeSpec = JudgeSpec()


class EvalSuite(Strict):
    name: str
    seed: int = 1234  # lm_eval's python/numpy/torch/few-shot seeds and the MT-Bench sampling seed
    backend: Literal["hf", "vllm"] = "hf"
    device: str = "auto"  # auto: cuda when available, else cpu
    dtype: str = "auto"  # torch dtype to load the checkpoint in; auto keeps the export's
    batch_size: int | str = 8  # lm_eval's; "auto" lets it search
    limit: int | None = Field(default=None, ge=1)  # documents per task (smoke runs); None: all
    include_path: str | None = None  # a folder of custom lm_eval task YAMLs
    tasks: list[TaskSpec] = []
    mtbench: MTBenchSpec | None = None
    path: str = ""  # the file it was read from (filled in by load_suite)

    def groups(self) -> dict[str, list[str]]:
        """`{group: [metric name, …]}` in suite order, the `groups` of the scores file."""
        out: dict[str, list[str]] = {}
        for spec in self.tasks:
            out.setdefault(spec.group, []).append(metric_name(spec))
        if self.mtbench is not None:
            out.setdefault(self.mtbench.group, []).append(MTBENCH_METRIC)
        return out


MTBENCH_METRIC = "mtbench/score"


def metric_name(spec: TaskSpec) -> str:
    return f"{spec.task}/{spec.metric}"


def load_suite(name_or_path: str | Path, overrides: dict[str, Any] | None = None) -> EvalSuite:
    """A suite by file path, or a shipped one by name (`hermes3` → recipes/eval-hermes3.yaml); `overrides` are
    dotted keys (`mtbench.judge.base_url`) applied before validation. Relative paths become absolute and must
    exist."""
    path = _find(str(name_or_path))
    data = load_yaml(path)
    # Judge settings for a suite without MT-Bench have nothing to configure.
    has_mtbench = isinstance(data.get("mtbench"), dict)
    apply_overrides(data, {k: v for k, v in (overrides or {}).items() if has_mtbench or not k.startswith("mtbench.")})
    suite = parse_model(EvalSuite, data, str(path))
    suite.path = str(path)
    base = path.resolve().parent
    if suite.include_path is not None:
        suite.include_path = str(_existing(base, suite.include_path, f"{path}: include_path"))
    names = [spec.task for spec in suite.tasks]
    for spec in suite.tasks:
        if names.count(spec.task) > 1:
            raise RecipeError(f"{path}: task {spec.task!r} is listed twice; keep one entry per task")
        if spec.data_files is not None:
            spec.data_files = {
                split: str(_existing(base, file, f"{path}: tasks[{spec.task}].data_files.{split}"))
                for split, file in spec.data_files.items()
            }
    if suite.mtbench is not None and not suite.mtbench.questions.startswith("hub:"):
        suite.mtbench.questions = str(_existing(base, suite.mtbench.questions, f"{path}: mtbench.questions"))
    if not suite.tasks and suite.mtbench is None:
        raise RecipeError(f"{path}: the suite has no tasks and no mtbench; add at least one")
    return suite


def _find(name_or_path: str) -> Path:
    path = Path(name_or_path)
    if path.is_file() or path.suffix in (".yaml", ".yml") or "/" in name_or_path:
        if not path.is_file():
            raise RecipeError(f"{path}: no such suite file")
        return path
    from hermes_data.resources import resource_dir

    shipped = resource_dir("recipes") / f"eval-{name_or_path}.yaml"
    if not shipped.is_file():
        known = ", ".join(sorted(p.stem.removeprefix("eval-") for p in resource_dir("recipes").glob("eval-*.yaml")))
        raise RecipeError(f"no suite {name_or_path!r}: give a suite YAML file or a shipped suite ({known})")
    return shipped


def _existing(base: Path, value: str, field: str) -> Path:
    path = Path(value).expanduser()
    path = path if path.is_absolute() else base / path
    if not path.exists():
        raise RecipeError(f"{field}: no such file or folder {path}")
    return path.resolve()


class EvalSpec(Strict):
    """The SFT recipe's `eval:` section: evaluate every epoch-K/ export after training and select one."""

    suite: str = "hermes3"  # a shipped suite name or a suite file (relative: to the working directory)
    judge: JudgeSpec | None = None  # only the keys given here override the suite's mtbench.judge
    mtbench: bool = True  # False: skip the judged benchmark (no endpoint at hand)
    limit: int | None = Field(default=None, ge=1)  # documents per task, overriding the suite's (smoke runs)
    scores: str = "scores.json"  # written in the run's output folder

    def suite_overrides(self) -> dict[str, Any]:
        overrides: dict[str, Any] = {}
        if self.judge is not None:
            overrides |= {f"mtbench.judge.{k}": v for k, v in self.judge.model_dump(exclude_unset=True).items()}
        if self.limit is not None:
            overrides["limit"] = self.limit
        return overrides
