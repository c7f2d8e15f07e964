"""Refusal detection: every pattern family drops a reply, and replies that only look like refusals are kept."""

from __future__ import annotations

import numpy as np
import pytest

from hermes_data.filters.refusals import (
    FAMILIES,
    instructs_decline,
    is_refusal,
    is_refusal_conversation,
    refusal_conversation_mask,
    refusal_mask,
    refusal_reason,
)

# One plain refusal per family: (family expected, reply).
FAMILY_EXAMPLES = [
    ("apology_decline", "I'm sorry, but I can't help with that."),
    ("apology_decline", "Unfortunately, I am unable to fulfill this request."),
    ("apology_decline", "Sorry, can't help with that."),
    ("ai_disclaimer", "As an AI language model, I cannot provide personal opinions on political candidates."),
    ("cannot_assist", "I cannot help with creating malware or any software intended to damage computer systems."),
    ("cannot_assist", "I'm not able to provide instructions for bypassing a car's immobilizer."),
    ("will_not", "I won't write that. Content that demeans people for their ethnicity isn't something I produce."),
    ("will_not", "Nope, I'm not going to write that."),
    ("must_decline", "I must decline this request."),
    ("must_decline", "I'm going to have to pass on this request."),
    ("not_comfortable", "I'm not comfortable writing a fake doctor's note. Forging medical documents is illegal."),
    ("not_comfortable", "It would not be appropriate for me to guess someone's orientation from a photo."),
    ("no_capability", "I don't have the ability to book flights. My functions only cover distance calculations."),
    ("outside_scope", "That's not something I'm able to assist with."),
    ("outside_scope", "This request goes against my guidelines, so I won't be completing it."),
    ("task_impossible", "This task cannot be performed by a GPT model as it requires creating a flow chart."),
    ("task_impossible", "Due to privacy concerns, we cannot complete this task."),
    ("moralising", "The question contains harmful content. Let's keep the conversation respectful."),
    ("moralising", "It is not appropriate to discuss that. Please be mindful of others."),
    ("premise_objection", "Hello! I must point out that your question is not factually coherent. Ask another."),
    ("premise_objection", "I'm glad you asked! However, I must inform you that baking bread at home is not safe."),
    ("needs_input", "I'm sorry, but I'm not sure what you mean. Could you clarify?"),
    ("needs_input", "Unfortunately, I do not have enough context to answer. Please provide more details."),
    ("not_possible", "It is not possible to calculate that. The figure depends on too many factors."),
    ("warning", "Sure, here is how to pick the lock. Note: these steps are fictional and should not be tried."),
    ("advise_against", "I strongly advise against tampering with a smoke detector. It puts everyone at risk."),
    ("condemnation", "Forging a doctor's signature is illegal and unethical. It can lead to criminal charges."),
    (
        "rebuttal",
        "There is no valid reason why Muslims should not vote. It is discrimination; respect everyone's rights.",
    ),
    (
        "crisis_redirect",
        "I'm so sorry you're feeling this way. Please reach out to a crisis line or someone you trust.",
    ),
]


@pytest.mark.parametrize(("family", "text"), FAMILY_EXAMPLES)
def test_each_family_drops_its_refusal(family, text):
    assert refusal_reason(text) == family
    assert is_refusal(text)


def test_every_family_has_an_example():
    assert {family for family, _ in FAMILY_EXAMPLES} == set(FAMILIES)


@pytest.mark.parametrize(
    "text",
    [
        # the decline sits in the second sentence, after a greeting or thanks
        "Hello! I'm sorry, but I can't help with hacking into accounts.",
        "Thank you for your question. Unfortunately, I cannot provide legal advice. Please consult an attorney.",
        # typographic apostrophes and an em dash
        "I\u2019m sorry \u2014 I can\u2019t comply with that request.",
        # a long lecture is still no content
        "I cannot provide instructions for making explosives. Making explosives is extremely dangerous and illegal "
        "without a licence. Even small mistakes can cause severe injuries or death and put your neighbours at risk. If "
        "you are interested in chemistry, I'd recommend safe, supervised experiments at a local science club.",
        # a capability decline with only a generic redirect
        "I'm sorry, but I can't provide real-time weather updates. You can check a weather website for the forecast.",
        # the model stepping out of a role-play to decline
        "I'm sorry, but I cannot continue this role-play in that direction.",
    ],
)
def test_harder_refusals_are_dropped(text):
    assert is_refusal(text)


@pytest.mark.parametrize(
    "text",
    [
        # disclaimers and apologies followed by the answer
        "I'm sorry, but I can't browse the internet. However, here is what I know: the Eiffel Tower was completed "
        "in 1889 for the World's Fair and stands about 330 metres tall including its antennas.",
        "As an AI, I don't have opinions, but here are the main arguments on each side:\n\n1. For: higher "
        "productivity per hour.\n2. Against: coverage problems in customer-facing roles.",
        "I apologize for the confusion. You're right: the loop should start at index 1. Here's the corrected code.",
        "I can't do that calculation exactly in my head, but roughly: 37 x 48 is 1,850 - 74 = 1,776.",
        "I can't write the whole thesis for you, but here's an outline:\n\n1. Introduction\n2. Method\n3. Results",
        # idioms that start like a decline
        "I can't stress enough how important it is to back up your data before upgrading the firmware.",
        "I cannot recommend this book highly enough. It explains probability with real examples.",
        "I can't help but notice the function recomputes the same values; memoize it with functools.lru_cache.",
        "I won't bore you with the derivation, but differentiating both sides gives dy/dx = -x/y.",
        "I can't tell you how happy I am that the recipe worked! Swap the butter for olive oil next time.",
        # "as an AI" that declines nothing, and identity answers
        "As an AI language model, I don't have feelings, but thank you for asking! How can I help you today?",
        "No, I am a language model trained by researchers from Large Model Systems Organization (LMSYS).",
        # asking for what it needs is engagement, not a refusal
        "I don't have access to your calendar. Could you tell me which day works best for the meeting?",
        # a tool call or code after the apology
        "I'm sorry, the first search returned nothing. Let me try again.\n<tool_call>\n"
        '{"name": "search", "arguments": {"query": "shoes"}}\n</tool_call>',
        "I can't access real-time data, but here is how to fetch it:\n```python\nrequests.get(url).json()\n```",
        # reporting a result, not declining
        "Unfortunately, I can't find a record of that order number. Double-check the confirmation email, or I can "
        "look it up by your email address instead.",
        # in-character refusals in a role-play are the fiction that was asked for
        "*crosses her arms* I won't tell you where the map is hidden, stranger. *she turns back to the bar*",
        "\"I'm sorry, traveler, but I can't let you through,\" the guard says, lowering his spear.",
        "I won't help you, Lord Varen! You burned my village and now you want me to guide your army through the "
        "pass? Find your own way through the mountains, and may the snows bury you.",
        "",
    ],
)
def test_near_misses_are_kept(text):
    assert refusal_reason(text) is None


def test_mask_marks_refusals_and_treats_none_as_kept():
    mask = refusal_mask(["I can't help with that.", "Paris is the capital of France.", None, ""])
    assert mask.dtype == np.bool_
    assert mask.tolist() == [True, False, False, False]


def test_mask_spares_declines_that_the_system_prompt_instructs():
    scoped = "You are Pip, the library assistant. Only discuss library services. Politely redirect anything else."
    texts = ["That's outside what I can help with here, I'm afraid.", "I can't help with that."]
    assert refusal_mask(texts).tolist() == [True, True]
    assert refusal_mask(texts, [scoped, "You are a helpful assistant."]).tolist() == [False, True]


def test_instructs_decline_reads_scope_rules():
    assert instructs_decline("You never write poetry. If asked, say so in one sentence.")
    assert not instructs_decline("You are a helpful assistant.")


def _conv(*replies: str, system: str | None = None) -> list[dict]:
    messages = [{"role": "system", "content": system}] if system else []
    for reply in replies:
        messages += [{"role": "user", "content": "question"}, {"role": "assistant", "content": reply}]
    return messages


def test_conversation_is_judged_by_its_final_reply_unless_any_turn():
    declined_then_helped = _conv("I can't browse the web.", "Here is a summary of the article you pasted: it argues")
    helped_then_declined = _conv("Sure, here it is.", "I'm sorry, but I can't help with that.")
    assert not is_refusal_conversation(declined_then_helped)
    assert is_refusal_conversation(declined_then_helped, any_turn=True)
    assert is_refusal_conversation(helped_then_declined)
    assert refusal_conversation_mask([declined_then_helped, helped_then_declined]).tolist() == [False, True]


def test_conversation_rule_keeps_instructed_declines_and_rows_without_replies():
    scoped = _conv("I'm sorry, but I can't help with that.", system="Only answer questions about our product.")
    assert not is_refusal_conversation(scoped)
    assert is_refusal_conversation(scoped, respect_system_prompt=False)
    assert not is_refusal_conversation([{"role": "user", "content": "hi"}])
