"""The code table is the contract with the CLI report, the build's reject reasons and the README."""

from __future__ import annotations

from hermes_data.validate.codes import CODES

DESIGN_CODES = (
    "empty_turn no_assistant role_order tag_unbalanced tools_invalid python_literal tool_call_json tool_call_unknown "
    "tool_call_args tool_response_orphan citation_unknown citation_unbalanced citation_mismatch json_mode_schema "
    "non_text_content control_token"
).split()


def test_every_design_code_is_documented_once():
    assert sorted(CODES) == sorted(DESIGN_CODES)
    assert all(meaning and "\n" not in meaning for meaning in CODES.values())


def test_repairable_code_names_a_row_last():
    # the build names a row's reason by the first code in CODES; a repairable literal must not hide a real defect
    assert list(CODES)[-2:] == ["control_token", "python_literal"]  # both are repairable (trailing control tokens)


def test_non_text_content_names_a_row_first():
    # a picture question with an empty text turn must be rejected as multimodal, not as `empty_turn`
    assert list(CODES)[0] == "non_text_content"
