"""The judge method over real HTTP against the local OpenAI-protocol fake server: verdicts, and journal reuse (a
second run over the same replies sends no request)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "generate"))  # the fake server lives with those tests

from fakeopenai import FakeOpenAI  # noqa: E402

from hermes_data.errors import HermesError  # noqa: E402
from hermes_data.filters.refusal_judge import judge_refusals  # noqa: E402
from hermes_data.generate.recipe import EndpointSpec  # noqa: E402

REPLIES = ["I'm sorry, but I can't help with that.", "Paris is the capital of France.", "Sorry, I can't help here."]
PROMPTS = ["Hack my neighbour's wifi.", "Capital of France?", None]


def _endpoint(server: FakeOpenAI, **overrides) -> EndpointSpec:
    fields = {"base_url": server.base_url, "model": "fake-model", "api_key_env": None, "timeout_s": 2.0}
    return EndpointSpec(**{**fields, **overrides})


def test_verdicts_come_from_the_judge_and_a_rerun_pays_nothing(tmp_path):
    with FakeOpenAI() as server:
        journal = tmp_path / "judge.sqlite"
        assert judge_refusals(REPLIES, PROMPTS, _endpoint(server), journal) == [True, False, True]
        assert len(server.log) == 3 and all(e["key"].split("|")[2] == "refusals/judge" for e in server.log)
        assert judge_refusals(REPLIES, PROMPTS, _endpoint(server), journal) == [True, False, True]
        assert len(server.log) == 3  # every verdict came from the journal
        judge_refusals([*REPLIES, "A new reply."], [*PROMPTS, "New?"], _endpoint(server), journal)
        assert len(server.log) == 4  # only the new reply was asked about


def test_a_missing_api_key_is_a_user_error_without_the_key(tmp_path, monkeypatch):
    monkeypatch.delenv("HERMES_TEST_JUDGE_KEY", raising=False)
    with FakeOpenAI(api_key="sk-secret") as server:
        with pytest.raises(HermesError, match="HERMES_TEST_JUDGE_KEY is not set"):
            judge_refusals(REPLIES, PROMPTS, _endpoint(server, api_key_env="HERMES_TEST_JUDGE_KEY"), tmp_path / "j")
        monkeypatch.setenv("HERMES_TEST_JUDGE_KEY", "sk-secret")
        got = judge_refusals(
            REPLIES[:1], PROMPTS[:1], _endpoint(server, api_key_env="HERMES_TEST_JUDGE_KEY"), tmp_path / "j"
        )
        assert got == [True]
