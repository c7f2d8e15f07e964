"""`evaluate`: every checkpoint through the suite, its scores merged into the scores file after each one.

Everything a user can get wrong (checkpoint folders, task names, the judge's key, IFEval's nltk data) is checked
before the first model loads, so a typo costs seconds, not an evaluation. Scores are written after each checkpoint:
an interrupted run keeps what it finished.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hermes_data.errors import DataError
from hermes_train.eval.checkpoints import Checkpoint, pick_device, resolve_checkpoint
from hermes_train.eval.harness import build_lm, build_task_configs, check_ifeval_data, run_harness, task_manager
from hermes_train.eval.judging import make_client
from hermes_train.eval.mtbench import hf_generator, run_mtbench, vllm_generator
from hermes_train.eval.scores import merge_checkpoint, read_scores, write_scores
from hermes_train.eval.suite import EvalSuite
from hermes_train.preflight import check_output


def resolve_checkpoints(paths: list[str | Path], names: list[str] | None = None) -> list[Checkpoint]:
    if names and len(names) != len(paths):
        raise DataError(f"--name was given {len(names)} times for {len(paths)} checkpoints; give one per checkpoint")
    checkpoints = [resolve_checkpoint(p, n) for p, n in zip(paths, names or [None] * len(paths), strict=True)]
    seen: dict[str, Path] = {}
    for ckpt in checkpoints:
        if ckpt.name in seen:
            raise DataError(
                f"{ckpt.path} and {seen[ckpt.name]} would both be scored as {ckpt.name!r}; name them with --name"
            )
        seen[ckpt.name] = ckpt.path
    return checkpoints


def evaluate(
    checkpoints: list[Checkpoint],
    suite: EvalSuite,
    out: str | Path,
    *,
    mtbench: bool = True,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Score `checkpoints` with `suite`, merging into the scores file `out`; returns the merged scores."""
    manager = task_manager(suite) if suite.tasks else None
    configs = build_task_configs(suite, manager) if suite.tasks else []
    check_ifeval_data(suite, configs)
    run_mtbench_too = mtbench and suite.mtbench is not None
    if run_mtbench_too:
        make_client(suite.mtbench.judge)  # a missing API key fails here, before any model loads
    groups = suite.groups()
    if not run_mtbench_too and suite.mtbench is not None:
        groups.pop(suite.mtbench.group, None)
    device = pick_device(suite.device)
    scores = read_scores(out)
    check_output(Path(out).parent, what="--out")  # a scores file that cannot be written fails before any model
    for ckpt in checkpoints:
        started = time.perf_counter()
        say(f"evaluating {ckpt.name} ({ckpt.path}) on {device}")
        lm, model, tokenizer = build_lm(suite, ckpt, device)
        metrics: dict[str, float] = {}
        meta: dict[str, Any] = {**ckpt.describe(), "suite": suite.name, "suite_path": suite.path, "device": device}
        if configs:
            found, harness_meta = run_harness(lm, suite, configs, manager)
            metrics |= found
            meta |= harness_meta
        if run_mtbench_too:
            spec = suite.mtbench
            generate = (hf_generator(model, tokenizer, spec, seed=suite.seed) if model is not None
                        else vllm_generator(lm, tokenizer, spec, seed=suite.seed))  # fmt: skip
            found, meta["mtbench"], warnings = run_mtbench(generate, spec, seed=suite.seed)
            metrics |= found
            for warning in warnings:
                say(f"warning: {ckpt.name}: {warning}")
        meta["seconds"] = round(time.perf_counter() - started, 1)
        if merge_checkpoint(scores, ckpt.name, metrics, groups, meta):
            say(f"replaced the earlier scores of {ckpt.name!r} in {out}")
        write_scores(out, scores)
        del lm, model
        _free_memory()
    return scores


def _free_memory() -> None:
    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:
        pass
