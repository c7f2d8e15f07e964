import time

import pytest

from hermes_data.markup.reasoning import (
    FIGURE9_TAGS,
    REASONING_TAGS,
    RESERVED_TAG_TOKENS,
    RESERVED_TAGS,
    check_reasoning_tags,
    find_reasoning_tags,
)

# An answer shaped like the paper's Figure 9 (agentic coding), with code in fences that itself contains `<T>`-like
# text and a quoted tag.
FIGURE9_ANSWER = """<SCRATCHPAD>
<RESTATEMENT>
The task is to write a Discord bot that answers with the most popular LLM on Hugging Face.
</RESTATEMENT>
<REASONING>
<THOUGHT_1>The Hub API lists models sorted by downloads, so the most popular one is the first result.</THOUGHT_1>
<THOUGHT_2>discord.py handles events; a message handler can call the model.</THOUGHT_2>
</REASONING>
<PLAN>
<STEP_1>Query the Hub for the most downloaded text-generation model.</STEP_1>
<STEP_2>Load it with a transformers pipeline.</STEP_2>
<STEP_3>Reply to every message that mentions the bot.</STEP_3>
</PLAN>
<PYDANTIC_SCHEMAS>
<SCHEMA_1>
class BotConfig(BaseModel):
    token: str
    model_id: str | None = None
</SCHEMA_1>
</PYDANTIC_SCHEMAS>
<DIAGRAM>
graph TD
    A["Start bot"] --> B["Find most popular model"] --> C["Answer messages"]
</DIAGRAM>
<REFLECTION>
The plan covers discovery, loading and replying; rate limits are not handled, which is acceptable for a demo.
</REFLECTION>
</SCRATCHPAD>
<SOLUTION>
```python
from typing import List  # List<T> in Java terms; `<PLAN>` in a string is not markup
import discord

PROMPT = "<PLAN> and <STEP_1> are tags"
```
</SOLUTION>
<EXPLANATION>
`find_model` returns the first id; the bot replies in the channel of the message.
</EXPLANATION>
<UNIT_TEST>
```python
def test_find_model():
    assert find_model() is not None
```
</UNIT_TEST>"""


def messages(text: str) -> list[str]:
    return [problem.message for problem in check_reasoning_tags(text)]


def test_figure9_answer_is_valid():
    assert check_reasoning_tags(FIGURE9_ANSWER) == []


def test_figure9_answer_tags_are_found_in_order_with_numbers_folded():
    assert find_reasoning_tags(FIGURE9_ANSWER) == [
        "SCRATCHPAD",
        "RESTATEMENT",
        "REASONING",
        "THOUGHT_N",
        "PLAN",
        "STEP_N",
        "PYDANTIC_SCHEMAS",
        "SCHEMA_N",
        "DIAGRAM",
        "REFLECTION",
        "SOLUTION",
        "EXPLANATION",
        "UNIT_TEST",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("</THOUGHT_2>", "", "</REASONING> at line 8 closes <THOUGHT_2>"),
        ("</SCRATCHPAD>", "", "unclosed <SCRATCHPAD> opened at line 1"),
        ("<PLAN>", "", "</PLAN> at line 13 without opening <PLAN>"),
        ("</STEP_2>", "</STEP_3>", "</STEP_3> at line 11 closes <STEP_2>"),
        ("</SCHEMA_1>", "</SCHEMA_2>", "</SCHEMA_2> at line 19 closes <SCHEMA_1> (opened at line 15)"),
        ("<DIAGRAM>", "<DIAGRAM><DIAGRAM>", "</SCRATCHPAD> at line 28 closes <DIAGRAM> (opened at line 21)"),
        (
            "<REFLECTION>",
            "",
            "</REFLECTION> at line 27 without opening <REFLECTION> (innermost open tag: <SCRATCHPAD>)",
        ),
        ("</UNIT_TEST>", "</UNIT_TEST></UNIT_TEST>", "without opening <UNIT_TEST>"),
    ],
)
def test_broken_figure9_variants_are_reported(old, new, expected):
    broken = FIGURE9_ANSWER.replace(old, new, 1)
    problems = check_reasoning_tags(broken)
    assert len(problems) == 1, problems  # one mistake, one report
    assert problems[0].code == "tag_unbalanced"
    assert expected in problems[0].message


def test_unclosed_tag_names_the_tag():
    assert messages("<PLAN>\nstep one") == ["unclosed <PLAN> opened at line 1"]


def test_closing_without_opening_names_the_tag():
    assert messages("text\n</PLAN>") == ["</PLAN> at line 2 without opening <PLAN>"]


def test_closing_an_outer_tag_over_an_open_inner_one_is_one_problem():
    assert messages("<PLAN>\n<STEP_1>first\n</PLAN>") == ["</PLAN> at line 3 closes <STEP_1> (opened at line 2)"]


def test_crossed_tags_are_reported_once():
    assert messages("<PLAN><STEP_1>x</PLAN></STEP_1>") == ["</PLAN> at line 1 closes <STEP_1> (opened at line 1)"]


def test_stray_closing_after_a_crossing_is_still_reported_when_extra():
    found = messages("<PLAN><STEP_1>x</PLAN></STEP_1></STEP_1>")
    assert found[-1] == "</STEP_1> at line 1 without opening <STEP_1>"
    assert len(found) == 2


@pytest.mark.parametrize("tag", REASONING_TAGS + ("RESTATEMENT", "THOUGHT_7", "STEP_12", "PYDANTIC_SCHEMAS", "DIAGRAM"))
def test_every_tag_is_checked(tag):
    assert messages(f"<{tag}>body") == [f"unclosed <{tag}> opened at line 1"]
    assert messages(f"<{tag}>body</{tag}>") == []


def test_all_ten_tags_nested_and_sequential_are_valid():
    nested = "".join(f"<{t}>" for t in REASONING_TAGS) + "x" + "".join(f"</{t}>" for t in reversed(REASONING_TAGS))
    sequential = "\n".join(f"<{t}>x</{t}>" for t in REASONING_TAGS)
    assert check_reasoning_tags(nested) == []
    assert check_reasoning_tags(sequential) == []


@pytest.mark.parametrize(
    "text",
    [
        "Use List<T> or Map<K, List<T>> in Java.",
        "<TODO> fix this <BR> and <T> <div><b>bold</div>",
        "The format uses <STEP_N> where N is the step number, and <THOUGHT_N> likewise.",
        "lowercase <plan> and <thinking> are not the paper's tags",
        "Spaced or extended: <PLAN > <PLANNING> <STEP_1a> <SCRATCHPAD/> < PLAN>",
        "Inline `<PLAN>` and `</SCRATCHPAD>` are code.",
        "```xml\n<SCRATCHPAD>\n<PLAN>\n```\n",
        "~~~\n</REFLECTION>\n~~~",
    ],
)
def test_near_misses_are_not_markup(text):
    assert check_reasoning_tags(text) == []


def test_tag_in_code_does_not_pair_with_a_tag_outside():
    assert messages("`<PLAN>` then\n</PLAN>") == ["</PLAN> at line 2 without opening <PLAN>"]


def test_find_reasoning_tags_ignores_code_and_unknown_tags():
    assert find_reasoning_tags("<THINKING>a</THINKING> `<PLAN>` <TODO> </REFLECTION>") == ["THINKING", "REFLECTION"]


def test_reserved_tags_are_the_ten_paper_tags():
    paper = ["SCRATCHPAD", "REASONING", "INNER_MONOLOGUE", "PLAN", "EXECUTION"]
    paper += ["REFLECTION", "THINKING", "SOLUTION", "EXPLANATION", "UNIT_TEST"]
    assert paper == RESERVED_TAGS
    assert tuple(paper) == REASONING_TAGS
    assert "<UNIT_TEST>" in RESERVED_TAG_TOKENS and "</UNIT_TEST>" in RESERVED_TAG_TOKENS
    assert len(set(RESERVED_TAG_TOKENS)) == 20
    assert FIGURE9_TAGS == ("RESTATEMENT", "THOUGHT_N", "STEP_N", "PYDANTIC_SCHEMAS", "SCHEMA_N", "DIAGRAM")


def test_check_is_linear_on_many_tags():
    opens = "<PLAN>x" * 50_000  # deep stack, then closings of another name that is never open
    strays = "</STEP_1>" * 50_000
    balanced = "<THOUGHT_1>a</THOUGHT_1>" * 50_000
    start = time.perf_counter()
    assert len(check_reasoning_tags(opens + strays)) == 100_000
    assert check_reasoning_tags(balanced) == []
    assert time.perf_counter() - start < 5.0
