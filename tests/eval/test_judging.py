"""MT-Bench judging against a local OpenAI-compatible server: ratings, retries, failures, prompts, the API key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from judge_server import JudgeServer, rating_for

from hermes_data.errors import DataError, RecipeError
from hermes_train.eval.judging import judge_all, judge_messages
from hermes_train.eval.mtbench import generate_answers, load_questions, run_mtbench
from hermes_train.eval.suite import JudgeSpec, MTBenchSpec


def judge_spec(server: JudgeServer, **extra) -> JudgeSpec:
    return JudgeSpec(base_url=server.base_url, model="judge", api_key_env=None, max_attempts=2, backoff_base_s=0,
                     max_retries=1, **extra)  # fmt: skip


def item(qid: str, turn: int = 1) -> tuple[str, int, list[dict]]:
    questions, answers = ["Q1 text", "Q2 text"], [f"answer of {qid}", "second answer"]
    return qid, turn, judge_messages(questions, answers, turn)


def test_ratings_retries_and_failures_are_reported():
    with JudgeServer() as server:
        judgments = judge_all([item("ok"), item("flaky"), item("garbled"), item("broken")], judge_spec(server), seed=7)
    ok, flaky, garbled, broken = judgments
    assert ok.score == rating_for(item("ok")[2][-1]["content"]) and ok.attempts == 1 and ok.failure is None
    assert flaky.score is not None and flaky.attempts == 2  # unparseable once, then asked again and rated
    assert garbled.score is None and garbled.attempts == 2  # max_retries=1: two tries, then a failure, not a zero
    assert garbled.failure["reason"] == "rating_unparseable" and "Rating: 7/10" in garbled.failure["detail"]
    assert broken.score is None and broken.failure["reason"] == "http_500"
    keys = [r["key"] for r in server.requests]
    assert keys.count("mtbench|broken|judge/turn1|0") == 2  # the client's HTTP attempts, then given up
    seeds = [r["body"]["seed"] for r in server.requests if r["key"].startswith("mtbench|garbled|")]
    assert seeds == [7, 8]  # a retry asks with another seed


def test_turn_two_is_judged_with_the_whole_conversation():
    first, second = judge_messages(["Q1", "Q2"], ["A1", "A2"], 1), judge_messages(["Q1", "Q2"], ["A1", "A2"], 2)
    assert "[Question]\nQ1" in first[1]["content"] and "A2" not in first[1]["content"]
    assert "[[rating]]" in first[1]["content"]  # the Figure 7 / MT-Bench format instruction
    body = second[1]["content"]
    assert body.index("Q1") < body.index("A1") < body.index("Q2") < body.index("A2")
    assert "second user question" in second[0]["content"]


def test_api_key_comes_from_the_named_env_var_only(monkeypatch):
    monkeypatch.setenv("JUDGE_KEY_FOR_TEST", "sk-secret-123")
    with JudgeServer() as server:
        judge_all([item("ok")], judge_spec(server).model_copy(update={"api_key_env": "JUDGE_KEY_FOR_TEST"}), seed=0)
    assert server.requests[0]["auth"] == "Bearer sk-secret-123"
    monkeypatch.delenv("JUDGE_KEY_FOR_TEST")
    with pytest.raises(RecipeError, match="JUDGE_KEY_FOR_TEST"):
        judge_all([item("ok")], JudgeSpec(base_url="http://127.0.0.1:9/v1", api_key_env="JUDGE_KEY_FOR_TEST"), seed=0)


def write_questions(path: Path, ids: list[str]) -> Path:
    path.write_text("".join(json.dumps({"question_id": q, "turns": [f"{q} one?", f"{q} two?"]}) + "\n" for q in ids))
    return path


def echo(conversations: list[list[dict]]) -> list[str]:
    """A stand-in model: answers with the last question reversed (the judge's score depends on the answer)."""
    return [c[-1]["content"][::-1] for c in conversations]


def test_mtbench_scores_average_rated_turns_and_list_failures(tmp_path):
    questions = write_questions(tmp_path / "q.jsonl", ["q1", "q2", "garbled-3"])
    with JudgeServer() as server:
        spec = MTBenchSpec(questions=str(questions), judge=judge_spec(server))
        metrics, meta, warnings = run_mtbench(echo, spec, seed=0)
    rated = [r["score"] for r in meta["ratings"] if r["score"] is not None]
    assert len(rated) == 4 and meta["num_failed"] == 2 and meta["num_judgments"] == 6
    assert metrics["mtbench/score"] == pytest.approx(sum(rated) / 4)
    turn1 = [r["score"] for r in meta["ratings"] if r["turn"] == 1 and r["score"] is not None]
    assert metrics["mtbench/turn_1"] == pytest.approx(sum(turn1) / len(turn1))
    assert {f["question_id"] for f in meta["failures"]} == {"garbled-3"} and "2 of 6" in warnings[0]
    # Turn 2's prompt carried the model's own first answer.
    second = [r for r in server.requests if r["key"] == "mtbench|q1|judge/turn2|0"][0]
    assert "?eno 1q" in second["body"]["messages"][-1]["content"]


def test_mtbench_with_every_judgment_failing_is_an_error(tmp_path):
    questions = write_questions(tmp_path / "q.jsonl", ["broken-1"])
    with JudgeServer() as server, pytest.raises(DataError, match="all 2 judgments failed"):
        run_mtbench(echo, MTBenchSpec(questions=str(questions), judge=judge_spec(server)), seed=0)


def test_answers_follow_the_conversation_turn_by_turn():
    seen = []

    def model(conversations):
        seen.append(conversations)
        return [f"reply {len(c)}" for c in conversations]

    questions = [{"question_id": "a", "turns": ["x", "y"]}, {"question_id": "b", "turns": ["z"]}]
    assert generate_answers(model, questions) == [["reply 1", "reply 3"], ["reply 1"]]
    assert seen[1] == [[{"role": "user", "content": "x"}, {"role": "assistant", "content": "reply 1"},
                        {"role": "user", "content": "y"}]]  # fmt: skip


def test_questions_file_errors_name_the_line(tmp_path):
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"question_id": 1, "turns": ["ok"]}\n{"question_id": 2}\n')
    with pytest.raises(DataError, match=r"q.jsonl:2:"):
        load_questions(str(bad))
