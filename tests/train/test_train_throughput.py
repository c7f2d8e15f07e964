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
    assert report["tiny"] and report["device"] == "cpu" and report["peak_tflops"] == 989.4
    rows = {(row["layout"], row["attention"]): row for row in report["results"]}
    assert set(rows) == {("packed", "sdpa"), ("padded", "sdpa"), ("packed", "flex_attention")}
    for key in (("packed", "sdpa"), ("padded", "sdpa")):
        row = rows[key]
        assert row["tokens"] > 0 and row["tokens_per_s"] > 0 and 0 < row["mfu"] < 1, row
        assert row["tflops"] == pytest.approx(row["tokens_per_s"] * row["flops_per_token"] / 1e12)
    # Padding costs computed slots that packing does not: the padded layout's real fraction is the lower one.
    assert rows["padded", "sdpa"]["real_token_fraction"] < rows["packed", "sdpa"]["real_token_fraction"]
    assert all(row["checkpointing"] for row in report["results"]) and report["matmul_tflops"] is None
    flex = rows["packed", "flex_attention"]
    assert "error" in flex or flex["tokens_per_s"] > 0  # flex has no CPU backward in torch 2.13: a reported row
    assert "packed   sdpa" in capsys.readouterr().out


def test_peak_is_the_datasheet_figure_of_the_device_name():
    bench = load_benchmark()
    assert bench.device_peak("NVIDIA H100 80GB HBM3") == bench.device_peak("NVIDIA H200") == 989.4
    assert bench.device_peak("NVIDIA H100 PCIe") == 756.0  # not the SXM part's figure
    assert bench.device_peak("NVIDIA GeForce RTX 4090") is None


def test_rows_of_a_build_with_checkpointing_on_and_off(tmp_path, demo_build):
    """`--dataset` reads a build's rows as the trainer tokenizes them; `--checkpointing on,off` runs each variant
    twice; each row says which it was."""
    bench = load_benchmark()
    out = tmp_path / "throughput.json"
    bench.main(["--tiny", "--dataset", str(demo_build), "--steps", "1", "--warmup", "1", "--max-length", "512",
                "--only", "packed:sdpa", "--checkpointing", "on,off", "--out", str(out)])  # fmt: skip
    report = json.loads(out.read_text())
    expected = bench.build_samples(str(demo_build), 512)
    assert report["dataset"] == str(demo_build) and report["num_samples"] == len(expected) > 0
    assert [(row["checkpointing"], row["compile"]) for row in report["results"]] == [(True, False), (False, False)]
    assert all(row["tokens"] > 0 and "error" not in row for row in report["results"])
    # The same real samples either way: the same real tokens per step.
    assert report["results"][0]["tokens"] == report["results"][1]["tokens"]
    with pytest.raises(SystemExit, match="--checkpointing"):
        bench.main(["--tiny", "--checkpointing", "maybe", "--out", str(out)])
