"""Pre-flight checks (hermes_train/preflight.py): the user errors the workers would each raise, found once."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")

from hermes_data.errors import DataError, RecipeError  # noqa: E402
from hermes_train.preflight import preflight  # noqa: E402
from hermes_train.sft.config import load_sft_recipe  # noqa: E402

TINY = Path(__file__).resolve().parents[2] / "recipes" / "sft-tiny-cpu.yaml"


def test_missing_dataset_is_one_data_error(tmp_path):
    recipe = load_sft_recipe(TINY, {"dataset": str(tmp_path / "no-such-build"), "output": str(tmp_path / "run")})
    with pytest.raises(DataError, match="no-such-build"):
        preflight(recipe)


def test_tokenizer_larger_than_the_embedding_is_a_recipe_error(demo_build, tmp_path):
    overrides = {"dataset": str(demo_build), "output": str(tmp_path / "run"), "model.config.vocab_size": 1000}
    with pytest.raises(RecipeError, match="embedding has 1000 rows"):
        preflight(load_sft_recipe(TINY, overrides))


def test_unwritable_output_is_a_recipe_error(demo_build, tmp_path):
    (tmp_path / "file").write_text("")
    recipe = load_sft_recipe(TINY, {"dataset": str(demo_build), "output": str(tmp_path / "file" / "run")})
    with pytest.raises(RecipeError, match="output: .*file is a file, so .*run cannot be created"):
        preflight(recipe)


def test_valid_recipe_passes(demo_build, tmp_path):
    checked = preflight(load_sft_recipe(TINY, {"dataset": str(demo_build), "output": str(tmp_path / "run")}))
    assert checked["vocab"] == 128256 and not (tmp_path / "run").exists()  # checked, not created


def test_cli_reports_a_missing_dataset_in_one_line(tmp_path):
    import subprocess
    import sys

    hermes_train = Path(sys.executable).parent / "hermes-train"
    recipe = Path(__file__).resolve().parents[2] / "recipes" / "sft-tiny-cpu.yaml"
    result = subprocess.run(
        [str(hermes_train), "sft", str(recipe), "--nproc", "2", "--set", f"dataset={tmp_path / 'nope'}",
         "--set", f"output={tmp_path / 'run'}"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "nope" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
