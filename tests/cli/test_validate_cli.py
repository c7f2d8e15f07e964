"""`hermes-data validate` through the console script: exit codes, the report, repair and bad input."""

from __future__ import annotations

import json

SYSTEM_TOOLS = (
    "You are a function calling AI model. Here are the available tools: <tools> "
    + json.dumps(
        [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Current weather for a city.",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
                },
            }
        ]
    )
    + " </tools>"
)


def _row(call_args: dict, row_id: str) -> dict:
    call = json.dumps({"name": "get_weather", "arguments": call_args})
    return {
        "id": row_id,
        "conversations": [
            {"from": "system", "value": SYSTEM_TOOLS},
            {"from": "human", "value": "Weather in Paris?"},
            {"from": "gpt", "value": f"<tool_call>\n{call}\n</tool_call>"},
            {
                "from": "tool",
                "value": '<tool_response>\n{"name": "get_weather", "content": {"temp_c": 21}}\n</tool_response>',
            },
            {"from": "gpt", "value": "It is 21 °C in Paris."},
        ],
    }


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _report(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_valid_file_exits_zero(cli, tmp_path):
    data = _write_jsonl(tmp_path / "ok.jsonl", [_row({"city": "Paris"}, "a")])
    result = cli("validate", data)
    assert result.returncode == 0, result.stdout + result.stderr


def test_invalid_row_exits_one_and_report_names_code_and_turn(cli, tmp_path):
    data = _write_jsonl(tmp_path / "mixed.jsonl", [_row({"city": "Paris"}, "good"), _row({"town": "Paris"}, "bad")])
    report = tmp_path / "report.jsonl"
    result = cli("validate", data, "--report", report)
    assert result.returncode == 1
    lines = _report(report)
    assert [(r["id"], r["index"], r["valid"]) for r in lines] == [("good", 0, True), ("bad", 1, False)]
    first = lines[1]["errors"][0]
    assert (first["code"], first["turn"]) == ("tool_call_args", 2)
    assert "tool_call_args" in result.stdout


def test_python_literals_reported_then_repaired_malformed_call_stays(cli, fixtures, tmp_path):
    data = fixtures / "function_calling_like.jsonl"
    plain, repaired = tmp_path / "plain.jsonl", tmp_path / "repaired.jsonl"
    assert cli("validate", data, "--report", plain).returncode == 1
    codes = {r["id"]: {e["code"] for e in r["errors"]} for r in _report(plain)}
    assert "python_literal" in codes["lit-call"]
    assert "python_literal" in codes["lit-schema"]
    assert "tool_call_json" in codes["malformed-call"]

    assert cli("validate", data, "--repair", "--report", repaired).returncode == 1
    after = {r["id"]: {e["code"] for e in r["errors"]} for r in _report(repaired)}
    assert after["lit-call"] == set() and after["lit-schema"] == set()
    assert "tool_call_json" in after["malformed-call"]


def test_malformed_json_line_is_reported_with_file_and_line_and_run_goes_on(cli, tmp_path):
    data = tmp_path / "broken.jsonl"
    good = json.dumps(_row({"city": "Oslo"}, "g"))
    data.write_text(good + "\n{not json\n" + good.replace('"g"', '"h"') + "\n", encoding="utf-8")
    report = tmp_path / "r.jsonl"
    result = cli("validate", data, "--report", report)
    assert result.returncode == 1
    lines = _report(report)
    assert len(lines) == 3 and lines[2]["valid"] and lines[2]["id"] == "h"
    assert lines[1]["errors"][0]["code"] == "unreadable"
    assert f"{data}:2" in lines[1]["errors"][0]["message"]
    assert "Traceback" not in result.stderr


def test_missing_file_is_one_line_exit_two(cli, tmp_path):
    result = cli("validate", tmp_path / "nope.jsonl")
    assert result.returncode == 2
    assert "nope.jsonl" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2


def test_unknown_format_is_exit_two(cli, tmp_path):
    data = _write_jsonl(tmp_path / "ok.jsonl", [_row({"city": "Paris"}, "a")])
    result = cli("validate", data, "--format", "yaml-ish")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "yaml-ish" in result.stderr


def test_invalid_utf8_and_huge_rows_do_not_crash(cli, tmp_path):
    big = _row({"city": "Paris"}, "big")
    big["conversations"][4]["value"] = "word " * 1_000_000  # ~5 MB in one line
    data = tmp_path / "odd.jsonl"
    data.write_bytes(
        json.dumps(_row({"city": "Rome"}, "latin1")).encode().replace(b"Rome", b"R\xf6me")
        + b"\n"
        + json.dumps(big).encode()
        + b"\n"
    )
    report = tmp_path / "r.jsonl"
    result = cli("validate", data, "--report", report)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    lines = _report(report)
    assert len(lines) == 2 and lines[1]["id"] == "big" and lines[1]["valid"]
