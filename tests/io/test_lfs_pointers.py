"""A clone without `git lfs` holds pointer files in place of the data: every reader says so in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

POINTER = (
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    "size 48213\n"
)


def _validate(target: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hermes_data.cli", "validate", str(target)], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("layout", "pointer"),
    [
        ({"train.jsonl": POINTER}, "train.jsonl"),  # the file itself
        ({"rows/a.jsonl": POINTER, "rows/b.jsonl": POINTER}, "rows/a.jsonl"),  # a folder of JSONL files
        ({"mix/data/train-00000.parquet": POINTER}, "mix/data/train-00000.parquet"),  # a Parquet dataset folder
    ],
)
def test_a_git_lfs_pointer_is_named_as_one(tmp_path, layout, pointer):
    for name, text in layout.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    target = tmp_path / Path(pointer).parts[0]
    done = _validate(target)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: {tmp_path / pointer}: this is a Git LFS pointer, not the data (the repository was cloned without "
        "its LFS files); run `git lfs pull` in the clone, or download the file itself"
    ]
    assert "Traceback" not in done.stderr


def test_a_text_file_that_mentions_lfs_is_read_as_data(tmp_path):
    row = '{"conversations": [{"from": "human", "value": "version https://git-lfs.github.com/spec/v1?"},'
    row += ' {"from": "gpt", "value": "That is the Git LFS pointer format header."}]}\n'
    (tmp_path / "rows.jsonl").write_text(row)
    assert _validate(tmp_path / "rows.jsonl").returncode == 0
