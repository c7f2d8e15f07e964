"""Checkpoint selection: min-max normalized groups (paper Table 2), warnings for flat groups, clear errors."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from hermes_data.errors import DataError
from hermes_train.cli_select import select_command
from hermes_train.select import load_scores, select_checkpoint

SCORES = {
    "checkpoints": {
        "epoch-1": {"mmlu": 60.0, "arc": 50.0, "gsm8k": 40.0},
        "epoch-2": {"mmlu": 70.0, "arc": 52.0, "gsm8k": 30.0},
        "epoch-3": {"mmlu": 65.0, "arc": 60.0, "gsm8k": 35.0},
    },
    "groups": {"knowledge": ["mmlu", "arc"], "math": ["gsm8k"]},
}


def test_groups_are_means_normalized_to_0_100_and_averaged():
    selection = select_checkpoint(SCORES)
    table = selection.table
    # knowledge = mean(mmlu, arc): 55, 61, 62.5 -> 0, 80, 100; math: 40, 30, 35 -> 100, 0, 50.
    assert table["epoch-2"]["groups"]["knowledge"] == {"value": 61.0, "normalized": pytest.approx(80.0)}
    assert table["epoch-1"]["groups"]["math"]["normalized"] == pytest.approx(100.0)
    assert [table[n]["total"] for n in ("epoch-1", "epoch-2", "epoch-3")] == pytest.approx([50.0, 40.0, 75.0])
    assert selection.selected == "epoch-3"
    assert selection.warnings == []


def test_without_groups_each_metric_is_its_own_group():
    scores = {"checkpoints": SCORES["checkpoints"]}
    table = select_checkpoint(scores).table
    assert set(table["epoch-1"]["groups"]) == {"mmlu", "arc", "gsm8k"}
    # mmlu 0/100/50, arc 0/20/100, gsm8k 100/0/50
    assert table["epoch-3"]["total"] == pytest.approx((50 + 100 + 50) / 3)


def test_a_flat_group_is_left_out_with_a_warning():
    scores = {"checkpoints": {"a": {"x": 1.0, "y": 5.0}, "b": {"x": 2.0, "y": 5.0}}}
    selection = select_checkpoint(scores)
    assert selection.table["a"]["groups"]["y"] == {"value": 5.0, "normalized": None}
    assert selection.table["b"]["total"] == pytest.approx(100.0)  # y does not drag the total to 50
    assert selection.selected == "b"
    assert len(selection.warnings) == 1 and "'y'" in selection.warnings[0]


def test_ties_and_a_single_checkpoint_keep_the_first_listed():
    tie = {"checkpoints": {"a": {"x": 1.0, "y": 2.0}, "b": {"x": 2.0, "y": 1.0}}}
    assert select_checkpoint(tie).selected == "a"
    single = select_checkpoint({"checkpoints": {"only": {"x": 3}}})
    assert single.selected == "only" and single.table["only"]["total"] is None
    assert any("no group differs" in w for w in single.warnings)


def test_missing_metric_names_checkpoint_and_metric():
    scores = json.loads(json.dumps(SCORES))
    del scores["checkpoints"]["epoch-2"]["arc"]
    with pytest.raises(DataError, match=r"scores.json: checkpoint 'epoch-2' has no metric 'arc' \(group 'knowledge'\)"):
        select_checkpoint(scores, source="scores.json")
    # Without groups, a metric only some checkpoints have is missing in the others.
    with pytest.raises(DataError, match="checkpoint 'b' has no metric 'z'"):
        select_checkpoint({"checkpoints": {"a": {"x": 1, "z": 2}, "b": {"x": 2}}})


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ([], "expected a JSON object"),
        ({"checkpoints": {}}, "non-empty object"),
        ({"checkpoints": {"a": {"x": 1}}, "weights": {}}, "unknown key"),
        ({"checkpoints": {"a": {"x": "high"}}}, "'x' is 'high', not a finite number"),
        ({"checkpoints": {"a": {"x": float("nan")}}}, "not a finite number"),
        ({"checkpoints": {"a": {"x": 1}}, "groups": {"g": []}}, "group 'g' must be a non-empty list"),
    ],
)
def test_malformed_scores_are_data_errors(scores, message):
    with pytest.raises(DataError, match=message):
        select_checkpoint(scores)


def test_load_scores_errors(tmp_path):
    bad = tmp_path / "s.json"
    bad.write_text('{"checkpoints":\n  {oops}}', encoding="utf-8")
    with pytest.raises(DataError, match=r"s.json:2: not valid JSON"):
        load_scores(bad)
    with pytest.raises(DataError, match="no such file"):
        load_scores(tmp_path / "missing.json")


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(select_command)
    return app


def test_cli_json_and_table(tmp_path):
    path = tmp_path / "scores.json"
    path.write_text(json.dumps(SCORES), encoding="utf-8")
    result = CliRunner().invoke(_app(), [str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["selected"] == "epoch-3"
    assert payload["table"]["epoch-1"]["groups"]["math"] == {"value": 40.0, "normalized": 100.0}
    table = CliRunner().invoke(_app(), [str(path)])
    assert table.exit_code == 0 and "selected: epoch-3" in table.stdout and "epoch-3 *" in table.stdout
