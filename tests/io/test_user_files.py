"""Reading user files: each refusal names the file and the fix; inputs that are binary by design pass."""

from __future__ import annotations

import gzip

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hermes_data.errors import DataError, RecipeError
from hermes_data.io.user_files import check_data_input, read_json, read_text

ROWS = '{"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]}\n' * 3


def test_read_text_refusals(tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "blank.yaml").write_text("  \n\n")
    (tmp_path / "bin.yaml").write_bytes(b"name: x\x00\x01\x02")
    cases = {
        "folder": "no such recipe file, it is a folder",
        "missing.yaml": "no such recipe file",
        "blank.yaml": "the recipe is empty",
        "bin.yaml": "is a binary file, not a UTF-8 text file",
    }
    for name, message in cases.items():
        with pytest.raises(RecipeError, match=message):
            read_text(tmp_path / name, what="recipe", error=RecipeError)


def test_data_inputs_that_pass(tmp_path):
    (tmp_path / "rows.jsonl").write_text(ROWS, encoding="utf-8")
    (tmp_path / "stray.jsonl").write_bytes(ROWS.encode() + b'{"conversations": [{"from": "human", "value": "\xe9"}]}\n')
    (tmp_path / "rows.jsonl.gz").write_bytes(gzip.compress(ROWS.encode()))
    pq.write_table(pa.table({"id": ["a"]}), tmp_path / "rows.parquet")
    (tmp_path / "folder").mkdir()
    for name in ("rows.jsonl", "stray.jsonl", "rows.jsonl.gz", "rows.parquet", "folder"):
        check_data_input(tmp_path / name)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (ROWS.encode("utf-16"), "is UTF-16 text, not UTF-8"),
        (ROWS.encode("utf-16-le"), "is UTF-16 text, not UTF-8"),  # no BOM: told by the NUL in every other byte
        (ROWS.encode("utf-16-be"), "is UTF-16 text, not UTF-8"),
    ],
)
def test_data_inputs_refused(tmp_path, content, message):
    path = tmp_path / "rows.jsonl"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        check_data_input(path)
    with pytest.raises(DataError, match="no such file or folder"):
        check_data_input(tmp_path / "absent.jsonl")


def test_read_json_checks_the_shape(tmp_path):
    path = tmp_path / "scores.json"
    path.write_text('{"checkpoints": {}}', encoding="utf-8")
    assert read_json(path, what="scores file") == {"checkpoints": {}}
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(
        DataError, match=r"scores\.json: the scores file must hold an object \{\.\.\.\} at the top, not a list"
    ):
        read_json(path, what="scores file")
    path.write_text('{"a": 1,\n}', encoding="utf-8")
    with pytest.raises(DataError, match=r"scores\.json:2: the scores file is not valid JSON"):
        read_json(path, what="scores file")
