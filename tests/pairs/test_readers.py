"""Pair readers on inline rows of every layout found in real data, the containers, and the TRL export round trip."""

from __future__ import annotations

import json

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hermes_data.errors import FormatError
from hermes_data.formats import Unreadable
from hermes_data.pairs import input_kind, read_pairs, write_trl
from hermes_data.pairs.convert import PROBLEM, pair_row_to_pair
from hermes_data.record import meta_of

U = {"role": "user", "content": "What is 2 + 2?"}
A_GOOD = {"role": "assistant", "content": "2 + 2 = 4."}
A_BAD = {"role": "assistant", "content": "5"}
SYS = {"role": "system", "content": "Be brief."}


def _pair(row):
    return pair_row_to_pair(row, source="file:x")


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def test_trl_conversational_row():
    pair = _pair({"prompt": [SYS, U], "chosen": [A_GOOD], "rejected": [A_BAD], "id": "p1", "category": "math"})
    assert pair["prompt"] == [SYS, U] and pair["chosen"] == [A_GOOD] and pair["rejected"] == [A_BAD]
    assert pair["id"] == "p1" and pair["category"] == "math" and PROBLEM not in pair


def test_trl_implicit_prompt_is_the_shared_prefix_up_to_the_reply():
    call = {"role": "assistant", "content": '<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>'}
    result = {"role": "tool", "content": '<tool_response>\n{"name": "f", "content": 4}\n</tool_response>'}
    pair = _pair({"chosen": [U, call, result, A_GOOD], "rejected": [U, call, result, A_BAD]})
    assert pair["prompt"] == [U, call, result]  # the prompt may end with a tool turn
    assert pair["chosen"] == [A_GOOD] and pair["rejected"] == [A_BAD] and PROBLEM not in pair


def test_implicit_rows_with_different_prompts_are_flagged_not_dropped():
    other = {"role": "user", "content": "What is 3 + 3?"}
    pair = _pair({"chosen": [U, A_GOOD], "rejected": [other, A_BAD]})
    assert pair[PROBLEM] == "prompt_mismatch"
    history = _pair({"chosen": [U, A_GOOD, U, A_GOOD], "rejected": [U, A_BAD]})  # a different conversation so far
    assert history[PROBLEM] == "prompt_mismatch"


def test_prompt_string_with_whole_conversations_ultrafeedback_shape():
    row = {"prompt": "What is 2 + 2?", "chosen": [U, A_GOOD], "rejected": [U, A_BAD], "score_chosen": 9.0}
    pair = _pair(row)
    assert pair["prompt"] == [U] and pair["chosen"] == [A_GOOD] and PROBLEM not in pair
    assert meta_of(pair)["score_chosen"] == 9.0  # scalar extras are kept in meta
    mismatch = _pair({**row, "prompt": "What is 3 + 3?"})
    assert mismatch[PROBLEM] == "prompt_mismatch"


def test_sharegpt_conversations_with_single_turn_and_string_replies():
    row = {
        "conversations": [{"from": "system", "value": "Be brief."}, {"from": "human", "value": "What is 2 + 2?"}],
        "chosen": {"from": "gpt", "value": "2 + 2 = 4."},
        "rejected": "5",
        "category": "Arithmetic",
    }
    pair = _pair(row)
    assert pair["prompt"] == [SYS, U] and pair["chosen"] == [A_GOOD] and pair["rejected"] == [A_BAD]
    assert pair["category"] is None and meta_of(pair)["source_category"] == "Arithmetic"


def test_orca_dpo_pairs_columns():
    pair = _pair({"system": "Be brief.", "question": "What is 2 + 2?", "chosen": "2 + 2 = 4.", "rejected": "5"})
    assert pair["prompt"] == [SYS, U] and pair["chosen"] == [A_GOOD] and pair["rejected"] == [A_BAD]
    no_system = _pair({"system": "", "question": "What is 2 + 2?", "chosen": "2 + 2 = 4.", "rejected": "5"})
    assert no_system["prompt"] == [U]


def test_openai_tool_calls_in_a_reply_become_hermes_text():
    call = {"role": "assistant", "content": None, "tool_calls": [{"function": {"name": "f", "arguments": "{}"}}]}
    pair = _pair({"prompt": [U], "chosen": [call], "rejected": [A_BAD]})
    assert pair["chosen"][0]["content"].startswith("<tool_call>\n{") and '"name": "f"' in pair["chosen"][0]["content"]


def test_empty_replies_are_kept_for_the_empty_reply_stage():
    pair = _pair({"prompt": [U], "chosen": None, "rejected": ""})
    assert pair["chosen"] == [] and pair["rejected"] == [{"role": "assistant", "content": ""}]
    assert PROBLEM not in pair


def test_jsonl_reader_reports_bad_rows_and_goes_on(tmp_path):
    path = _write_jsonl(
        tmp_path / "p.jsonl",
        [{"prompt": [U], "chosen": [A_GOOD], "rejected": [A_BAD]}, {"prompt": [U], "chosen": 7, "rejected": "x"}],
    )
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("{not json\n")
        fh.write(json.dumps({"question": "q?", "chosen": "a.", "rejected": "b."}) + "\n")
    items = list(read_pairs(path))
    assert [isinstance(i, Unreadable) for i in items] == [False, True, True, False]
    assert items[1].line == 2 and "chosen" in items[1].message
    assert items[0]["source"] == f"file:{path}"


def test_parquet_file_and_saved_dataset_folder(tmp_path):
    rows = [{"prompt": [U], "chosen": [A_GOOD], "rejected": [A_BAD], "id": f"r{i}"} for i in range(3)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "pairs.parquet")
    assert [p["id"] for p in read_pairs(str(tmp_path / "pairs.parquet"))] == ["r0", "r1", "r2"]
    datasets.Dataset.from_list(rows).save_to_disk(str(tmp_path / "saved"))
    saved = list(read_pairs(str(tmp_path / "saved")))
    assert [p["chosen"] for p in saved] == [[A_GOOD]] * 3


def test_input_kind_tells_pairs_from_candidates_with_a_clear_error(tmp_path):
    pairs = _write_jsonl(tmp_path / "p.jsonl", [{"question": "q", "chosen": "a", "rejected": "b"}])
    candidates = _write_jsonl(tmp_path / "c.jsonl", [{"messages": [U, A_GOOD]}])
    other = _write_jsonl(tmp_path / "o.jsonl", [{"text": "hello"}])
    assert input_kind(pairs) == "pairs" and input_kind(candidates) == "candidates"
    with pytest.raises(FormatError, match=r"o\.jsonl: cannot tell pairs from candidates \(keys: text\)"):
        input_kind(other)


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_trl_export_round_trips(tmp_path, suffix):
    call = {"role": "assistant", "content": '<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>'}
    result = {"role": "tool", "content": '<tool_response>\n{"name": "f", "content": 4}\n</tool_response>'}
    originals = [
        _pair({"prompt": [SYS, U], "chosen": [A_GOOD], "rejected": [A_BAD], "category": "math", "id": "a"}),
        _pair({"prompt": [U, call, result], "chosen": [A_GOOD], "rejected": [A_BAD], "meta": {"margin": 3}}),
    ]
    path = tmp_path / f"out{suffix}"
    assert write_trl(originals, path) == 2
    back = list(read_pairs(str(path)))
    assert back == originals
    write_trl(originals, tmp_path / f"bare{suffix}", identity=False)
    bare = list(read_pairs(str(tmp_path / f"bare{suffix}")))
    assert [(p["prompt"], p["chosen"], p["rejected"]) for p in bare] == [
        (p["prompt"], p["chosen"], p["rejected"]) for p in originals
    ]
    if suffix == ".jsonl":
        assert set(json.loads(path.read_text().splitlines()[0])) >= {"prompt", "chosen", "rejected"}
