"""`datasets` inputs: save_to_disk folders (Dataset and DatasetDict) and folders of data files.

The Hub itself is not reachable offline; a later issue adds a local fake Hub server.
"""

from __future__ import annotations

import json

import datasets
import pytest

from hermes_data.errors import DataError
from hermes_data.formats import Unreadable, detect_format, read_records
from hermes_data.formats.hub import hub_name
from hermes_data.record import meta_of

SHAREGPT = [
    {"id": "s1", "conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}], "task": "t"},
    {"id": "s2", "conversations": [{"from": "narrator", "value": "x"}], "task": "t"},
]


def test_saved_dataset_folder_reads_through_the_row_converters(tmp_path):
    datasets.Dataset.from_list(SHAREGPT).save_to_disk(str(tmp_path / "ds"))
    assert detect_format(str(tmp_path / "ds")) == "hub"
    items = list(read_records(str(tmp_path / "ds")))
    assert items[0]["id"] == "s1" and items[0]["messages"][1] == {"role": "assistant", "content": "hello"}
    assert meta_of(items[0]) == {"task": "t"} and items[0]["source"] == f"file:{tmp_path / 'ds'}"
    assert isinstance(items[1], Unreadable) and items[1].index == 1 and "narrator" in items[1].message


def test_dataset_dict_folder_picks_the_split(tmp_path):
    rows = [{"instruction": "a", "input": "", "output": "b"}]
    datasets.DatasetDict(
        {"train": datasets.Dataset.from_list(rows), "test": datasets.Dataset.from_list(rows * 2)}
    ).save_to_disk(str(tmp_path / "dd"))
    assert len(list(read_records(str(tmp_path / "dd"), split="test"))) == 2
    with pytest.raises(DataError, match="no split 'dev'"):
        read_records(str(tmp_path / "dd"), split="dev")


def test_folder_of_jsonl_files_loads_with_datasets(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    row = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}
    (folder / "train.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert detect_format(str(folder)) == "hub"
    (record,) = list(read_records(str(folder)))
    assert record["messages"][1]["content"] == "yo"


def test_openai_rows_with_arrow_filled_nulls_convert(tmp_path):
    rows = [
        {"messages": [{"role": "user", "content": "hi", "tool_call_id": None}, {"role": "assistant", "content": "yo"}]},
        {"messages": [{"role": "tool", "content": "x", "tool_call_id": "c1"}]},
    ]
    datasets.Dataset.from_list(rows).save_to_disk(str(tmp_path / "ds"))
    items = list(read_records(str(tmp_path / "ds")))
    assert items[0]["messages"] == [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("hub:org/name", ("org/name", None)),
        ("org/name@v2", ("org/name", "v2")),
        ("hf://datasets/org/name@abc123", ("org/name", "abc123")),
    ],
)
def test_hub_references_parse(ref, expected):
    assert hub_name(ref) == expected


def test_arrow_filled_none_keys_do_not_hide_the_other_spelling(tmp_path):
    # One row says from/value, the other role/content: Arrow gives every turn all four keys, the unused ones None.
    rows = [
        {"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}], "note": "x"},
        {"conversations": [{"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}]},
    ]
    datasets.Dataset.from_list(rows).save_to_disk(str(tmp_path / "ds"))
    first, second = list(read_records(str(tmp_path / "ds")))
    assert second["messages"] == [{"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}]
    assert meta_of(first) == {"note": "x"} and meta_of(second) == {}  # the None `note` is not kept


def test_one_data_file_read_through_datasets_with_format_hub(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"instruction": "a", "input": "", "output": "b"}) + "\n", encoding="utf-8")
    (record,) = list(read_records(str(path), "hub"))
    assert record["messages"][1] == {"role": "assistant", "content": "b"} and record["source"] == f"file:{path}"
