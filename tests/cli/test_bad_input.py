"""The bad-input battery (tests/cli/bad_inputs.py) through `hermes-data`'s entry point: every case is one line
`error: …` naming the file or field, exit 2, no traceback, and its folder left byte-identical."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _load_cases():
    # --import-mode=importlib puts no test folder on sys.path: load the catalogue by its path.
    spec = importlib.util.spec_from_file_location("cli_bad_inputs", HERE / "bad_inputs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bad = _load_cases()


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    return bad.make_fixtures(tmp_path_factory.mktemp("bad-input-fixtures"), in_process=True)


@pytest.mark.parametrize("case", bad.CASES, ids=[c.name for c in bad.CASES])
def test_bad_input_is_one_line_and_writes_nothing(case, fixtures, tmp_path):
    build, store, cache = fixtures
    outcome = bad.run_case(case, tmp_path / "w", build, store, cache, in_process=True)
    assert not outcome.problems(case), f"{outcome.problems(case)}\n{outcome.stderr[-3000:]}"
