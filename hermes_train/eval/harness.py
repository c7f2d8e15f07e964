"""Log-likelihood and generation benchmarks through lm-evaluation-harness's Python API (`lm_eval.simple_evaluate`).

Each suite task becomes an lm_eval task config: the registered YAML (includes and `!function`s resolved by lm_eval's
own loader), with the suite's shots and, when `data_files` is given, `dataset_path: json` over local files. Passing
full configs rather than names is what lets one call mix per-task shot counts (simple_evaluate's `num_fewshot` is
global) and local data. Tasks that render with the chat template run in a second call, since `apply_chat_template`
is also global.

IFEval offline: lm_eval's ifeval module tries `nltk.download("punkt_tab")` when imported and, offline, only prints
the failure. Only two instructions use that data (`length_constraints:number_sentences`,
`change_case:capital_word_frequency`), so data without them scores offline; with them and no punkt_tab installed we
stop before evaluating with the command that installs it, instead of failing mid-run.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

from hermes_data.errors import DataError, RecipeError
from hermes_train.eval.suite import EvalSuite, TaskSpec, metric_name

PUNKT_INSTRUCTIONS = ("length_constraints:number_sentences", "change_case:capital_word_frequency")


def task_manager(suite: EvalSuite):
    """An lm_eval TaskManager that indexes only the folders defining the suite's tasks.

    Indexing all of lm_eval's ~13,000 task YAMLs takes 30-60 s of CPU, more than a tiny evaluation; a text scan for
    the `task: NAME` line that every task YAML carries (names are unique, so an `include`d parent never supplies it)
    finds the defining files in ~3 s. A name found nowhere is unknown (build_task_configs says so)."""
    import lm_eval.tasks
    from lm_eval.tasks import TaskManager

    roots = [Path(lm_eval.tasks.__file__).parent] + ([Path(suite.include_path)] if suite.include_path else [])
    wanted = {spec.task for spec in suite.tasks}
    pattern = re.compile(r"^task:[ \t]*[\"']?([^\"'\s#]+)[\"']?[ \t]*(?:#.*)?$", re.M)
    folders: set[Path] = set()
    for root in roots:
        for path in root.rglob("*.yaml"):
            if any(hit in wanted for hit in pattern.findall(path.read_text(encoding="utf-8", errors="replace"))):
                folders.add(path.parent)
    return TaskManager(include_path=sorted(folders), include_defaults=False)


def build_task_configs(suite: EvalSuite, manager) -> list[tuple[TaskSpec, dict[str, Any]]]:
    """(spec, lm_eval task config) per suite task; an unknown name or a group name is a RecipeError."""
    from lm_eval.tasks._yaml_loader import load_yaml  # the loader lm_eval itself uses: includes, !function

    configs = []
    for spec in suite.tasks:
        entry = manager.task_index.get(spec.task)
        if entry is None or entry.yaml_path is None or entry.kind.name not in ("TASK", "PY_TASK"):
            what = "a group or tag; list its tasks one by one" if entry is not None else "not an lm_eval task"
            raise RecipeError(
                f"{suite.path}: task {spec.task!r} is {what} (names: `lm_eval ls tasks`, or a custom task YAML in "
                "include_path)"
            )
        config = load_yaml(entry.yaml_path, resolve_func=True)
        for key in ("tag", "group"):
            config.pop(key, None)
        config["num_fewshot"] = spec.num_fewshot
        if spec.data_files is not None:
            config |= {"dataset_path": "json", "dataset_name": None, "dataset_kwargs": {"data_files": spec.data_files}}
            for split in ("training_split", "validation_split", "test_split"):
                if config.get(split) and config[split] not in spec.data_files:
                    config[split] = None  # a split the local files do not provide
        config |= spec.config
        configs.append((spec, config))
    return configs


def check_ifeval_data(suite: EvalSuite, configs: list[tuple[TaskSpec, dict[str, Any]]]) -> None:
    """Stop early when an IFEval-style task needs nltk's punkt_tab and it is not installed (see module docstring)."""
    ifeval = [
        (s, c) for s, c in configs if "ifeval" in f"{s.task} {getattr(c.get('process_results'), '__module__', '')}"
    ]
    if not ifeval or _has_punkt():
        return
    for spec, _ in ifeval:
        needs = spec.data_files is None or any(
            instruction in Path(file).read_text(encoding="utf-8")
            for file in spec.data_files.values()
            for instruction in PUNKT_INSTRUCTIONS
        )
        if needs:
            raise DataError(
                f"task {spec.task!r} needs nltk's punkt_tab data ({' and '.join(PUNKT_INSTRUCTIONS)}), which is not "
                "installed: run `python -m nltk.downloader punkt_tab` (or copy it under $NLTK_DATA)"
            )


def _has_punkt() -> bool:
    import nltk

    try:
        nltk.data.find("tokenizers/punkt_tab")
    except LookupError:
        return False
    return True


def run_harness(lm, suite: EvalSuite, configs: list[tuple[TaskSpec, dict[str, Any]]], manager) -> tuple[dict, dict]:
    """(metrics `{task/metric: value}`, provenance `{"tasks": {...}, "seeds": {...}, "lm_eval_version"}`)."""
    import lm_eval

    metrics: dict[str, float] = {}
    tasks: dict[str, Any] = {}
    seeds = {"random_seed": suite.seed, "numpy_random_seed": suite.seed, "torch_random_seed": suite.seed,
             "fewshot_random_seed": suite.seed}  # fmt: skip
    for chat in (False, True):
        batch = [(spec, config) for spec, config in configs if spec.chat_template == chat]
        if not batch:
            continue
        results = lm_eval.simple_evaluate(
            model=lm, tasks=[config for _, config in batch], task_manager=manager, limit=suite.limit,
            apply_chat_template=chat, log_samples=False, bootstrap_iters=0, **seeds,
        )  # fmt: skip
        for spec, _ in batch:
            row = results["results"].get(spec.task, {})
            key = f"{spec.metric},none"
            if key not in row:
                found = sorted(k.split(",")[0] for k in row if not k.startswith(("alias", "name", "sample_len")))
                found = [k for k in found if not k.endswith("_stderr")]
                raise RecipeError(
                    f"{suite.path}: task {spec.task!r} reports no metric {spec.metric!r}; it reports {', '.join(found)}"
                )
            metrics[metric_name(spec)] = float(row[key])
            tasks[spec.task] = {
                "metric": spec.metric,
                "num_fewshot": results["n-shot"].get(spec.task, spec.num_fewshot),
                "version": results["versions"].get(spec.task),
                "num_docs": row.get("sample_len"),
                "chat_template": chat,
                "data_files": spec.data_files,
                "all_metrics": {
                    k.split(",")[0]: v
                    for k, v in row.items()
                    if isinstance(v, int | float) and "_stderr" not in k and k != "sample_len"
                },  # fmt: skip
            }
    return metrics, {"tasks": tasks, "seeds": seeds, "limit": suite.limit, "lm_eval_version": version("lm_eval")}


def build_lm(suite: EvalSuite, checkpoint, device: str):
    """The lm_eval model: HFLM around the loaded (adapter-merged) model, or lm_eval's vLLM wrapper when
    `backend: vllm`. Returns (lm, hf_model_or_None, tokenizer)."""
    if suite.backend == "vllm":
        return _build_vllm(suite, checkpoint)
    from lm_eval.models.huggingface import HFLM

    from hermes_train.eval.checkpoints import load_checkpoint

    model, tokenizer = load_checkpoint(checkpoint, device=device, dtype=suite.dtype)
    lm = HFLM(pretrained=model, tokenizer=tokenizer, batch_size=suite.batch_size)
    return lm, model, tokenizer


def _build_vllm(suite: EvalSuite, checkpoint):
    import importlib.util

    if importlib.util.find_spec("vllm") is None:
        raise RecipeError(f"{suite.path}: backend: vllm needs the vllm package (pip install vllm); or use backend: hf")
    from lm_eval.models.vllm_causallms import VLLM
    from transformers import AutoTokenizer

    if checkpoint.kind == "adapter":
        lm = VLLM(pretrained=checkpoint.base, lora_local_path=str(checkpoint.path), dtype=suite.dtype,
                  batch_size=suite.batch_size, seed=suite.seed)  # fmt: skip
    else:
        lm = VLLM(pretrained=str(checkpoint.path), dtype=suite.dtype, batch_size=suite.batch_size, seed=suite.seed)
    return lm, None, AutoTokenizer.from_pretrained(str(checkpoint.path))
