"""What a run leaves beside its outputs, for every trainer: `metrics.jsonl` (one line per logged step) and `run.json`
(the resolved recipe, its hash, the run's facts and the git commit), both written by rank 0."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path


class MetricsLog:
    """`metrics.jsonl` on rank 0; a resumed run drops the lines after its checkpoint so each step appears once."""

    def __init__(self, path: Path, *, keep_up_to: int, enabled: bool):
        self.path, self.enabled = path, enabled
        if enabled and path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            kept = [line for line in lines if line.strip() and json.loads(line)["step"] <= keep_up_to]
            path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")

    def write(self, row: dict) -> None:
        if self.enabled:
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(row) + "\n")


def write_run_json(out: Path, recipe, run: dict) -> None:
    """`out/run.json` written atomically; `lengths` (per-sample token counts) is left out, it is only for speed."""
    run = {key: value for key, value in run.items() if key != "lengths"}
    record = {"recipe": recipe.model_dump(mode="json"), "recipe_sha256": recipe.sha256(), **run, "git": git_commit()}
    tmp = out / "run.json.tmp"
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out / "run.json")


def git_commit() -> str | None:
    """The commit of the code that ran, or None outside a git checkout."""
    root = Path(__file__).resolve().parents[1]
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None
