"""The pairs run, top to bottom: read → check candidates → pair → annotate → pair stages → (write, run.py).

Each stage returns a Verdict; the stage runner (hermes_data.stages) routes rejects with `stage`, `reason` and
`detail`, and the funnel counts them for the card. Candidates dropped before or during pairing stay records
(rejected/candidates-*.parquet); pairs dropped later stay pairs (rejected/rejected-*.parquet).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from rich.console import Console

from hermes_data.errors import DataError
from hermes_data.pairs import filters
from hermes_data.pairs.annotate import CANDIDATE_WORK_SCHEMA, PAIR_WORK_SCHEMA, annotate_candidates, annotate_pairs
from hermes_data.pairs.pairing import candidate_reasons, pair_candidates
from hermes_data.pairs.recipe import PairsRecipe
from hermes_data.pairs.sources import read_sources
from hermes_data.stages import REJECTED_COLUMNS, Funnel, Stage, Verdict, apply_stage, run_stages


@dataclass
class CuratedPairs:
    table: pa.Table  # PAIR_WORK_SCHEMA
    rejected_pairs: pa.Table
    rejected_candidates: pa.Table
    funnel: Funnel = field(default_factory=Funnel)
    sources: list[dict] = field(default_factory=list)
    num_candidates: int = 0


def curate_pairs(recipe: PairsRecipe, tokenizer, console: Console) -> CuratedPairs:
    """Read, pair and filter; raises DataError when nothing is left."""
    inputs = read_sources(recipe.sources)
    funnel = Funnel()
    for report in inputs.reports:
        funnel.add("read", "unreadable", report.rows_unreadable, 0)
    if not inputs.candidates and not inputs.pairs:
        raise DataError("the sources yielded no readable rows; check sources[].path, kind and format in the recipe")
    pairs, rejected_candidates = _pair(recipe, inputs.candidates, tokenizer, funnel, console)
    if not pairs and not inputs.pairs:
        raise DataError("no pairs: every candidate was dropped before or during pairing; see the funnel's reasons")
    table = annotate_pairs(pairs + inputs.pairs, tokenizer)
    done = run_stages(
        table,
        build_stages(recipe),
        funnel,
        unit="pairs",
        empty_error="every pair was dropped by the {stage!r} stage; see the reasons above, loosen the recipe",
        report=lambda name, kept, before: console.print(f"  {name:<18} kept {kept:>8,} of {before:,} pairs"),
    )
    table, rejected = done.table, done.rejected
    rejected_schema = pa.schema([*PAIR_WORK_SCHEMA, *REJECTED_COLUMNS])
    return CuratedPairs(
        table=table,
        rejected_pairs=_concat(rejected, rejected_schema),
        rejected_candidates=rejected_candidates,
        funnel=funnel,
        sources=[r.as_dict() for r in inputs.reports],
        num_candidates=len(inputs.candidates),
    )


def _pair(recipe: PairsRecipe, candidates: list[dict], tokenizer, funnel: Funnel, console: Console):
    """(pairs made from the candidates, rejected candidates): the `candidates` and `pairing` stages."""
    schema = pa.schema([*CANDIDATE_WORK_SCHEMA, *REJECTED_COLUMNS])
    if not candidates:
        return [], schema.empty_table()
    reasons = candidate_reasons(candidates, drop_invalid=recipe.filters.drop_invalid)  # may add meta.validator
    table = annotate_candidates(candidates, tokenizer)
    table, dropped_checks = apply_stage(table, "candidates", _verdict(reasons), funnel)
    valid = [c for c, r in zip(candidates, reasons, strict=True) if r is None]
    pairing = pair_candidates(valid, min_margin=recipe.min_margin, max_pairs_per_prompt=recipe.max_pairs_per_prompt)
    table, dropped_pairing = apply_stage(table, "pairing", _verdict(pairing.reasons), funnel)
    console.print(f"  {'pairing':<18} {len(pairing.pairs):>8,} pairs from {len(candidates):,} candidates")
    return pairing.pairs, _concat([dropped_checks, dropped_pairing], schema)


def _verdict(reasons: list[str | None]) -> Verdict:
    return Verdict(keep=np.array([r is None for r in reasons], dtype=bool), reasons=reasons)


def _concat(tables: list[pa.Table], schema: pa.Schema) -> pa.Table:
    tables = [t.cast(schema) for t in tables if t.num_rows]
    return pa.concat_tables(tables) if tables else schema.empty_table()


def build_stages(recipe: PairsRecipe) -> list[Stage]:
    """The pair stages in order, made once from the recipe: the run and `--dry-run` (run.py) both use it."""
    f, near = recipe.filters, recipe.dedup.near
    stages = [
        Stage("read", filters.reader_problem_filter),
        Stage("empty_reply", filters.empty_reply_filter),
        Stage("identical_replies", filters.identical_replies_filter),
    ]
    if f.drop_invalid:
        stages.append(Stage("invalid", filters.invalid_filter))
    stages.append(
        Stage("length", lambda t: filters.length_filter(t, min_tokens=f.min_tokens, max_tokens=f.max_tokens)),
    )
    if recipe.dedup.exact:
        stages.append(Stage("dedup_exact", filters.exact_dedup_filter))
    if near:
        stages.append(
            Stage(
                "dedup_near",
                lambda t: filters.near_dedup_filter(
                    t, threshold=near.threshold, num_perm=near.num_perm, ngram=near.ngram, seed=recipe.seed
                ),
            )
        )
    return stages
