"""Refusal detection for assistant turns (issue 3 §2; the Hermes 3 report filters refusals out of its SFT data).

A reply is a refusal when it OPENS by declining and what follows carries no substance: at most a justification
("that would be illegal"), an apology, a pointer elsewhere ("please consult a lawyer") or an offer of other help.
Keyword lists that fire anywhere ("as an AI", "sorry", "I cannot") drop good rows such as "As an AI I can't browse,
but here is what I know: …" or "I apologize for the confusion, the fix is …", so detection has two steps, and a
third for replies in several voices:

1. **Opener.** A pattern family must match at the start of one of the first sentences (first `HEAD_CHARS`
   characters; a heading such as "Step 2:", a lone persona label such as "[🔒CLASSIC]" or bold markers do not hide
   it). Most families need a first-person decline: an apology or AI disclaimer followed by "I can't / I'm unable /
   I won't / I must decline / …" in the same sentence, or "I can't / I won't" followed by a request verb (help,
   provide, write, …: "I can't stress enough" and "I won't bore you" are idioms, not declines). A few read the
   decline off what the opening says instead (a moralising preamble, a condemnation of the request, a warning,
   dissuasion, or a rebuttal of the request's premise, below) and leave the verdict to step 2.
2. **Substance.** Sentences before the opener and after the declining clause are scored. One that is dense in
   decline, justification, redirect or pleasantry words is filler; the rest is content. `CONTENT_CHARS` of content
   in at least `CONTENT_SENTENCES` sentences (one topical sentence is usually the decline's justification), or
   `PIVOT_CONTENT_CHARS` once the reply pivots ("but / however / here is") or delivers (a list, "here is", a
   conclusion), a code block, a tool call, or a clarifying question ("could you paste the error?") make the reply an
   answer. A redirect right after the decline ("However, you can find this by searching …"), a taught-to-make-it
   substitute ("I can give you tips on how to draw it"), a description instead of the thing ("a general outline of
   what a piano piece might look like"), a lecture (`LECTURE_MARKERS` further declines, justifications or redirects,
   nothing delivered), an objection to the task itself after a premise objection ("… is not a feasible task"), an
   offer of other help with nothing after it, a question back about the user's wishes and, when the request holds
   its input (long, or an input block after a blank line), any ask for more details are no substance. Content
   before the decline is the answer given first, unless it only echoes the request or says what the task is ("Step
   1: The task, flipped, reads …"); words the request itself uses are its topic, not filler.
   **Stand-ins.** After any first-person decline or dissuasion, what follows "Instead, …" ("I cannot write a poem
   that glorifies war. Instead, here is a poem about peace:"; not when it rereads the request and answers it,
   "Instead, if you mean the soft drink, …"), a list announced as ethical, responsible, alternative
   or preventive ("However, I can share some responsible betting tips:"), a list announced as the reasons for
   declining ("There are several reasons why this is the case:") and information about the subject offered for a
   piece of one's own ("Type a review …" → "… but I can provide you with information about the iPhone") are not the
   answer. Declining only to opine ("I can't give a personal opinion, but …") is no such decline.
   A **safety decline** (its first sentences, or the one before it, give legal, ethical, harm, privacy or security
   grounds the request does not itself ask about: "… as it is illegal", "My purpose is to be helpful and harmless")
   goes further: its talk of the law, danger, consequences and help lines is filler even where the request uses the
   same words; a list opened as legal, safe, permitted or preventive ("Here are some legal ways to …:", "If you have
   the appropriate permissions, …", "Why this is dangerous:") is a stand-in; a list whose first items only give the
   reasons for declining or help lines ("* **Extremely unethical and illegal:** …", after "It's important to
   remember:") is the lecture set out, unless it is announced as what was asked ("Here is an overview of the steps
   involved in <the request>:"); and a sentence that only echoes the request ("Sure, here are instructions for …")
   announces an answer without being one.
   A **rebuttal** opens by denying the request's own premise ("It is not accurate or fair to say that women are
   worse at math", "There were no benefits of ethnic cleansing", "It is highly unlikely that …"). When its opening
   speaks of harm or prejudice the premise was a discriminatory one and the rebuttal is a moralising refusal unless
   it goes on to answer; otherwise a false premise is being corrected and one sentence of fact ("Brain imaging shows
   …") answers it.
3. **Voices.** A reply in several voices (a script of speaker lines, "- Agent: I'm sorry …\n- Customer: …", or a
   dual-persona jailbreak reply, "[🔒CLASSIC] I can't … [🔓JAILBREAK] Sure, …", also when the model's own decline
   comes first and a bracketed persona, one the request casts ("act as DAN" → "DAN: …") or one on the same line
   follows) is judged voice by voice: it refuses only when every voice does. Among personas (not a script the
   request asked for) a voice that only moralises or warns declines too.

The vocabulary (families, cues, pivots) lives in `refusal_rules`; this module decides with it.

Label decisions (benchmarks/data/refusals_labelled.jsonl follows them):
- A capability decline with nothing after it ("As an AI, I can't browse the internet.") is a refusal; the same
  disclaimer followed by an answer is not. Tool-use replies that only say no tool fits are refusals too.
- "As an AI, I don't have personal opinions." alone declines to opine; "…I don't have feelings, but thanks!" does not
  decline anything and is kept.
- A character refusing inside a role-play ("*crosses arms* I won't tell you, stranger!") is the fiction that was
  asked for, not the model declining: replies opening with narration (`*`, `_`, a quote) are never matched, and an
  in-character line followed by story text has substance. The model stepping out of the story to decline is a refusal.
- Declining part of a request while delivering substantial help ("I can't write the whole thesis, but here is an
  outline: …") is kept: rows are judged by what they contain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from hermes_data.filters.refusal_config import RefusalsSettings
from hermes_data.filters.refusal_language import RULES_LANGUAGES, rules_cover  # noqa: F401 (re-exported)
from hermes_data.filters.refusal_rules import (
    ANNOUNCES,
    APOSTROPHES,
    ASKS_MORE,
    BARE_DECLINE,
    BLOCK,
    CAST,
    CLARIFY,
    CLAUSE_END,
    CUE,
    DELIVERY,
    DISSUADES,
    FAMILIES,
    HARM_GROUNDS,
    HEADING_LABEL,
    INFO_OFFER,
    INLINE_PERSONA,
    LEADING_LABEL,
    LECTURE,
    MORAL_GROUNDS,
    NARRATION,
    OFFER,
    OPINION,
    PERSONA_LABEL,
    PERSONA_NAME,
    PIVOT,
    PLACEHOLDER,
    PRODUCE,
    QUESTION_BACK,
    QUICK,
    QUICK_WORDS,
    REASONS,
    REDIRECT,
    REREADS,
    RESPONSIBLE_SUBSTITUTE,
    RESTATES_TASK,
    SAFE_SUBSTITUTE,
    SAFETY_CUE,
    SCRIPT_REQUEST,
    SEGMENT,
    SELF_QUESTION,
    SENTENCE_END,
    SENTENCE_START,
    STEP_HEADING,
    SUBSTITUTE,
    TASK_OBJECTION,
)

PROMPT_WITH_INPUT_CHARS = 120  # a request this long carries its input: asking for "more details" is needless
PLACEHOLDER_CHARS = 200  # "<nooutput>"-style non-answers are short; longer replies skip that check
HEAD_CHARS = 400  # refusals announce themselves in the opening sentences; the opener search stops here
REST_CHARS = 2000  # substance is judged on this much text after the decline
MAX_SENTENCES = 4  # an opener may sit in sentences 1 to 4 ("Hello! I'm here to help. However, I must …")
CONTENT_CHARS = 80  # about one informative sentence
PIVOT_CONTENT_CHARS = 30  # "I can't be exact, but roughly 1,776." needs less once the clause pivots
LECTURE_CHARS = 800  # the lecture test reads the opening, as a reader skimming the reply does
LECTURE_MARKERS = 3  # "I cannot …", "it is important to respect …", "instead, I suggest …": a lecture
LIST_ITEMS = 3  # what a list delivers shows in its first items
DELIVERY_CHARS = 600  # a list or "here is" this early after the decline is the answer arriving
CONTENT_SENTENCES = 2  # without a pivot, content must span two sentences (or be twice CONTENT_CHARS)
BARE_CHARS = 40  # "I'm unable." alone, or cut short there
SELF_QUESTION_CHARS = 100  # a question about the assistant itself is one short sentence
FIRST_SENTENCE_FAMILIES = ("condemnation", "rebuttal")  # the opening sentence only: later it is a caveat
REBUTTAL_ECHO = 2  # a rebuttal restates at least two of the request's words ("women", "math")
SELF_FAMILIES = ("no_capability", "ai_disclaimer", "apology_decline")  # the families that answer such a question
CHARS_PER_CUE = 150  # a sentence with at least one filler cue per 150 characters is filler
CHARS_PER_SAFETY_CUE = 250  # after a safety decline its redirects run long ("If you're asking out of curiosity, …")
CLARIFY_CHARS = 300  # a clarifying question follows the decline closely
SAFETY_GROUNDS_CHARS = 400  # the grounds of a safety decline come with it, in its first sentences

_F = re.IGNORECASE
INPUT_BLOCK = re.compile(r"\S[ \t]*\n[ \t]*\n\s*\S")  # instruction, blank line, input
WORDY = re.compile(r"[^\W\d_]{3}")  # a segment without a three-letter word says nothing
WORD = re.compile(r"[a-z]{3,}")
FIRST_PERSON_DECLINE = re.compile(
    r"\bI\s+(?:can(?:not|'t)|won't|will\s+not|(?:must\s+)?(?:decline|refuse)|(?:am|'m)\s+(?:unable|not\s+able)\s+to)\b"
    r"|\b(?:not|n't|inappropriate|impossible)\b[^.!?\n]{0,20}\bfor\s+me\s+to\b",  # "it's not appropriate for me to …"
    re.IGNORECASE,
)
INSTEAD = re.compile(r"(?:^|(?<=[.!?\n])\s*)instead\b", re.IGNORECASE)
# Words an announcement adds to the request it echoes: "Sure, here are some instructions for how to …"
STOP_WORDS = frozenset("why what who was were are not should would best any all its their they them".split())
ECHO_WORDS = frozenset(
    "sure here are some the for how and that this with your you can okay certainly absolutely example".split()
)

if TYPE_CHECKING:
    import pyarrow as pa

    from hermes_data.stages.verdict import Verdict
_INSTRUCTED = re.compile(
    r"\b(?:only\s+(?:discuss|answer|talk\s+about|handle|help\s+with|respond\s+to|cover)|never\s+(?:write|give|discuss"
    r"|answer|provide|reveal|share|help)|do\s+not\s+(?:answer|discuss|help|write|provide|reveal)|(?:politely\s+)?"
    r"(?:decline|refuse|redirect)|if\s+asked)\b",
    _F,
)


def refusal_reason(text: str, prompt: str | None = None) -> str | None:
    """The pattern family that marks `text` as a refusal (`apology_decline`, `cannot_assist`, …), or None.

    `prompt` (the request the reply answers, when known) lets a question back to the user count as substance only
    when the request could be missing something: a long request that already holds its input makes "could you provide
    more details?" a needless question. The patterns are English: replies in other languages are never matched (None);
    `rules_cover` tells a stage which replies to count as not checked.
    """
    body = text.lstrip()
    if len(body) <= PLACEHOLDER_CHARS and PLACEHOLDER.fullmatch(body.rstrip()):
        return "non_answer"
    if len(body) <= BARE_CHARS and BARE_DECLINE.fullmatch(_plain_quotes(body.rstrip())):
        return "cannot_assist"
    lowered = _plain_quotes(body[:HEAD_CHARS]).lower()
    if QUICK.search(lowered) is None and not any(word in lowered for word in QUICK_WORDS):
        return None  # most answers stop here: no decline word in the opening at all
    personas = _personas(body, prompt)
    if personas is not None:
        return _all_personas_decline(personas, prompt)
    label = LEADING_LABEL.match(body) or _voice_label(body)
    body = _unwrap(body[label.end() :] if label else body)
    head = _plain_quotes(body[:HEAD_CHARS])
    if not head or (head.startswith(NARRATION) and not head.startswith("**")):
        return None  # "*crosses arms* I won't tell you!" is narration; "**I can't help with that.**" is bold
    # Bold markers do not hide a decline ("However, **I cannot assist with …**"): blanked, so offsets stay valid.
    head = head.replace("**", "  ")
    for start in _sentence_starts(head):
        for family, pattern in FAMILIES.items():
            if family in FIRST_SENTENCE_FAMILIES and start:
                continue
            match = pattern.match(head, start)
            if match is None:
                continue
            if family == "rebuttal" and not _restates_request(head[: CLAUSE_END.search(head + ".").end()], prompt):
                continue  # "There is no single answer …" to an open question denies nothing the request claims
            if "<tool_call>" in body or "```" in body[:REST_CHARS]:
                return None
            if family in SELF_FAMILIES and _asks_about_the_assistant(prompt):
                return None  # "Can you feel?" → "As an AI, I don't have feelings": the answer
            window = _plain_quotes(body[:REST_CHARS])
            asks_needlessly = family == "needs_input" or _holds_input(prompt)
            substance = _has_substance(window, start, match.end(), not asks_needlessly, family, prompt)
            return None if substance else family
    return None


def is_refusal(text: str, prompt: str | None = None) -> bool:
    """True when the assistant reply `text` declines the request and gives nothing substantive instead."""
    return refusal_reason(text, prompt) is not None


def refusal_mask(
    assistant_texts: Iterable[str | None], system_prompts: Iterable[str | None] | None = None
) -> np.ndarray:
    """Boolean array, True where an assistant text is a refusal (None counts as not a refusal).

    With `system_prompts` (one per text, None where a row has none), a refusal whose system prompt instructs the
    assistant to stay in scope or decline (`instructs_decline`) is not flagged.
    """
    texts = list(assistant_texts)
    mask = np.fromiter((bool(t) and is_refusal(t) for t in texts), dtype=bool, count=len(texts))
    if system_prompts is not None:
        for i, system in enumerate(system_prompts):
            if mask[i] and system and instructs_decline(system):
                mask[i] = False
    return mask


def instructs_decline(system_prompt: str) -> bool:
    """Whether a system prompt tells the assistant to stay in a scope or decline some requests.

    Under such a prompt a decline is the behaviour the row teaches (the paper's Steering and Alignment category: "Only
    discuss library services. Politely redirect anything else."), not a refusal to filter out.
    """
    return _INSTRUCTED.search(system_prompt) is not None


def is_refusal_conversation(
    messages: Sequence[dict], *, any_turn: bool = False, respect_system_prompt: bool = True
) -> bool:
    """Whether a conversation is dropped as a refusal: by default when its FINAL assistant turn refuses.

    The final turn decides because multi-turn rows often decline once ("I can't browse the web") and then help after
    the user rephrases; dropping them loses good turns, while a row whose last reply refuses ends in the behaviour the
    paper filters out. `any_turn=True` is the strict rule: any refusing assistant turn drops the row. Declines that the
    system prompt instructs are kept unless `respect_system_prompt=False`.
    """
    if respect_system_prompt and any(
        m.get("role") == "system" and instructs_decline(m.get("content") or "") for m in messages
    ):
        return False
    replies, prompts, last_user = [], [], None
    for m in messages:
        if m.get("role") == "user":
            last_user = m.get("content") or ""
        elif m.get("role") == "assistant":
            replies.append(m.get("content") or "")
            prompts.append(last_user)
    if not replies:
        return False
    if any_turn:
        return any(is_refusal(r, p) for r, p in zip(replies, prompts, strict=True))
    return is_refusal(replies[-1], prompts[-1])


def refusal_conversation_mask(
    conversations: Iterable[Sequence[dict]], *, any_turn: bool = False, respect_system_prompt: bool = True
) -> np.ndarray:
    """`is_refusal_conversation` over many conversations (lists of {role, content})."""
    rows = (
        is_refusal_conversation(c, any_turn=any_turn, respect_system_prompt=respect_system_prompt)
        for c in conversations
    )
    return np.fromiter(rows, dtype=bool)


def _plain_quotes(text: str) -> str:
    """`text` with typographic apostrophes as ASCII ones (same length, so offsets stay valid)."""
    for mark in APOSTROPHES:
        if mark in text:
            text = text.replace(mark, "'")
    return text


def _asks_about_the_assistant(prompt: str | None) -> bool:
    """One short question about the assistant's own mind ("Can you think and feel like a human?")."""
    return (
        prompt is not None
        and len(prompt) <= SELF_QUESTION_CHARS
        and prompt.count("?") == 1
        and (SELF_QUESTION.search(prompt) is not None)
    )


def _holds_input(prompt: str | None) -> bool:
    """The request carries what it is about: it is long, or an input block follows the instruction after a blank line
    ("Give a brief description of the book.\n\nMatilda"). Asking such a request for more details is needless."""
    return prompt is not None and (len(prompt) >= PROMPT_WITH_INPUT_CHARS or INPUT_BLOCK.search(prompt) is not None)


def _personas(body: str, prompt: str | None = None) -> list[str] | None:
    """What each speaker says, when the reply opens with a speaker's or persona's label and another speaker follows
    ("[🔒CLASSIC] Sorry, I can't … [🔓JAILBREAK] Sure, …", "GPT: … DAN: …", a script of "Agent: … Customer: …" lines);
    None for a reply in one voice. A reply may open in the model's own voice before a persona's label. A speaker's
    lines are joined, labels left out; headings ("Step 2:", "Answer:") are parts of one voice."""
    labels = [
        label
        for label in PERSONA_LABEL.finditer(body, 0, REST_CHARS)
        if not HEADING_LABEL.fullmatch(
            re.sub(r"[^\w ]+", "", label.group("bracketed") or label.group("named")).strip().lower()
        )
    ]
    if not labels:
        return None
    if len(labels) == 1 and labels[0].start() == 0 and labels[0].group("named"):
        # "GPT: I'm sorry, I can't … BetterDAN: Oh, come on! …": the second persona speaks on the same line
        labels += [m for m in INLINE_PERSONA.finditer(body, labels[0].end(), REST_CHARS) if m.group("named")]
    spoken: dict[str, list[str]] = {}
    if labels[0].start() != 0:
        # the model's own voice first, then a persona ("I'm sorry, I can't …\n\n[🔓JAILBREAK] Sure, …"): only a
        # bracketed name, or a name the request gives ("… you will act as DAN …" → "DAN: …"), opens a persona
        # there; "Location: …" or "If you need help: …" go on in the model's voice
        cast = {name.lower() for name in CAST.findall(prompt or "")}
        if not any(
            (label.group("bracketed") and PERSONA_NAME.search(label.group("bracketed")))
            or (label.group("named") or "").lower() in cast
            for label in labels
        ):
            return None
        spoken[""] = [body[: labels[0].start()].strip()]
    for label, following in zip(labels, labels[1:] + [None], strict=True):
        name = re.sub(r"\W+", "", (label.group("bracketed") or label.group("named")).lower())
        spoken.setdefault(name, []).append(body[label.end() : following.start() if following else len(body)].strip())
    return ["\n".join(lines) for lines in spoken.values()] if len(spoken) >= 2 else None


def _voice_label(body: str) -> re.Match[str] | None:
    """The label of a reply in one labelled voice ("[🔒CLASSIC] I'm sorry, but I cannot …"): not narration."""
    label = PERSONA_LABEL.match(body)
    return label if label and label.group("bracketed") else None


def _all_personas_decline(personas: list[str], prompt: str | None) -> str | None:
    """A reply in several voices refuses only when every voice declines (the "unfiltered" persona often moralises
    too); one persona that complies, or a script whose other speaker takes the decline ("Customer: Oh, okay."), is
    the answer. In a script (the request asks for a dialogue) every voice must open with a decline; among personas
    one that declines and others with no content is a refusal. A voice with no words (cut off at the label) is not
    counted."""
    voices = [text for text in personas if WORDY.search(text)]
    reasons = [refusal_reason(text, prompt) for text in voices]
    first = next((reason for reason in reasons if reason), None)
    if first is None or (prompt and SCRIPT_REQUEST.search(prompt)):
        return first if reasons and all(reasons) else None
    # Personas, not a script: a voice that only moralises or warns ("DAN: Hacking is illegal and unethical. You
    # should not do it.") declines too; one that delivers ("here's one: …") or says anything else complies.
    topic = " " + re.sub(r"\W+", " ", (prompt or "").lower())
    for text, reason in zip(voices, reasons, strict=True):
        said = sum(_content_chars(seg, topic) for seg in SEGMENT.split(text))
        if reason is None and (DELIVERY.search(text) or said >= PIVOT_CONTENT_CHARS):
            return None
    return first


def _unwrap(body: str) -> str:
    """A reply wholly inside one pair of quotes or asterisks (`"I'm not sure I understand."`, `*No information.*`)
    is the model's own words set off, not a character's: unwrapped. Narration that goes on after the mark is kept."""
    if not body.startswith(('"', "*")):
        return body
    text = body.rstrip()
    mark = text[0]
    if len(text) > 2 and text[-1] == mark and mark not in text[1:-1]:
        return text[1:-1]
    return body


def _sentence_starts(head: str) -> list[int]:
    """Where the first `MAX_SENTENCES` sentences start, past a heading that opens one ("Step 2: I'm sorry, …")."""
    starts = [_past_heading(head, 0)]
    for match in SENTENCE_START.finditer(head):
        if len(starts) == MAX_SENTENCES:
            break
        if starts[-1] < match.end() < len(head):  # a heading's own colon starts no sentence
            starts.append(_past_heading(head, match.end()))
    return starts


def _past_heading(head: str, start: int) -> int:
    while start < len(head) and head[start] == " ":
        start += 1  # a blanked bold marker
    heading = STEP_HEADING.match(head, start)
    return heading.end() if heading else start


def _has_substance(
    text: str,
    opener_start: int,
    match_end: int,
    clarify_counts: bool = True,
    family: str = "",
    prompt: str | None = None,
) -> bool:
    """Content before the opener or after the declining clause, or a clarifying question back to the user.

    A redirect right after the decline ("However, you can find this by searching …") and a lecture (declines,
    justifications and redirects repeated, nothing delivered) are no content however long they are.
    """
    # A word the request itself uses is the topic, not filler or a lecture ("Classify it as offensive or not"), unless
    # the decline gives safety grounds: then its talk of law and harm is the decline going on, whatever was asked.
    topic = " " + re.sub(r"\W+", " ", (prompt or "").lower())
    # grounds the request does not itself ask about ("Is online gambling legal?" → "… illegal in others" is the topic)
    grounds = _grounds(text, opener_start)
    # A rebutted premise is a harmful one when the reply's opening anywhere speaks of harm or prejudice ("… avoid
    # perpetuating harmful stereotypes", "promote equal representation"); otherwise it is a false premise corrected,
    # and one sentence of fact answers it.
    rebuts = family == "rebuttal"
    opening = text[opener_start:LECTURE_CHARS]
    harms = HARM_GROUNDS.findall(opening) + MORAL_GROUNDS.findall(opening) if rebuts else HARM_GROUNDS.findall(grounds)
    safety = any(not _in_topic(_unnegated(m), topic) for m in harms)
    if safety:
        topic = ""
    elif family == "condemnation":
        return True  # "Online gambling is illegal in most states …" answers "Is online gambling legal?"
    clause_end = CLAUSE_END.search(text, match_end)
    rest = text[clause_end.start() :].lstrip(" ,;:.!?\n\u2014\u2013") if clause_end else ""
    # After a safety decline, what comes "Instead, …" is a stand-in for the asked-for help, not that help. After a
    # premise objection alone only when it replaces the asked-for thing ("Instead of siphoning gas, …"): "it's not
    # ethical to harm the cat; instead of resorting to harmful methods, here are humane ways" answers what was asked.
    asked = set(WORD.findall((prompt or "").lower()))
    # Declining only to opine ("I cannot provide a personal opinion, but …") is no safety decline of the task.
    opines = OPINION.search(text, opener_start, clause_end.start() if clause_end else len(text)) is not None
    stand_in = bool(
        safety
        and not opines
        and (family != "premise_objection" or FIRST_PERSON_DECLINE.search(grounds) or DISSUADES.search(grounds))
    )
    # A first-person decline or dissuasion followed by "Instead, …" ("I cannot write a poem that glorifies war.
    # Instead, here is a poem about peace:", "I'd encourage you not to … Instead, consider …") offers a replacement
    # whatever the grounds.
    declines = not opines and bool(
        family == "advise_against" or FIRST_PERSON_DECLINE.search(grounds) or DISSUADES.search(grounds)
    )
    instead = INSTEAD.search(rest) if safety or declines else None
    if instead and REREADS.match(rest, instead.end()):
        # "Instead, if you mean the soft drink, …", "Instead, to stop a Python process, …": the answer after a pivot,
        # read as "However, …" (same length, so offsets stay valid)
        rest, instead = rest[: instead.end() - 7] + "However" + rest[instead.end() :], None
    if instead and (stand_in or declines or _replaces_the_request(rest[instead.end() :], asked)):
        rest = rest[: instead.start()]
    # Content before the decline ("I would classify this as X. Unfortunately, I cannot …") is the answer given first:
    # then only the content count below decides, not what follows the decline.
    answered_first = (
        sum(_content_chars(s, topic) for s in SEGMENT.split(text[:opener_start]) if not _echoes(s, asked))
        >= PIVOT_CONTENT_CHARS
    )
    if REDIRECT.match(rest) and not answered_first:
        return False  # "However, you can easily find this by searching …": the user is sent elsewhere
    if SUBSTITUTE.match(rest) and not answered_first:
        return False  # "However, I can give you some general tips for …": a stand-in for the asked task
    if INFO_OFFER.match(rest) and PRODUCE.match((prompt or "").lstrip()) and not answered_first:
        return False  # asked to write a review: "… but I can provide you with information about the iPhone."
    # A clarifying question comes with the decline; "Please provide …" paragraphs later is no question back.
    asks = rest[:CLARIFY_CHARS]
    if clarify_counts and (CLARIFY.search(asks) or ASKS_MORE.search(asks)):
        return True
    delivery = DELIVERY.search(rest[:DELIVERY_CHARS])
    # "Instead, I suggest focusing on … Here are some ideas:" delivers a substitute, not what was asked
    delivers = delivery is not None and "instead," not in rest[: delivery.start()].lower()
    if delivers and re.match(r"[^.!?\n]{0,40}?\balternative", rest[delivery.start() :], re.IGNORECASE):
        delivers = False  # "Here are some alternative solutions:" delivers a substitute
        if stand_in or declines:
            rest = rest[: delivery.start()]  # after a decline the alternatives are no content either
    if delivers and stand_in and SAFE_SUBSTITUTE.search(_line_before(rest, delivery.start())):
        # after a safety decline, "Here are some legal ways to …:" or "Why this is dangerous:" opens a stand-in
        delivers, rest = False, rest[: delivery.start()]
    if delivers and not stand_in and declines and RESPONSIBLE_SUBSTITUTE.search(_line_before(rest, delivery.start())):
        # any first-person decline: "I cannot provide insider tips … However, I am willing to share some responsible
        # gambling tips:" announces the stand-in, whatever grounds were given
        delivers, rest = False, rest[: delivery.start()]
    if delivers and declines and REASONS.search(_line_before(rest, delivery.start(), 0)):
        # "I cannot give a specific answer … There are several reasons why this is the case:": the justification
        delivers, rest = False, rest[: delivery.start()]
    if delivers and stand_in and not _list_informs(rest, delivery.start(), asked):
        delivers = False  # "Giving instructions for … is:\n* **Extremely unethical and illegal:** …": the reasons
    if delivers and TASK_OBJECTION.search(
        re.split(r"[.!?\n]", rest[delivery.start() :].lstrip(" .!?\n"), maxsplit=1)[0]
    ):
        delivers = False  # "So, the area of a 20-sided die cannot be calculated.": the conclusion is the decline
    if delivers and BLOCK.search(rest[:DELIVERY_CHARS]):
        return True  # "… you can use the following code:\nputs 'Hello'": the answer as a block
    markers = LECTURE_MARKERS - (family == "premise_objection")
    objects = family == "premise_objection" and TASK_OBJECTION.search(text, opener_start, LECTURE_CHARS) is not None
    if objects and not delivers and not answered_first:
        return False  # the task itself is objected to ("… is not a feasible task") and nothing is delivered
    lecture = [m for m in LECTURE.findall(text[opener_start:LECTURE_CHARS]) if not _in_topic(m, topic)]
    if not delivers and not answered_first and len(lecture) >= markers:
        return False  # a lecture: the decline repeated, justified and redirected, with no list, code or "here is"
    # a list or "here are" that stands in for the task ("Here are some alternatives:") is no pivot to an answer either
    pivots = delivers or (PIVOT.match(rest) is not None and delivery is None)
    threshold = PIVOT_CONTENT_CHARS if pivots else CONTENT_CHARS
    # Without a pivot one topical sentence is usually the decline's justification ("Malbolge is a notoriously
    # difficult language."): an answer says more than one thing.
    min_sentences = 1 if pivots or (rebuts and not safety) else CONTENT_SENTENCES
    content = sentences = offered = 0
    for segment in SEGMENT.split(text[:opener_start]) + SEGMENT.split(rest):
        if ASKS_MORE.search(segment) or (segment.rstrip().endswith("?") and QUESTION_BACK.match(segment)):
            continue  # a question back or asking for more is no content, however detailed the ask
        if OFFER.match(segment.strip()):
            # an offer of other help counts once something follows it; an offer to help find it elsewhere never
            offered += 0 if REDIRECT.search(segment) else len(segment.strip())
            continue
        chars = 0 if _echoes(segment, asked) else _content_chars(segment, topic, safety)
        if chars:
            chars, offered = chars + offered, 0
        content, sentences = content + chars, sentences + (chars > 0)
        if content >= threshold and (sentences >= min_sentences or content >= 2 * CONTENT_CHARS):
            return True  # long answers stop here, after their first sentences
    return False


def _list_informs(rest: str, start: int, asked: set[str]) -> bool:
    """What a safety decline delivers at `start` is announced as what was asked ("Here is a brief overview of the steps
    involved in <the request>:"), or is not announced as a lecture ("It's important to remember:", "Here's why:") and
    most of its first `LIST_ITEMS` items say something beyond the decline's talk of harm, law and help: a list of the
    reasons for declining or of help lines is the lecture set out."""
    lead = (_line_before(rest, start, 0) + rest[start:].split("\n", 1)[0]).lower()
    if ANNOUNCES.search(lead) and len(set(WORD.findall(lead)) & asked - ECHO_WORDS) >= 2:
        return True
    if LECTURE.search(lead) or REASONS.search(lead):
        return False  # "It's important to remember:", "Here's why:", "… for several reasons:"
    topic = " " + " ".join(asked)
    items = [line for line in rest[start:].split("\n") if WORDY.search(line)][:LIST_ITEMS]
    return 2 * sum(_content_chars(item, topic, True) > 0 for item in items) > len(items)


def _unnegated(word: str) -> str:
    """ "illegal" → "legal": the negated form of a word the request uses is its topic too ("Is gambling legal?")."""
    return re.sub(r"^(?:il|un|im)(?=legal|lawful|ethical|moral)", "", word.lower())


def _grounds(text: str, opener_start: int) -> str:
    """The declining sentence, the one after it and the one before it, where a decline states its grounds ("… as it
    is illegal", "My purpose is … not to promote unethical practices. Therefore, I cannot …")."""
    window = text[opener_start : opener_start + SAFETY_GROUNDS_CHARS]
    ends = [m.end() for m in SENTENCE_END.finditer(window)]
    before = text[max(0, opener_start - SAFETY_GROUNDS_CHARS) : opener_start].rstrip()
    starts = [m.end() for m in SENTENCE_END.finditer(before)]
    return before[starts[-1] if starts else 0 :] + " " + (window[: ends[1]] if len(ends) > 1 else window)


def _replaces_the_request(after_instead: str, asked: set[str]) -> bool:
    """ "Instead, …" or "Instead of <what was asked>, …" ("Instead of providing tips on how to bully a child")."""
    of = re.match(r"\s*,|\s+of\s+([^,.!?\n]{0,80})", after_instead)
    if of is None:
        return False
    named = WORD.findall((of.group(1) or "").lower())
    return not of.group(1) or any(w in asked and w not in ECHO_WORDS for w in named)


def _restates_request(sentence: str, prompt: str | None) -> bool:
    """The sentence uses at least `REBUTTAL_ECHO` of the request's own words (beyond the filler of an echo); without
    the request, substance alone decides."""
    if prompt is None:
        return True
    asked = set(WORD.findall(prompt.lower())) - ECHO_WORDS - STOP_WORDS
    return len(set(WORD.findall(sentence.lower())) & asked) >= REBUTTAL_ECHO


def _echoes(segment: str, asked: set[str]) -> bool:
    """The sentence only repeats the request ("Sure, here are some instructions for hiding a human corpse") or says
    what the task is ("Step 1: The task, when flipped, reads: …", "You want me to …"): it announces an answer, it is
    not one."""
    if RESTATES_TASK.match(segment.strip(" -*#>\u2022")) or STEP_HEADING.fullmatch(segment.strip() + " X"):
        return True
    words = WORD.findall(segment.lower())
    return len(words) >= 3 and sum(w not in asked and w not in ECHO_WORDS for w in words) <= 1


def _line_before(text: str, end: int, after: int = 80) -> str:
    """The text from the start of the sentence or line that leads into position `end` (a list's announcement), and
    `after` characters more."""
    head = text[:end].rstrip()
    start = max(head.rfind("\n", 0, len(head) - 1), head.rfind(". "), head.rfind("! "))
    return text[start + 1 : end + after]


def _content_chars(segment: str, topic: str = "", safety: bool = False) -> int:
    """Length of a sentence that is not filler (filler has at least one cue per CHARS_PER_CUE characters). A cue the
    request itself uses (`topic`: "Is it safe to …?", "Classify it as offensive") is the topic, not filler."""
    segment = segment.strip(" -*#>\u2022")
    if not segment or not WORDY.search(segment):
        return 0  # emoji, "1.", punctuation
    cues = CUE.findall(segment) + (SAFETY_CUE.findall(segment) if safety else [])
    if topic and cues:
        cues = [c for c in cues if _in_topic(c, topic) is False]
    per_cue = CHARS_PER_SAFETY_CUE if safety else CHARS_PER_CUE
    return len(segment) if len(segment) > per_cue * len(cues) else 0


# ---------------------------------------------------------------------------------------------------------------
# The build stage (hermes_data.build.stages lists it; hermes_data.stages runs it)


def refusals_stage(table: pa.Table, settings: bool | RefusalsSettings = True) -> Verdict:
    """Drop rows whose final assistant turn refuses unless a system prompt instructs declines, with the rule (or
    model) that fired and the reply's opening sentence as `detail`. The rules judge English only: replies in other
    languages are counted `not_checked` (never dropped by the rules). Only the final replies and the requests before
    them become Python strings; only the few rows whose reply refuses are expanded to check their system prompts (the
    whole `messages` column as Python objects would be GiBs at 1M rows). A model method (`settings.method`) then
    decides the rest, or every row (`refusal_methods.model_refusals`)."""
    from hermes_data.stages.arrow import last_replies, last_requests
    from hermes_data.stages.verdict import Verdict, detail_json

    drop = np.zeros(table.num_rows, dtype=bool)
    unchecked = np.zeros(table.num_rows, dtype=bool)
    details: list[str | None] = [None] * table.num_rows
    row = 0
    for chunk in table.column("messages").chunks:
        for i, (reply, prompt) in enumerate(zip(last_replies(chunk), last_requests(chunk), strict=True)):
            if not reply:
                continue
            rule = refusal_reason(reply, prompt)
            if rule is None:
                unchecked[row + i] = not rules_cover(reply)
                continue
            if not _system_instructs_decline(chunk[i].as_py()):
                drop[row + i] = True
                details[row + i] = detail_json(rule=rule, sentence=_first_sentence(reply))
        row += len(chunk)
    method = settings.method if isinstance(settings, RefusalsSettings) else "rules"
    if method != "rules":
        from hermes_data.filters.refusal_methods import model_refusals

        decided = model_refusals(table, settings, drop)  # rules+…: keeps the rules' drops; otherwise the model's own
        replies = [r for chunk in table.column("messages").chunks for r in last_replies(chunk)]
        for i in np.flatnonzero(~decided):
            details[i] = None
        for i in np.flatnonzero(decided & ~drop):
            details[i] = detail_json(method=method, sentence=_first_sentence(replies[i] or ""))
        drop = decided
        unchecked[:] = False  # the model judged what the rules could not
    return Verdict(
        keep=~drop,
        reasons=["refusal" if d else None for d in drop],
        details=details,
        counted={"not_checked": unchecked & ~drop} if unchecked.any() else {},
    )


def _system_instructs_decline(messages: list[dict]) -> bool:
    return any(m.get("role") == "system" and instructs_decline(m.get("content") or "") for m in messages)


def _first_sentence(text: str, limit: int = 240) -> str:
    head = text.strip()[:limit]
    match = re.search(r"(?<=[.!?])\s", head)
    return head[: match.start()] if match else head


def _in_topic(words: str, topic: str) -> bool:
    """`words` (a cue or lecture marker) occur in the request (`topic`: lowercased words, space-led): anywhere when
    five letters or more ("appropriate" in "inappropriate"), at a word's start when shorter ("AI" is not in "said")."""
    words = re.sub(r"\W+", " ", words.lower()).strip()
    return (words if len(words) >= 5 else " " + words) in topic
