"""Write a generation's output folder atomically, in the build folder's layout so `hermes-data build` reads it as a
source and `verify_folder` checks it:

    data/train-00000-of-00001.parquet   completed items as canonical records (source `gen:<recipe>`)
    failures.jsonl                      one line per failed or unfinished item: task, item, status, reason, detail
    manifest.json                       counts (requested/completed/failed/unfinished per task), failure reasons,
                                        eliminations, retries, tokens, estimated cost, resolved recipe; written last

The folder is assembled under a hidden temporary name and renamed into place, as `build/output.py` does.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from hermes_data import __version__
from hermes_data.dataset.folder import atomic_folder, write_shards, write_text
from hermes_data.dataset.manifest import DATA_DIR, FORMAT_VERSION, MANIFEST_NAME, ContentHasher
from hermes_data.generate.items import Shard
from hermes_data.generate.recipe import GenerateRecipe
from hermes_data.generate.runner import GenerationResult
from hermes_data.record import RECORD_SCHEMA, records_to_table

FAILURES_NAME = "failures.jsonl"


def write_generation(
    output: str | Path,
    result: GenerationResult,
    recipe: GenerateRecipe,
    *,
    limit: int | None = None,
    shard: Shard | None = None,
    max_cost: float | None = None,
    shard_rows: int = 50_000,
) -> dict:
    """Write the folder (replacing an earlier output there) and return its manifest."""
    with atomic_folder(output) as tmp:
        hasher = ContentHasher()
        table = records_to_table(result.records)
        shards = write_shards(tmp, table, shard_rows, RECORD_SCHEMA, DATA_DIR, "train-{i:05d}-of-{n:05d}", hasher)
        failures = [_failure_line(r) for rs in result.results.values() for r in rs if r.status != "completed"]
        write_text(tmp / FAILURES_NAME, "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in failures))
        manifest = build_generation_manifest(result, recipe, hasher.hexdigest(), shards, limit, max_cost, shard)
        write_text(tmp / MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def _failure_line(result) -> dict:
    item = result.item
    return {
        "task": item.task.name,
        "item": item.key,
        "status": result.status,
        "reason": result.reason,
        "detail": result.detail,
    }


def build_generation_manifest(
    result: GenerationResult,
    recipe: GenerateRecipe,
    content_hash: str,
    shards: list[dict],
    limit: int | None,
    max_cost: float | None,
    shard: Shard | None = None,
) -> dict:
    stats = result.stats
    tasks = {}
    reasons: Counter[str] = Counter()
    for task in recipe.tasks:
        counts = stats.tasks.get(task.name, Counter())
        reasons.update(stats.reasons.get(task.name, Counter()))
        tasks[task.name] = {
            "generator": task.generator,
            "category": task.category,
            **{k: counts.get(k, 0) for k in ("requested", "completed", "failed", "unfinished")},
            "failure_reasons": dict(sorted(stats.reasons.get(task.name, Counter()).items())),
        }
    priced = all(
        e.input_price_per_mtok is not None and e.output_price_per_mtok is not None for e in recipe.endpoints.values()
    )
    return {
        "format_version": FORMAT_VERSION,
        "kind": "generate",
        "name": recipe.name,
        "content_sha256": content_hash,
        "recipe_sha256": recipe.sha256(),
        "shards": shards,
        "rejected": [],
        "failures_file": FAILURES_NAME,
        "items": {k: sum(t[k] for t in tasks.values()) for k in ("requested", "completed", "failed", "unfinished")},
        "rows": len(result.records),
        "tasks": tasks,
        "failure_reasons": dict(sorted(reasons.items())),
        "eliminated": dict(sorted(stats.eliminated.items())),
        "retries": dict(sorted(stats.retries.items())),
        "requests": {"sent": stats.requests_sent, "replayed_from_journal": stats.requests_replayed},
        "tokens": {"prompt": stats.prompt_tokens, "completion": stats.completion_tokens},
        # Estimated from `usage` and the recipe's prices; `total` counts every journaled response, earlier runs too.
        "cost_usd": {
            "outputs": round(stats.cost_used, 6),
            "this_run": round(stats.cost_new, 6),
            "total": round(stats.spent_total, 6),
        }
        if priced
        else None,
        "stopped": result.stopped,
        "limit": limit,
        "shard": str(shard) if shard is not None else None,  # "I/N": this folder holds one machine's share
        "max_cost": max_cost,
        "journal": recipe.journal,
        "recipe": recipe.resolved(),
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "hermes_toolkit_version": __version__,
    }
