"""Curation stages as data (datatrove's executor-plus-steps): a stage is a name and a function from the working
table to a `Verdict`; `run_stages` applies an ordered list of them, routes the rejects with `stage`, `reason` and
`detail`, and counts the funnel. Each stage's adapter lives in its filter's module (filters/…, dedup/…); the build's
list is made once by `hermes_data.build.stages.build_stages`, the pairs' by `hermes_data.pairs.pipeline`.
"""

from hermes_data.stages.runner import Stage, run_stages
from hermes_data.stages.verdict import (
    REJECTED_COLUMNS,
    Funnel,
    Verdict,
    apply_stage,
    detail_json,
    row_tokens,
    verdict_from_mask,
)

__all__ = [
    "REJECTED_COLUMNS",
    "Funnel",
    "Stage",
    "Verdict",
    "apply_stage",
    "detail_json",
    "row_tokens",
    "run_stages",
    "verdict_from_mask",
]
