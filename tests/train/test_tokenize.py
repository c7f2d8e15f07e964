"""Training rows from records: labels learn exactly the assistant turns, equal to the build's output-token count."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
from transformers import LlamaConfig

from hermes_data.errors import DataError, RecipeError
from hermes_data.tokenizer import IM_END, load_tokenizer
from hermes_train.tokenize import IGNORE_INDEX, check_model_tokenizer, tokenize_dataset, tokenize_record

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

SYSTEM = 'You are a function calling AI model. <tools>[{"name": "get_weather"}]</tools> SYSTEMSECRET'
TOOL_CALL = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
TOOL_RESULT = '<tool_response>\n{"name": "get_weather", "content": {"temp": "TOOLSECRET 20C"}}\n</tool_response>'
FINAL = "<SCRATCHPAD>The tool says 20C.</SCRATCHPAD>It is 20 °C in Paris right now."
TOOL_CHAT = [
    {"role": "system", "content": SYSTEM},
    {"role": "user", "content": "USERSECRET: what's the weather in Paris?"},
    {"role": "assistant", "content": TOOL_CALL},
    {"role": "tool", "content": TOOL_RESULT},
    {"role": "assistant", "content": FINAL},
]


@pytest.fixture(scope="module")
def tok():
    return load_tokenizer()


def learned_runs(tok, row: dict) -> list[str]:
    """Decoded text of each maximal run of tokens whose label is not -100."""
    runs, current = [], []
    for token, label in zip(row["input_ids"], row["labels"], strict=True):
        if label != IGNORE_INDEX:
            assert label == token  # labels are the ids themselves, unshifted
            current.append(token)
        elif current:
            runs.append(current)
            current = []
    runs += [current] if current else []
    return [tok.decode(run) for run in runs]


def test_only_assistant_turns_and_their_im_end_are_learned(tok):
    row = tokenize_record({"id": "fc-1", "messages": TOOL_CHAT}, tok, 4096)
    assert row["outcome"] == "kept" and row["id"] == "fc-1"
    assert learned_runs(tok, row) == [TOOL_CALL + IM_END, FINAL + IM_END]
    unlearned = tok.decode([t for t, lab in zip(row["input_ids"], row["labels"], strict=True) if lab == IGNORE_INDEX])
    for secret in ("SYSTEMSECRET", "USERSECRET", "TOOLSECRET"):
        assert secret in unlearned  # near-miss guard: the secrets are in the row, just never learned
    assert unlearned.startswith("<|begin_of_text|><|im_start|>system\n")
    assert "<|im_start|>assistant\n" in unlearned


def test_overflow_drop_and_truncate(tok):
    record = {"id": "long", "messages": TOOL_CHAT}
    full = tokenize_record(record, tok, 4096)
    n = full["num_tokens"]
    assert tokenize_record(record, tok, n)["outcome"] == "kept"  # exactly max_length fits
    dropped = tokenize_record(record, tok, n - 1)
    assert dropped == {"id": "long", "input_ids": [], "labels": [], "num_tokens": n, "outcome": "too_long"}
    cut = tokenize_record(record, tok, n - 1, overflow="truncate")
    assert cut["outcome"] == "truncated" and cut["num_tokens"] == n
    assert cut["input_ids"] == full["input_ids"][: n - 1] and cut["labels"] == full["labels"][: n - 1]
    # Truncated before the first assistant token: nothing left to learn, so the row is dropped.
    assert tokenize_record(record, tok, 20, overflow="truncate")["outcome"] == "no_output"


def test_rows_without_assistant_turns_and_bad_rows(tok):
    no_answer = {"id": "q", "messages": [{"role": "user", "content": "hello?"}]}
    assert tokenize_record(no_answer, tok, 64)["outcome"] == "no_output"
    with pytest.raises(DataError, match="row 'bad'"):
        tokenize_record({"id": "bad", "messages": [{"role": "user", "content": None}]}, tok, 64)
    with pytest.raises(RecipeError, match="overflow"):
        tokenize_record(no_answer, tok, 64, overflow="split")


def test_tokenize_dataset_counts_outcomes(tok):
    rows = [
        {"id": "fc", "messages": TOOL_CHAT},
        {"id": "short", "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]},
        {"id": "q", "messages": [{"role": "user", "content": "only a question"}]},
    ]
    trainable, counts = tokenize_dataset(datasets.Dataset.from_list(rows), tok, 64)
    assert counts == {"rows": 3, "kept": 1, "truncated": 0, "too_long": 1, "no_output": 1}
    assert trainable["id"] == ["short"]
    trainable, counts = tokenize_dataset(datasets.Dataset.from_list(rows), tok, 64, overflow="truncate")
    assert counts["truncated"] == 1 and trainable["id"] == ["fc", "short"]
    assert max(len(ids) for ids in trainable["input_ids"]) == 64


def test_model_and_tokenizer_must_agree(tok):
    check_model_tokenizer(LlamaConfig(vocab_size=128256, bos_token_id=128000), tok)
    check_model_tokenizer(LlamaConfig(vocab_size=128320, bos_token_id=128000), tok)  # padded embeddings are fine
    with pytest.raises(RecipeError, match=r"embedding has 128000 rows but the tokenizer has 128256 tokens.*128040"):
        check_model_tokenizer(LlamaConfig(vocab_size=128000, bos_token_id=128000), tok)
    with pytest.raises(RecipeError, match="BOS id 128000 differs from the model's bos_token_id 1"):
        check_model_tokenizer(LlamaConfig(vocab_size=128256, bos_token_id=1), tok)


# ---------------------------------------------------------------- the demo build, end to end


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("demo")
    env = dict(os.environ, HERMES_CACHE=str(tmp / "cache"))
    output = tmp / "demo-mix"
    command = [str(BIN / "hermes-data"), "build", str(REPO / "recipes" / "demo.yaml"), "--set", f"output={output}"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp)
    assert result.returncode == 0, result.stderr[-2000:]
    return output


def test_demo_build_output_tokens_equal_learned_labels(tok, demo_build):
    manifest = json.loads((demo_build / "manifest.json").read_text(encoding="utf-8"))
    records = pq.read_table(demo_build / "data").to_pylist()
    assert len(records) == manifest["stats"]["totals"]["rows"] > 0
    rows = [tokenize_record(record, tok, 8192) for record in records]  # the recipe's max_tokens
    assert {row["outcome"] for row in rows} == {"kept"}
    num_learned = sum(label != IGNORE_INDEX for row in rows for label in row["labels"])
    assert num_learned == manifest["stats"]["totals"]["output_tokens"]
    assert sum(len(row["input_ids"]) for row in rows) == manifest["stats"]["totals"]["tokens"]
    for record, row in zip(records, rows, strict=True):
        contents = [m["content"] for m in record["messages"] if m["role"] == "assistant"]
        runs = learned_runs(tok, row)
        assert len(runs) == len(contents), record["id"]
        for run, content in zip(runs, contents, strict=True):
            # The BPE may merge the "\n" after `assistant` with the content's leading whitespace (chatml.py).
            assert run.endswith(content + IM_END) and not run[: -len(content + IM_END)].strip(), record["id"]
