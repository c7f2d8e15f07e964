"""`hermes-data stats` and `convert` through the console script."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

ROWS = [
    {
        "id": "m1",
        "category": "math",
        "conversations": [
            {"from": "human", "value": "What is 12 * 12?"},
            {"from": "gpt", "value": "12 * 12 = 144."},
        ],
    },
    {
        "id": "g1",
        "conversations": [
            {"from": "system", "value": "Be brief."},
            {"from": "human", "value": "Name a prime above 10."},
            {"from": "gpt", "value": "11."},
            {"from": "human", "value": "Another?"},
            {"from": "gpt", "value": "13."},
        ],
    },
]


def _write(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    return path


def test_stats_json_counts_rows_turns_and_tokens(cli, tmp_path):
    from hermes_data.formats import read_records
    from hermes_data.tokenizer import count_tokens, load_tokenizer

    path = _write(tmp_path)
    result = cli("stats", path, "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    records = list(read_records(str(path)))
    expected = count_tokens([r["messages"] for r in records], load_tokenizer())
    assert figures["total"]["rows"] == 2 and figures["total"]["turns"] == 7
    assert figures["total"]["input_tokens"] == sum(i for i, _ in expected)
    assert figures["total"]["output_tokens"] == sum(o for _, o in expected)
    assert set(figures["categories"]) == {r["category"] or "(none)" for r in records}


def test_convert_sharegpt_to_parquet_and_back(cli, tmp_path):
    src = _write(tmp_path)
    parquet = tmp_path / "rows.parquet"
    result = cli("convert", src, parquet, "--to", "parquet")
    assert result.returncode == 0, result.stderr
    table = pq.read_table(parquet)
    assert table.num_rows == 2 and table.column("id").to_pylist() == ["m1", "g1"]
    back = tmp_path / "back.jsonl"
    assert cli("convert", parquet, back, "--to", "sharegpt").returncode == 0
    rows = [json.loads(line) for line in back.read_text().splitlines()]
    assert [t["value"] for t in rows[1]["conversations"]] == [t["value"] for t in ROWS[1]["conversations"]]
    assert [t["from"] for t in rows[1]["conversations"]] == ["system", "human", "gpt", "human", "gpt"]


def test_convert_rejects_unknown_target(cli, tmp_path):
    result = cli("convert", _write(tmp_path), tmp_path / "x", "--to", "csv")
    assert result.returncode == 2 and "csv" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists()


def test_hermes_train_check_tokenizer_prints_ids(cli):
    result = cli("check-tokenizer", script="hermes-train")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["vocab_size"] == 128256 and info["bos"][1] == 128000
    assert info["chatml"] == {"<|im_start|>": 128040, "<|im_end|>": 128041}
