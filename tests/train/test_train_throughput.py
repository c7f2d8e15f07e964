"""Smoke test of benchmarks/train_throughput.py --tiny: it runs on CPU and its JSON holds the figures (no timings are
asserted: the numbers of a tiny CPU model mean nothing)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

pytest.importorskip("torch")

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "train_throughput.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("train_throughput", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_flops_per_token_is_torchtitans_formula():
    bench = load_benchmark()
    config = {"vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4}
    # 6 x (parameters without the input embedding) + 12 x layers x heads x head size x sequence length
    assert bench.flops_per_token(config, 10_000, 256) == 6 * (10_000 - 6_400) + 12 * 2 * 4 * 16 * 256


def test_tiny_run_writes_the_figures(tmp_path, capsys):
    bench = load_benchmark()
    out = tmp_path / "throughput.json"
    only = "packed:sdpa,padded:sdpa,packed:flex_attention"
    bench.main(["--tiny", "--steps", "2", "--warmup", "1", "--only", only, "--out", str(out)])
    report = json.loads(out.read_text())
    assert report["tiny"] and report["device"] == "cpu" and report["peak_tflops"] == 989.0
    rows = {(row["layout"], row["attention"]): row for row in report["results"]}
    assert set(rows) == {("packed", "sdpa"), ("padded", "sdpa"), ("packed", "flex_attention")}
    for key in (("packed", "sdpa"), ("padded", "sdpa")):
        row = rows[key]
        assert row["tokens"] > 0 and row["tokens_per_s"] > 0 and 0 < row["mfu"] < 1, row
        assert row["tflops"] == pytest.approx(row["tokens_per_s"] * row["flops_per_token"] / 1e12)
    # Padding costs computed slots that packing does not: the padded layout's real fraction is the lower one.
    assert rows["padded", "sdpa"]["real_token_fraction"] < rows["packed", "sdpa"]["real_token_fraction"]
    flex = rows["packed", "flex_attention"]
    assert "error" in flex or flex["tokens_per_s"] > 0  # flex has no CPU backward in torch 2.13: a reported row
    assert "packed   sdpa" in capsys.readouterr().out
