"""The CLI on pair files, column maps, repeated ids and reader-side repairs, through the console script."""

from __future__ import annotations

import json

PAIR_FILES = {
    # TRL conversational: message lists; the second row's rejected reply is empty.
    "trl.jsonl": [
        {
            "prompt": [{"role": "user", "content": "Say hi"}],
            "chosen": [{"role": "assistant", "content": "Hi there!"}],
            "rejected": [{"role": "assistant", "content": "Hello."}],
        },
        {
            "prompt": [{"role": "user", "content": "Name a colour"}],
            "chosen": [{"role": "assistant", "content": "Blue."}],
            "rejected": [{"role": "assistant", "content": ""}],
        },
    ],
    "trl_strings.jsonl": [{"prompt": "What is 2+2?", "chosen": "4", "rejected": "5"}],
    "sharegpt.jsonl": [
        {
            "conversations": [{"from": "human", "value": "Tell me a joke"}],
            "chosen": {"from": "gpt", "value": "Why did the chicken cross the road?"},
            "rejected": {"from": "gpt", "value": "No."},
        }
    ],
    "orca.jsonl": [{"system": "", "question": "Why is the sky blue?", "chosen": "Rayleigh.", "rejected": "Because."}],
    "hh.jsonl": [
        {
            "chosen": "\n\nHuman: Hello\n\nAssistant: Hi, how can I help?\n\nHuman: A fact?\n\nAssistant: Bees dance.",
            "rejected": "\n\nHuman: Hello\n\nAssistant: Hi, how can I help?\n\nHuman: A fact?\n\nAssistant: No.",
        }
    ],
}


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _flat(text: str) -> str:
    """Console output with rich's line wrapping undone."""
    return " ".join(text.split())


def _report(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_validate_reads_every_pair_layout_and_checks_both_replies(cli, tmp_path):
    for name, rows in PAIR_FILES.items():
        path = _jsonl(tmp_path / name, rows)
        report = tmp_path / f"{name}.report"
        result = cli("validate", path, "--report", report)
        lines = _report(report)
        assert "preference pairs" in result.stderr, name
        if name == "trl.jsonl":
            assert result.returncode == 1
            assert [line["valid"] for line in lines] == [True, False]
            assert lines[1]["errors"] == [
                {"code": "empty_turn", "turn": 1, "message": "the message has no content", "side": "rejected"}
            ]
        else:
            assert result.returncode == 0, (name, result.stdout, result.stderr)
            assert all(line["valid"] for line in lines) and len(lines) == len(rows)
        assert "no_assistant" not in report.read_text()


def test_kind_conversations_overrides_the_pair_detection(cli, tmp_path):
    path = _jsonl(tmp_path / "trl.jsonl", PAIR_FILES["trl_strings.jsonl"])
    result = cli("validate", path, "--kind", "conversations")
    assert result.returncode == 2 and "cannot tell the input format" in result.stderr
    bad = cli("validate", path, "--kind", "pair")
    assert bad.returncode == 2 and "--kind 'pair' is not a kind; use one of pairs, conversations" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_kind_pairs_on_a_conversation_file_finds_no_replies(cli, tmp_path):
    rows = [{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}]
    report = tmp_path / "r.jsonl"
    result = cli("validate", _jsonl(tmp_path / "c.jsonl", rows), "--kind", "pairs", "--report", report)
    assert result.returncode == 1
    errors = _report(report)[0]["errors"]
    assert [(e["code"], e["side"]) for e in errors] == [("no_assistant", "chosen"), ("no_assistant", "rejected")]


def test_columns_and_roles_options_on_validate_convert_stats(cli, tmp_path):
    rows = [
        {"turns": [{"speaker": "human", "text": "Hi there"}, {"speaker": "bot", "text": "Hello! How can I help?"}]},
        {"turns": [{"speaker": "human", "text": "Hi"}, {"speaker": "narrator", "text": "..."}]},
    ]
    path = _jsonl(tmp_path / "turns.jsonl", rows)
    opts = ("--columns", "messages=turns,role=speaker,content=text", "--roles", "bot=assistant")
    result = cli("validate", path, *opts)
    assert result.returncode == 1 and "2 rows, 1 valid, 1 invalid" in result.stdout
    assert "turns.jsonl:2: turn 1 has role 'narrator'" in _flat(result.stderr)
    out = tmp_path / "out.jsonl"
    converted = cli("convert", path, out, "--to", "openai", *opts)
    assert converted.returncode == 0 and "1 unreadable" in converted.stdout
    (row,) = _report(out)
    assert [m["role"] for m in row["messages"]] == ["user", "assistant"]
    stats = cli("stats", path, "--json", *opts)
    assert stats.returncode == 0 and json.loads(stats.stdout)["total"]["rows"] == 1
    bad = cli("validate", path, "--columns", "speaker=role")
    assert bad.returncode == 2 and "--columns: unknown target `speaker`" in bad.stderr and "Traceback" not in bad.stderr


def test_repeated_ids_are_reported_and_made_unique(cli, tmp_path):
    hi = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    path = _jsonl(tmp_path / "d.jsonl", [{"id": "x", "messages": hi}, {"id": "x", "messages": hi}])
    out = tmp_path / "out.jsonl"
    result = cli("convert", path, out, "--to", "openai")
    assert result.returncode == 0
    assert "1 rows repeated an id and got a unique one" in _flat(result.stderr)
    assert [r["id"] for r in _report(out)] == ["x", "x-L2"]


def test_convert_counts_python_literal_tools_read_as_json(cli, tmp_path):
    tools = "[{'name': 'get_weather', 'description': 'w', 'parameters': {'type': 'object', 'properties': {}}}]"
    rows = [
        {
            "conversations": [{"from": "human", "value": "weather?"}, {"from": "gpt", "value": "Sunny."}],
            "tools": tools,
        },
        {"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]},
    ]
    out = tmp_path / "out.jsonl"
    result = cli("convert", _jsonl(tmp_path / "glaive.jsonl", rows), out, "--to", "sharegpt")
    assert result.returncode == 0 and "1 repaired, 0 unreadable" in result.stdout
    first = _report(out)[0]
    assert '"name": "get_weather"' in first["conversations"][0]["value"]
    assert first["meta"]["python_literal_read"] == ["tools"]


def test_columns_name_the_prompt_of_a_pair_file(cli, tmp_path):
    rows = [{"problem": "Add 2 and 3.", "chosen": "5", "rejected": "6"}]
    path = _jsonl(tmp_path / "p.jsonl", rows)
    assert cli("validate", path).returncode == 1  # no prompt: the replies stand alone (role_order)
    result = cli("validate", path, "--columns", "prompt=problem")
    assert result.returncode == 0 and "1 rows, all valid" in result.stdout
