"""Control tokens written as text: which count where, and which the repair strips."""

from __future__ import annotations

import pytest

from hermes_data.markup.control_tokens import find_control_tokens, strip_trailing
from hermes_data.record import make_record
from hermes_data.tokenizer import encode_chatml, load_tokenizer
from hermes_data.validate import repair_record, validate_record


@pytest.mark.parametrize(
    "text",
    ["done<|im_end|>", "<|im_start|>user\nhi", "a <|eot_id|> b", "<|begin_of_text|>x", "x<|end_of_text|>",
     "<|start_header_id|>assistant<|end_header_id|>", "<|python_tag|>call", "<|reserved_special_token_17|>",
     "<|eom_id|>", "<|finetune_right_pad_id|>", "Business<|endoftext|>"],
)  # fmt: skip
def test_control_tokens_are_found(text):
    assert find_control_tokens(text)


@pytest.mark.parametrize(
    "text",
    ["plain", "a | b <| c |>", "<|im_end>", "</s> closes a strikethrough", "[INST] is Llama 2's", "<|user|>",
     "`tokenizer.eos_token = '<|endoftext|>'`", "```python\neos = '<|endoftext|>'\n```"],
)  # fmt: skip
def test_plain_text_and_other_markers_in_code_are_not(text):
    assert find_control_tokens(text) == []


def test_template_tokens_count_inside_code_too():
    # The Llama 3 + ChatML tokenizer reads them as control tokens wherever they sit: code is no shelter.
    text = "The format:\n```\n<|im_start|>user\nhi<|im_end|>\n```"
    assert [token for _, token in find_control_tokens(text)] == ["<|im_start|>", "<|im_end|>"]
    ids, mask = encode_chatml([{"role": "user", "content": "q"}, {"role": "assistant", "content": text}],
                              load_tokenizer("llama3"))  # fmt: skip
    im_end = load_tokenizer("llama3").convert_tokens_to_ids("<|im_end|>")
    learned = [i for i, m in zip(ids, mask, strict=True) if m]
    assert learned.count(im_end) == 2  # the answer's own end, and the one inside its code block


def test_strip_trailing_removes_only_what_ends_the_message():
    assert strip_trailing("Business<|endoftext|>") == "Business"
    assert strip_trailing("ok.  <|im_end|>\n<|endoftext|>\n") == "ok."
    assert strip_trailing("a <|eot_id|> b") == "a <|eot_id|> b"
    assert strip_trailing("no tokens") == "no tokens"


def test_validator_reports_one_issue_per_turn_and_the_repair_fixes_trailing_ones():
    record = make_record([{"role": "user", "content": "Classify: stocks rally<|im_end|>"},
                          {"role": "assistant", "content": "Business<|endoftext|>"}])  # fmt: skip
    issues = validate_record(record)
    assert [(i.code, i.turn) for i in issues] == [("control_token", 0), ("control_token", 1)]
    assert "strips it" in issues[1].message and "another template" in issues[1].message
    assert "reads it as a control token" in issues[0].message
    repaired, applied = repair_record(record)
    assert applied == ["control_token"] and validate_record(repaired) == []
    assert [m["content"] for m in repaired["messages"]] == ["Classify: stocks rally", "Business"]
    assert record["messages"][1]["content"] == "Business<|endoftext|>"  # the input is not modified


def test_a_control_token_inside_the_text_stays_and_keeps_its_code():
    record = make_record([{"role": "user", "content": "hi"},
                          {"role": "assistant", "content": "Sure<|im_end|>\n<|im_start|>user\nmore"}])  # fmt: skip
    repaired, applied = repair_record(record)
    assert applied == [] and repaired is record
    (issue,) = validate_record(record)
    assert issue.code == "control_token" and "(and 1 more)" in issue.message and "strips" not in issue.message
