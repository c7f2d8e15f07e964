"""Output locations are checked without creating anything; each mistake names the location."""

from __future__ import annotations

import pytest

from hermes_data.errors import DataError
from hermes_data.io.outputs import check_output_file, check_output_folder, check_store_root


def test_good_locations_pass_and_create_nothing(tmp_path):
    assert check_output_file(tmp_path / "new" / "deeper" / "out.parquet") == tmp_path / "new" / "deeper" / "out.parquet"
    check_output_folder(tmp_path / "a" / "b")
    check_store_root(tmp_path / "store", writing=True)
    assert list(tmp_path.iterdir()) == []


def test_file_outputs(tmp_path):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "folder").mkdir()
    with pytest.raises(DataError, match="DEST .*folder is a folder; give a file name inside it"):
        check_output_file(tmp_path / "folder", what="DEST")
    with pytest.raises(DataError, match=r"sits under .*afile, which is a file, not a folder"):
        check_output_file(tmp_path / "afile" / "x" / "out.jsonl")
    with pytest.raises(DataError, match="is also an input"):
        check_output_file(tmp_path / "afile", inputs=[str(tmp_path / "." / "afile")])


def test_folder_outputs_and_store_roots(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(DataError, match="output .*afile is a file, not a folder"):
        check_output_folder(tmp_path / "afile")
    with pytest.raises(DataError, match="store root .*afile is a file"):
        check_store_root(tmp_path / "afile", writing=False)
    with pytest.raises(DataError, match="store root .*nope does not exist"):
        check_store_root(tmp_path / "nope", writing=False)
