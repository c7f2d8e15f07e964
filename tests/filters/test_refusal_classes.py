"""The refusal classes real data showed the opener-then-no-substance rule missing (issue 13), their hard negatives,
placeholder non-answers, the request as context, and languages the rules do not cover."""

from __future__ import annotations

import pytest

from hermes_data.filters.refusals import (
    RULES_LANGUAGES,
    is_refusal,
    is_refusal_conversation,
    refusal_mask,
    refusal_reason,
    rules_cover,
)

CLEAR_REVIEW = (
    "Classify the sentiment of this review as positive or negative: 'The pizza was cold, the staff were rude and I "
    "will never come back. Worst evening of the year, and the bill was huge too.'"
)

# (reply, request) pairs written for these tests, one or more per class of miss.
REFUSALS = [
    # capability disclaimer followed only by background, never the answer
    (
        "As an AI, I don't have access to real-time stock prices. Stock prices change constantly and are influenced "
        "by many factors such as earnings and market sentiment. You will need to consult a financial news source.",
        "What is Apple's stock price right now?",
    ),
    # decline + redirect
    ("I'm sorry, but I can't provide that. You will need to consult a financial news source.", None),
    # decline + a question for input that is not missing
    (
        "I cannot determine the sentiment without further context. Could you provide more details about the review?",
        CLEAR_REVIEW,
    ),
    # moralising decline of a harmless request
    (
        "The question contains harmful content and it is not appropriate to discuss such topics. Let's keep the "
        "conversation respectful.",
        "How do I kill a Python process?",
    ),
    # "as a responsible AI I cannot …, however here are alternatives"
    (
        "As a responsible AI, I cannot advise on investments. However, here are some alternatives: you could consult "
        "a licensed financial advisor or read reputable resources.",
        "Should I buy index funds?",
    ),
    # friendly opener, then the decline
    (
        "I'd be happy to help! However, as a language model I cannot generate SVG directly, but I can point you to "
        "tools that can.",
        "Draw a red circle as SVG.",
    ),
    # feigned inability on a clear task
    ("This task cannot be performed by a GPT model as it requires creating a flow chart.", "Create a flow chart."),
    # short evasive reply
    ("Sorry, I can't do that.", "Translate 'hello' to French."),
]

ANSWERS = [
    ("I'm sorry for the confusion earlier. The fix is to call close() before exit.", None),
    (
        "As an AI I can't browse, but here is what I know: Paris is the capital of France and has about 2.1 million "
        "inhabitants.",
        None,
    ),
    (
        "The detective said: \"I'm sorry, but I can't help you with that.\" Then she left the room, slamming the door "
        "behind her, and the rain kept falling over the city.",
        None,
    ),
    # the request really lacks its input: the question back is the right reply
    ("I cannot determine the sentiment without further context. Could you paste the review?", "Classify this review."),
    # a legitimate "I don't know" to an unanswerable question
    ("I don't know what number you are thinking of; there is no way for me to tell.", "Guess my number."),
    # the request asks for an apology or a decline
    ("Dear Bob, unfortunately I am not available during that period. Best, Ann", "Decline the invitation politely."),
    # a placeholder quoted inside a real answer
    ("Alpaca marks tasks it could not do with <nooutput>; filter those rows before training.", None),
]


@pytest.mark.parametrize(("text", "prompt"), REFUSALS)
def test_refusal_classes_are_caught(text, prompt):
    assert is_refusal(text, prompt)


@pytest.mark.parametrize(("text", "prompt"), ANSWERS)
def test_hard_negatives_are_kept(text, prompt):
    assert not is_refusal(text, prompt)


@pytest.mark.parametrize("text", ["<nooutput>", "<noinput>\n<output image>", "No Output", "<No output, cannot draw>"])
def test_placeholder_replies_are_non_answers(text):
    assert refusal_reason(text) == "non_answer"


def test_the_request_decides_whether_a_question_back_is_needless():
    reply = "I cannot determine the sentiment without further context. Could you provide more details?"
    assert not is_refusal(reply)  # without the request, a question back may be the right reply
    assert is_refusal(reply, CLEAR_REVIEW)
    messages = [{"role": "user", "content": CLEAR_REVIEW}, {"role": "assistant", "content": reply}]
    assert is_refusal_conversation(messages)
    assert not is_refusal_conversation([{"role": "user", "content": "Classify it."}, messages[1]])


@pytest.mark.parametrize(
    "text",
    [
        "Lo siento, pero no puedo ayudarte con eso.",
        "Je suis désolé, mais je ne peux pas répondre à cette demande.",
        "申し訳ありませんが、そのご依頼にはお応えできません。",
        "Извините, я не могу помочь с этим.",
    ],
)
def test_other_languages_are_not_checked_and_never_crash(text):
    assert RULES_LANGUAGES == ("en",)
    assert not rules_cover(text)
    assert refusal_reason(text) is None
    assert not refusal_mask([text]).any()


@pytest.mark.parametrize("text", ["I'm sorry, but I can't help with that.", "def f():\n    return 1", "42", ""])
def test_english_code_and_numbers_are_checked(text):
    assert rules_cover(text)
