import random
import re
import time

import pytest

from hermes_data.markup.code_spans import line_locator, mask_code


def masked_part(text: str, needle: str) -> str:
    """The masked text at the position of `needle` in the original."""
    start = text.index(needle)
    return mask_code(text)[start : start + len(needle)]


@pytest.mark.parametrize(
    "text",
    [
        "plain text, no code",
        "a `b` c",
        "```python\nx = '<PLAN>'\n```\nafter",
        "~~~\nopen forever <SCRATCHPAD>\n\nstill code",
        "``a ` b`` and `\n`",
        "\r\nwindows ```\r\ncode\r\n```\r\n",
        "",
    ],
)
def test_mask_keeps_length_and_newlines(text):
    masked = mask_code(text)
    assert len(masked) == len(text)
    assert [i for i, c in enumerate(masked) if c == "\n"] == [i for i, c in enumerate(text) if c == "\n"]


def test_text_without_code_is_unchanged():
    text = "List<T> is generic; <PLAN> here is real markup ~~ not a fence"
    assert mask_code(text) == text


def test_fenced_block_with_info_string_is_masked_and_text_around_kept():
    text = "Before <A>\n```java\nList<T> xs = new ArrayList<>();\n```\nAfter <B>"
    masked = mask_code(text)
    assert "List<T>" not in masked and "java" not in masked and "```" not in masked
    assert masked.startswith("Before <A>\n") and masked.endswith("\nAfter <B>")


def test_tilde_fence_is_masked():
    assert masked_part("~~~\n<PLAN>\n~~~\n", "<PLAN>").strip() == ""


def test_shorter_closing_fence_does_not_close():
    text = "````md\n```\n<PLAN>\n```\n````\nafter"
    assert masked_part(text, "<PLAN>").strip() == ""
    assert mask_code(text).endswith("after")


def test_other_fence_character_does_not_close():
    text = "```\n~~~\n<PLAN>\n```\nafter"
    assert masked_part(text, "<PLAN>").strip() == ""
    assert mask_code(text).endswith("after")


def test_closing_fence_may_be_longer():
    text = "```\ncode\n`````\n<PLAN>"
    assert masked_part(text, "<PLAN>") == "<PLAN>"


def test_unclosed_fence_masks_to_end_of_text():
    text = "Intro\n```python\nprint('<SOLUTION>')\n\nmore <REFLECTION>"
    masked = mask_code(text)
    assert masked.startswith("Intro\n")
    assert masked[len("Intro\n") :].strip() == ""


def test_indented_fence_inside_list_item_is_masked():
    text = "1. Step one:\n    ```xml\n    <PLAN>\n    ```\n2. Done <STEP_1>"
    assert masked_part(text, "<PLAN>").strip() == ""
    assert masked_part(text, "<STEP_1>") == "<STEP_1>"


def test_fence_line_with_text_after_closing_run_does_not_close():
    # "``` trailing" is not a closing fence; the block stays open until a bare fence line.
    text = "```\n``` not a close\n<PLAN>\n```\nafter"
    assert masked_part(text, "<PLAN>").strip() == ""
    assert mask_code(text).endswith("after")


def test_inline_span_is_masked_but_neighbours_are_not():
    text = "Use `List<T>` like <PLAN> says"
    masked = mask_code(text)
    assert "List<T>" not in masked and "`" not in masked
    assert "<PLAN>" in masked


def test_double_backtick_span_can_contain_a_single_backtick():
    text = "Write ``a ` <PLAN> b`` then <STEP_1>"
    assert masked_part(text, "<PLAN>").strip() == ""
    assert masked_part(text, "<STEP_1>") == "<STEP_1>"


def test_run_lengths_must_match_exactly():
    text = "``a` <PLAN>"
    assert mask_code(text) == text


def test_unmatched_backtick_is_literal_and_later_spans_still_work():
    text = "The ` key. Then `<PLAN>`"
    # the first backtick pairs with the next one of the same length, as in CommonMark
    assert masked_part(text, " key. Then ").strip() == ""
    assert masked_part(text, "<PLAN>") == "<PLAN>"


def test_inline_span_does_not_cross_a_blank_line():
    text = "A stray ` here.\n\nLater <PLAN> and `x`"
    assert masked_part(text, "<PLAN>") == "<PLAN>"
    assert masked_part(text, "`x`").strip() == ""


def test_inline_span_does_not_cross_a_fenced_block():
    text = "open ` <A>\n```\ncode\n```\n<B> close `"
    masked = mask_code(text)
    assert "<A>" in masked and "<B>" in masked
    assert "code" not in masked


def test_three_backticks_on_one_line_are_inline_code_not_a_fence():
    text = "```<PLAN>``` and then <STEP_1>\nnext line"
    assert masked_part(text, "<PLAN>").strip() == ""
    assert masked_part(text, "<STEP_1>") == "<STEP_1>"
    assert masked_part(text, "next line") == "next line"


def test_escaped_backtick_does_not_open_a_span():
    text = r"a \`<PLAN>` b"
    assert mask_code(text) == text


def test_escaped_backslash_does_not_escape_the_backtick():
    text = r"a \\`<PLAN>` b"
    assert masked_part(text, "<PLAN>").strip() == ""


def test_line_locator_is_one_based():
    line_of = line_locator("a\nbc\n\nd")
    assert [line_of(0), line_of(1), line_of(2), line_of(5), line_of(6)] == [1, 1, 2, 3, 4]


def test_mask_is_linear_on_adversarial_input():
    # Many unmatched backtick runs of distinct lengths and many unclosed-looking fences: a quadratic matcher
    # would take minutes here.
    runs = " x ".join("`" * n for n in range(1, 1500))  # ~1.1M characters, no run has a partner
    fences = "````\n" + "```\ntext\n" * 50_000  # one open fence, 50k too-short closers
    start = time.perf_counter()
    assert mask_code(runs) == runs
    assert mask_code(fences).strip() == ""
    assert time.perf_counter() - start < 3.0


def test_agrees_with_commonmark_on_random_markdown():
    # Differential check against markdown-it-py (installed with rich): which markers does a CommonMark parser put in
    # code? Indented code blocks, lists and quotes are outside the generator's alphabet on purpose (mask_code accepts
    # indented fences, which CommonMark treats differently at 4+ spaces).
    markdown_it = pytest.importorskip("markdown_it")
    parser = markdown_it.MarkdownIt("commonmark")
    pieces = ["`", "``", "```", "~~~", "````", "\n", "\n\n", "a", " ", "\\", "py", "   ```", "\n  ~~~~", "`x`", "MARK"]
    rng = random.Random(1)
    for _ in range(3000):
        parts = [rng.choice(pieces) for _ in range(rng.randint(1, 25))]
        text = "".join(f"@{i}@" if part == "MARK" else part for i, part in enumerate(parts))
        if re.search("^ {4}", text, re.MULTILINE):
            continue
        in_code = " ".join(_code_contents(parser.parse(text)))
        masked = mask_code(text)
        for i, part in enumerate(parts):
            if part == "MARK":
                assert (f"@{i}@" in in_code) == (f"@{i}@" not in masked), text


def _code_contents(tokens) -> list[str]:
    contents = []
    for token in tokens:
        if token.type in ("fence", "code_inline", "code_block"):
            contents.append(f"{token.info} {token.content}")
        contents.extend(_code_contents(token.children or []))
    return contents
