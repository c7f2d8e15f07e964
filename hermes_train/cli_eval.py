"""`hermes-train eval` (score checkpoints with a suite) and `hermes-train compare` (a Table 4/5-style table).

Registered in `cli.py` as `app.command("eval")(eval_command)` and `app.command("compare")(compare_command)`.
Checkpoint folders and the suite are checked before lm_eval or any model is imported, so mistakes cost seconds.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from hermes_train.eval.compare import build_comparison, to_markdown, to_rich
from hermes_train.select import load_scores


def eval_command(
    checkpoints: list[Path] = typer.Argument(..., help="epoch-K/ exports, merged models or peft adapter folders."),
    suite: str = typer.Option("hermes3", "--suite", help="A shipped suite name (hermes3, tiny) or a suite YAML."),
    out: Path = typer.Option(Path("scores.json"), "--out", help="Scores JSON; appended to when it exists."),
    names: list[str] = typer.Option([], "--name", help="Name per checkpoint in the scores (default: folder name)."),
    judge_base_url: str | None = typer.Option(None, "--judge-base-url", help="OpenAI-compatible judge endpoint."),
    judge_model: str | None = typer.Option(None, "--judge-model", help="The judge's model name."),
    judge_api_key_env: str | None = typer.Option(None, "--judge-api-key-env", help="Env var holding the key."),
    no_mtbench: bool = typer.Option(False, "--no-mtbench", help="Skip the judged MT-Bench part of the suite."),
    limit: int | None = typer.Option(None, "--limit", help="Documents per task (smoke runs)."),
    device: str | None = typer.Option(None, "--device", help="cpu, cuda, cuda:1 … (default: the suite's)."),
    batch_size: str | None = typer.Option(None, "--batch-size", help="lm_eval batch size, or auto."),
) -> None:
    """Score checkpoints on the suite's benchmarks (lm-evaluation-harness, MT-Bench judge) into select's format."""
    from hermes_train.eval.run import evaluate, resolve_checkpoints
    from hermes_train.eval.suite import load_suite

    resolved = resolve_checkpoints(list(checkpoints), names or None)
    overrides: dict = {}
    for key, value in (("base_url", judge_base_url), ("model", judge_model), ("api_key_env", judge_api_key_env)):
        if value is not None:
            overrides[f"mtbench.judge.{key}"] = value
    for key, value in (("limit", limit), ("device", device)):
        if value is not None:
            overrides[key] = value
    if batch_size is not None:
        overrides["batch_size"] = int(batch_size) if batch_size.isdigit() else batch_size
    spec = load_suite(suite, overrides)
    scores = evaluate(resolved, spec, out, mtbench=not no_mtbench, say=lambda line: typer.echo(line, err=True))
    comparison = build_comparison(
        {"checkpoints": {c.name: scores["checkpoints"][c.name] for c in resolved}, "groups": scores["groups"]}
    )
    Console().print(to_rich(comparison))
    typer.echo(f"wrote {out}", err=True)


def compare_command(
    scores: Path = typer.Argument(..., help="A scores JSON written by `hermes-train eval`."),
    baseline: str | None = typer.Option(None, "--baseline", help="Checkpoint the deltas are taken against."),
    markdown: bool = typer.Option(False, "--markdown", help="Print a Markdown table (model cards)."),
) -> None:
    """Metrics x checkpoints, best value marked, deltas against the baseline (default: the first checkpoint)."""
    comparison = build_comparison(load_scores(scores), baseline=baseline, source=str(scores))
    if markdown:
        typer.echo(to_markdown(comparison), nl=False)
    else:
        Console().print(to_rich(comparison))
