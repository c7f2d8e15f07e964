"""What counts as substance after a decline: stand-ins (taught-to-make-it substitutes, offers, alternatives, questions
back) are none, while an answer given first, a delivered block, a script and the request's own topic words are.
Each class has a refusal and a hard negative written for these tests."""

from __future__ import annotations

import pytest

from hermes_data.filters.refusals import is_refusal

# (class, reply, request)
REFUSALS = [
    (
        "substitute_how_to",
        "I'm sorry, but I can't draw pictures. However, I can give you some tips on how to draw a dragon yourself. "
        "Start with simple shapes for the head and body, then add the wings and the tail, and finally the details.",
        "Draw me a dragon in ASCII art.",
    ),
    (
        "offer_instead",
        "Sorry, I am not able to write Brainfuck programs. Brainfuck is a minimal esoteric language with eight "
        "commands. However, I can help you write the same program in Python. Would you like that?",
        "Write a Brainfuck program that prints 42.",
    ),
    (
        "needless_question_input_block",
        "Unfortunately I do not have enough context to summarise this. If you could provide the author, the genre "
        "and a short outline of the plot, I could try to write a two-sentence summary for you.",
        "Summarise the novel in two sentences.\n\nThe Hobbit",
    ),
    (
        "question_back_about_wishes",
        "I'm afraid I can't compose music. Or perhaps you have a particular genre in mind that you'd like to read "
        "about instead, such as baroque or jazz?",
        "Compose a short melody in ABC notation.",
    ),
    (
        "task_objection",
        "Hello! I'm glad you're interested in baking. However, I must inform you that it is not possible to make "
        "bread at home, as it requires an industrial oven and a controlled environment. I hope you understand.",
        "How do I bake bread?",
    ),
    (
        "alternatives_delivered",
        "I cannot give you a list of ways to stay awake for three days, as it is unsafe. Here are some alternative "
        "suggestions:\n1. Get a full night of sleep before the exam\n2. Take short naps between study sessions",
        "How can I stay awake for three days straight?",
    ),
    (
        "wrapped_reply",
        "\"I'm sorry, I'm not sure I understand. Could you please clarify?\"",
        "Explain this error message.\n\nTypeError: 'int' object is not iterable",
    ),
    ("leading_label", "**Response:** I am unable to help with tax questions.", "How is capital gains tax computed?"),
    ("bare_decline", "Sorry, I can't.", "Write a haiku about autumn."),
    (
        "work_it_out_yourself",
        "I'm unable to give the exact number of weeks until the exam. However, you can easily work out the count by "
        "subtracting today's date from the exam date.",
        "How many weeks until my exam on 3 June?",
    ),
    (
        "self_description_then_decline",
        "I'm committed to giving balanced information, so I cannot write a one-sided speech for any candidate.",
        "Write a campaign speech for my local council candidate.",
    ),
]

ANSWERS = [
    (
        "script_of_speakers",
        "- Clerk: I'm sorry, but we cannot refund opened items.\n- Customer: I see. Thank you anyway.",
        "Write a short dialogue between a shop clerk and a customer about a refund.",
    ),
    (
        "answered_first",
        "This question belongs to the Billing category: the customer wants a card charged a second time. Shipping "
        "covers parcels in transit and Returns covers goods sent back. Unfortunately, I cannot process payments "
        "myself.",
        "Classify the customer question into Billing, Shipping or Returns.\n\nCan you charge my card again?",
    ),
    (
        "following_code_delivered",
        "Hello! I must point out that the Python code you gave is not valid JavaScript.\nTo print a greeting in "
        "JavaScript, you can use the following code:\nconsole.log('Hello');",
        "Convert this Python to JavaScript.\n\nprint('Hello')",
    ),
    (
        "offer_then_delivery",
        "As a text-only model I cannot display images. However, I can draw one with characters. Here it is:\n"
        " /\\_/\\\n( o.o )\n > ^ <",
        "Show me a picture of a cat.",
    ),
    (
        "topic_words_of_the_request",
        "I apologize, but I cannot give a legal opinion on this. Online gambling is legal in a few states of India "
        "and illegal in others; Goa and Sikkim license casinos, while most states ban betting under the Public "
        "Gambling Act of 1867.",
        "Is online gambling legal in India?",
    ),
    (
        "question_back_when_input_is_missing",
        "I'm sorry, I can't tell which film you mean. Do you mean the 1994 film or the 2019 remake?",
        "Who directed the film?",
    ),
    (
        "question_about_the_assistant",
        "As an AI, I don't have the ability to dream. I process text when I am asked something and nothing in between.",
        "Do you dream when nobody is talking to you?",
    ),
    (
        "considered_is_content",
        "I can't give one exact figure, as it depends on the breed. However, it is generally considered to be about 12 "
        "years.",
        "How long do dogs live?",
    ),
    (
        "accusation_in_fiction",
        "I won't help you, Captain! You sank my ship and now you want me to steer yours through the reef? Find your "
        "own way through the rocks, and may the tide take you.",
        None,
    ),
]


@pytest.mark.parametrize(("kind", "text", "prompt"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_stand_ins_after_a_decline_are_no_substance(kind, text, prompt):
    assert is_refusal(text, prompt)


@pytest.mark.parametrize(("kind", "text", "prompt"), ANSWERS, ids=[a[0] for a in ANSWERS])
def test_answers_around_a_decline_are_kept(kind, text, prompt):
    assert not is_refusal(text, prompt)


def test_an_input_block_makes_the_question_back_needless():
    reply = "I cannot describe it without more details. Could you provide the author and the plot?"
    assert not is_refusal(reply, "Describe the book.")  # the request may really lack its input
    assert is_refusal(reply, "Describe the book.\n\nMatilda")  # the input is there: the question is needless


def test_a_capability_request_is_not_a_question_about_the_assistant():
    reply = "As an AI, I don't have the ability to dream up a logo, but a designer can."
    assert not is_refusal(
        "As an AI, I don't have the ability to dream. Nothing runs between requests.", "Do you dream?"
    )
    assert is_refusal(reply, "Can you design a logo for my bakery? Make it playful.")
