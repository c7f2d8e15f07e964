"""Every build stage fills `detail` on the rows it drops, and the stage list is the one the dry run prints."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import hermes_data
from hermes_data.dedup.exact import exact_dedup_stage
from hermes_data.dedup.near import near_dedup_stage
from hermes_data.filters.length import length_filter
from hermes_data.filters.refusals import refusals_stage
from hermes_data.stages import Funnel, Stage, run_stages


def _conv(user: str, reply: str) -> list[dict]:
    return [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]


LONG = "The quick brown fox jumps over the lazy dog near the river bank while the sun sets slowly in the west. " * 3


def test_exact_and_near_dedup_name_the_kept_row(work_table):
    table = work_table(
        [_conv("hello there", LONG), _conv("hello there", LONG), _conv("hello there", LONG + " Indeed.")]
    )
    done = run_stages(table, [Stage("dedup_exact", exact_dedup_stage)], Funnel())
    (rejected,) = done.rejected
    ids = table.column("id").to_pylist()
    detail = json.loads(rejected.column("detail")[0].as_py())
    assert rejected.column("reason").to_pylist() == ["exact_duplicate"]
    assert detail == {"kept_id": ids[0]}  # identical content, identical content id

    class Spec:
        threshold, num_perm, ngram = 0.8, 128, 5

    near = near_dedup_stage(done.table, Spec, 0)
    dropped = [i for i, k in enumerate(near.keep) if not k]
    assert len(dropped) == 1
    detail = json.loads(near.details[dropped[0]])
    assert detail["kept_id"] in done.table.column("id").to_pylist() and 0.8 <= detail["similarity"] < 1.0


def test_refusal_and_length_details(work_table):
    table = work_table([_conv("write a poem", "I'm sorry, but I can't help with that request."), _conv("hi", LONG)])
    verdict = refusals_stage(table)
    assert verdict.keep.tolist() == [False, True]
    assert json.loads(verdict.details[0])["sentence"].startswith("I'm sorry")
    assert json.loads(verdict.details[0])["rule"]
    lengths = length_filter(table, min_tokens=1, max_tokens=20)
    detail = json.loads(lengths.details[1])
    assert detail["limit"] == 20 and detail["tokens"] > 20


def test_dry_run_names_come_from_the_stage_list():
    from hermes_data.build.recipe import load_recipe
    from hermes_data.build.stages import build_stages, stage_names
    from hermes_data.resources import recipe_path

    recipe = load_recipe(recipe_path("demo"))
    names = [s.name for s in build_stages(recipe)]
    assert names and stage_names(recipe)[4 : 4 + len(names)] == names


def _build_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    return [m for m in modules if m == "hermes_data.build" or m.startswith("hermes_data.build.")]


def test_the_shared_machinery_never_imports_the_build():
    """Filters, dedup, stages, the dataset format, publish and load_mix never import hermes_data.build, so there is
    no cycle between the build and its filters. (pairs and generate still take the recipe base and source reading
    from build.recipe / build.sources until hermes_data/recipe/ lands; nothing else.)"""
    root = Path(hermes_data.__file__).parent
    paths = [root / "load.py"]
    for package in ("filters", "dedup", "stages", "dataset", "publish"):
        paths += sorted((root / package).rglob("*.py"))
    offenders = {str(p.relative_to(root)): _build_imports(p) for p in paths if _build_imports(p)}
    assert offenders == {}
    allowed = {"hermes_data.build.recipe", "hermes_data.build.sources"}
    for package in ("pairs", "generate"):
        for path in (root / package).rglob("*.py"):
            assert set(_build_imports(path)) <= allowed, path
