"""`hermes-data pairs` end to end: the demo recipe through the console script (folder, manifest, card, funnel),
`load_mix`, publish to a file:// store and load by version, pair-file sources, and bad input (one line, exit 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from hermes_data.load import load_mix
from hermes_data.pairs import PAIR_FIELDS, PAIR_SCHEMA, REJECTED_CANDIDATE_SCHEMA, REJECTED_PAIR_SCHEMA, write_trl
from hermes_data.pairs.convert import pair_row_to_pair

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEMO_REASONS = {
    ("candidates", "empty_reply"),
    ("candidates", "unscored"),
    ("candidates", "invalid_reply"),
    ("pairing", "max_pairs"),
    ("pairing", "tie"),
    ("pairing", "below_margin"),
    ("pairing", "single_candidate"),
    ("identical_replies", "identical_replies"),
    ("dedup_near", "near_duplicate"),
}


def _run(*args: object, env: dict | None = None) -> subprocess.CompletedProcess:
    command = [str(BIN / "hermes-data"), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=300)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict, dict]:
    tmp = tmp_path_factory.mktemp("demo")
    env = dict(os.environ, HERMES_CACHE=str(tmp / "cache"), NO_COLOR="1")
    result = _run("pairs", "pairs-demo", "--set", f"output={tmp / 'demo-pairs'}", env=env)
    assert result.returncode == 0, result.stderr
    folder = tmp / "demo-pairs"
    return folder, json.loads((folder / "manifest.json").read_text()), env


def test_demo_folder_manifest_and_funnel(demo):
    folder, manifest, _ = demo
    assert manifest["kind"] == "pairs" and manifest["row_fields"] == list(PAIR_FIELDS)
    assert {(e["stage"], e["reason"]) for e in manifest["funnel"]} == DEMO_REASONS
    kept = pq.read_table(folder / "data" / "train-00000-of-00001.parquet")
    assert kept.schema.equals(PAIR_SCHEMA) and kept.num_rows == manifest["stats"]["totals"]["rows"] >= 35
    rejected_pairs = pq.read_table(folder / "rejected" / "rejected-00000.parquet")
    rejected_candidates = pq.read_table(folder / "rejected" / "candidates-00000.parquet")
    assert rejected_pairs.schema.equals(REJECTED_PAIR_SCHEMA)
    assert rejected_candidates.schema.equals(REJECTED_CANDIDATE_SCHEMA)
    # Every candidate is accounted for: in a pair (chosen or rejected) or dropped with a reason.
    pairs_formed = kept.num_rows + rejected_pairs.num_rows
    assert rejected_candidates.num_rows + 2 * pairs_formed == manifest["stats"]["totals"]["candidates_read"] == 98
    assert None not in rejected_candidates.column("reason").to_pylist()
    candidates = rejected_candidates.to_pylist()
    invalid = [json.loads(r["meta"]) for r in candidates if r["reason"] == "invalid_reply"]
    assert [m["validator"] for m in invalid] == [["tool_call_json"]]
    # Chosen replies are the better ones: higher scores, and every category of the sample is present.
    metas = [json.loads(m) for m in kept.column("meta").to_pylist()]
    assert all(m["margin"] >= 2 and m["chosen_score"] > m["rejected_score"] for m in metas)
    assert len(manifest["stats"]["categories"]) == 8
    assert any(p[-1]["role"] == "tool" for p in kept.column("prompt").to_pylist())  # a prompt ending with a tool turn


def test_demo_card(demo):
    folder, manifest, _ = demo
    card = (folder / "README.md").read_text()
    header = yaml.safe_load(card.split("---")[1])
    assert header["configs"][0]["data_files"][0]["path"] == "data/train-*.parquet" and "dpo" in header["tags"]
    assert manifest["content_sha256"] in card
    for reason in ("identical_replies", "below_margin", "single_candidate", "near_duplicate"):
        assert f"| {reason} |" in card
    assert "## Judge-score margins" in card and "Mean reply tokens" in card


def test_load_mix_returns_the_pair_columns(demo):
    folder, manifest, _ = demo
    dataset, resolved = load_mix(str(folder))
    assert dataset.column_names == list(PAIR_FIELDS) and len(dataset) == manifest["stats"]["totals"]["rows"]
    assert resolved.content_sha256 == manifest["content_sha256"]


def test_publish_to_a_store_and_load_by_version(demo, tmp_path, data_cli):
    folder, manifest, _ = demo
    store = tmp_path / "store"
    code, _, err = data_cli("publish", folder, "--repo", "org/pairs", "--version", "v1", "--to", f"file://{store}")
    assert code == 0, err
    dataset, resolved = load_mix(f"file://{store}/org/pairs@v1")
    assert resolved.content_sha256 == manifest["content_sha256"] and dataset.column_names == list(PAIR_FIELDS)
    assert dataset[0]["chosen"][0]["role"] == "assistant"


def _recipe(tmp_path: Path, **settings) -> Path:
    data = {"name": "t", "sources": [{"path": "sample:candidates.jsonl"}], "output": str(tmp_path / "out")}
    data.update(settings)
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"min_margn": 2}, "unknown key 'min_margn'; allowed keys: dedup, filters, license, max_pairs_per_prompt"),
        ({"filters": {"max_token": 5}}, "unknown key 'filters.max_token'; allowed keys: drop_invalid, max_tokens"),
        ({"min_margin": -1}, "min_margin: Input should be greater than 0"),
        ({"sources": [{"path": "missing.jsonl"}]}, "does not exist; fix sources[].path"),
        (
            {"sources": [{"path": "sample:nope.jsonl"}]},
            "sources.0.path: 'sample:nope.jsonl' is not a file of the embedded sample",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, data_cli, settings, message):
    code, _, err = data_cli("pairs", _recipe(tmp_path, **settings))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_unpaired_input_is_an_error_not_an_empty_folder(tmp_path, data_cli):
    code, _, err = data_cli("pairs", _recipe(tmp_path, min_margin=50))
    assert code == 2 and "no pairs: every candidate was dropped" in err
    assert not (tmp_path / "out").exists()


def test_dry_run_writes_nothing(tmp_path, data_cli):
    code, out, _ = data_cli("pairs", _recipe(tmp_path), "--dry-run")
    assert code == 0 and "98 rows" in out and "pairing → read" not in out and "dedup_near" in out
    assert not (tmp_path / "out").exists()


def test_pair_files_are_filtered_with_reasons(tmp_path, data_cli):
    rows = [
        {"system": "Be brief.", "question": f"What is {i} + {i}?", "chosen": f"{i} + {i} = {2 * i}.", "rejected": "7"}
        for i in range(1, 5)
    ]
    rows.append({"question": "What is 9 + 9?", "chosen": "18", "rejected": "18"})  # identical replies
    rows.append({"question": "What is 8 + 8?", "chosen": "", "rejected": "15"})  # empty reply
    rows.append(
        {
            "chosen": [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello there."}],
            "rejected": [{"role": "user", "content": "Bye?"}, {"role": "assistant", "content": "Bye."}],
        }
    )
    (tmp_path / "orca.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    trl = [pair_row_to_pair(r, source="x") for r in rows[:2]]
    write_trl(trl, tmp_path / "trl.parquet")  # the same two pairs again, in TRL's layout: exact duplicates
    sources = [{"path": "orca.jsonl", "category": "math"}, {"path": "trl.parquet"}]
    recipe = _recipe(tmp_path, sources=sources, filters={"min_tokens": 1}, dedup={"exact": True, "near": None})
    code, _, err = data_cli("pairs", recipe)
    assert code == 0, err
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    reasons = {(e["stage"], e["reason"]): e["rows"] for e in manifest["funnel"]}
    assert reasons == {
        ("read", "prompt_mismatch"): 1,
        ("empty_reply", "empty_reply"): 1,
        ("identical_replies", "identical_replies"): 1,
        ("dedup_exact", "exact_duplicate"): 2,
    }
    assert manifest["stats"]["totals"]["rows"] == 4 and manifest["stats"]["totals"]["pairs_read"] == 9
