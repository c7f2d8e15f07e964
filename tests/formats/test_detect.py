"""Format detection from extension, folder contents and the keys of the first rows."""

from __future__ import annotations

import json

import pytest

from hermes_data.errors import DataError, FormatError
from hermes_data.formats import detect_format
from hermes_data.formats.detect import looks_like_hub


def _jsonl(tmp_path, rows, name="rows.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"conversations": [{"from": "human", "value": "hi"}]}, "sharegpt"),
        ({"messages": [{"role": "user", "content": "hi"}]}, "openai"),
        ({"instruction": "Add 1 and 2.", "input": "", "output": "3"}, "alpaca"),
    ],
)
def test_row_keys_decide_the_format(tmp_path, row, expected):
    assert detect_format(_jsonl(tmp_path, [row])) == expected


def test_a_json_array_file_is_detected_from_its_first_element(tmp_path):
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([{"instruction": "a", "output": "b"}], indent=2), encoding="utf-8")
    assert detect_format(str(path)) == "alpaca"


def test_malformed_first_line_is_skipped_when_sniffing(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"conv\n{"messages": []}\n', encoding="utf-8")
    assert detect_format(str(path)) == "openai"


def test_ambiguous_row_names_the_formats_and_the_flag(tmp_path):
    path = _jsonl(tmp_path, [{"conversations": [], "messages": []}])
    with pytest.raises(FormatError) as err:
        detect_format(path)
    message = str(err.value)
    assert path in message and "--format" in message and "sharegpt" in message and "openai" in message


def test_unknown_keys_name_the_file_and_the_accepted_formats(tmp_path):
    path = _jsonl(tmp_path, [{"text": "a", "label": "b"}])
    with pytest.raises(FormatError, match="accepted formats: sharegpt, openai, alpaca, transcript, parquet, hub"):
        detect_format(path)


def test_instruction_without_an_answer_is_not_alpaca(tmp_path):
    with pytest.raises(
        FormatError, match="alpaca: one of instruction/prompt/question with one of output/response/answer/completion"
    ):
        detect_format(_jsonl(tmp_path, [{"instruction": "a", "reply": "b"}]))


@pytest.mark.parametrize("instruction", ["instruction", "prompt", "question"])
@pytest.mark.parametrize("answer", ["output", "response", "answer", "completion"])
def test_every_alpaca_instruction_and_answer_key_is_alpaca(tmp_path, instruction, answer):
    assert detect_format(_jsonl(tmp_path, [{instruction: "a", answer: "b"}])) == "alpaca"


def test_parquet_extension_and_parquet_folder(tmp_path):
    (tmp_path / "x.parquet").write_bytes(b"")
    assert detect_format(str(tmp_path / "x.parquet")) == "parquet"
    assert detect_format(str(tmp_path)) == "parquet"


def test_saved_dataset_folder_is_hub_local(tmp_path):
    (tmp_path / "dataset_info.json").write_text("{}", encoding="utf-8")
    assert detect_format(str(tmp_path)) == "hub"


def test_empty_folder_is_a_format_error(tmp_path):
    with pytest.raises(FormatError, match="--format"):
        detect_format(str(tmp_path))


def test_missing_file_is_a_data_error_not_a_hub_name(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        detect_format(str(tmp_path / "nope.jsonl"))
    with pytest.raises(DataError):
        detect_format("data/train.jsonl")


def test_empty_file_cannot_be_detected(tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_text("", encoding="utf-8")
    with pytest.raises(FormatError, match="no rows"):
        detect_format(str(path))


@pytest.mark.parametrize(
    ("ref", "hub"),
    [
        ("hub:NousResearch/hermes-function-calling-v1", True),
        ("NousResearch/hermes-function-calling-v1@main", True),
        ("hf://datasets/org/name", True),
        ("org/name-v1.5", True),
        ("./org/name", False),
        ("data/train.jsonl", False),
        ("plainfile", False),
    ],
)
def test_hub_references_versus_local_paths(ref, hub):
    assert looks_like_hub(ref) is hub
