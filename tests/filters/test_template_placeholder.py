"""Unrendered template placeholders in replies: dropped with the placeholder and turn; code, quotes and LaTeX kept."""

from __future__ import annotations

import json

import pytest

from hermes_data.build.recipe import BuildRecipe
from hermes_data.build.stages import build_stages
from hermes_data.filters.template_placeholder import find_placeholder, template_placeholder_filter
from hermes_data.stages import Funnel, run_stages


def chat(user: str, *replies: str) -> list[dict]:
    turns = [{"role": "user", "content": user}]
    for i, reply in enumerate(replies):
        if i:
            turns.append({"role": "user", "content": "And more?"})
        turns.append({"role": "assistant", "content": reply})
    return turns


IDENTITY = "Hello! I am {{name}}, an AI assistant created by {{ author }}. How can I help you today?"
JINJA_FENCED = "Use a Jinja template:\n\n```html\n<h1>Hello {{ user.name }}!</h1>\n```\n\nRender it with `render()`."
JINJA_INLINE = "In Handlebars, `{{name}}` prints the value of `name`, escaped."


def test_placeholder_in_a_reply_is_dropped_with_its_turn(work_table):
    table = work_table([chat("Who are you?", IDENTITY), chat("Hi", "Hi there, glad to meet you.", "I'm {{char}}.")])
    verdict = template_placeholder_filter(table)
    assert verdict.keep.tolist() == [False, False]
    assert verdict.reasons == ["template_placeholder", "template_placeholder"]
    assert json.loads(verdict.details[0]) == {"placeholder": "{{name}}", "turn": 1}
    assert json.loads(verdict.details[1]) == {"placeholder": "{{char}}", "turn": 3}


def test_placeholders_in_code_are_kept(work_table):
    table = work_table([chat("Show me a Jinja greeting.", JINJA_FENCED), chat("What does it do?", JINJA_INLINE)])
    verdict = template_placeholder_filter(table)
    assert verdict.keep.tolist() == [True, True]
    # the same text outside code is caught: it is the code span that keeps it
    assert find_placeholder(JINJA_INLINE.replace("`", "")) == "{{name}}"


def test_a_placeholder_only_in_the_users_turn_is_not_the_replys_fault(work_table):
    table = work_table(
        [
            chat("Dear {{name}}, thanks for your order.", "Here is the email with the greeting filled: Dear Ana, ..."),
            chat("What does {{name}} mean in a Mustache file?", "The {{name}} tag prints the name variable."),
        ]
    )
    assert template_placeholder_filter(table).keep.tolist() == [True, True]


@pytest.mark.parametrize(
    "reply",
    [
        r"The fraction is $\frac{{a}}{b}$ and $x^{{2}}$.",
        "A set literal in math: {{1, 2}, {3}}.",
        "Braces {{ }} alone are not a variable.",
        # a GitHub Actions expression in an unfenced workflow (real alpaca_eval replies have these)
        "    with:\n      github_token: ${{ secrets.GITHUB_TOKEN }}\n",
    ],
)
def test_latex_actions_and_other_double_braces_are_not_placeholders(reply):
    assert find_placeholder(reply) is None


def test_filter_switch_off_keeps_the_row(work_table):
    table = work_table([chat("Who are you?", IDENTITY), chat("Explain tides.", "The moon's pull raises the sea. " * 4)])
    recipe = {"name": "r", "output": "out", "sources": [{"path": "a.jsonl"}], "dedup": {"near": None}}

    def kept(**filters) -> list[str]:
        stages = build_stages(BuildRecipe.model_validate({**recipe, "filters": filters}))
        return [m[-1]["content"] for m in run_stages(table, stages, Funnel()).table.column("messages").to_pylist()]

    assert IDENTITY not in kept()
    assert IDENTITY in kept(template_placeholder=False)
