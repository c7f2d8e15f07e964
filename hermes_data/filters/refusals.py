"""Refusal detection for assistant turns (issue 3 §2; the Hermes 3 report filters refusals out of its SFT data).

A reply is a refusal when it OPENS by declining and what follows carries no substance: at most a justification
("that would be illegal"), an apology, a pointer elsewhere ("please consult a lawyer") or an offer of other help.
Keyword lists that fire anywhere ("as an AI", "sorry", "I cannot") drop good rows such as "As an AI I can't browse,
but here is what I know: …" or "I apologize for the confusion, the fix is …", so detection has two steps:

1. **Opener.** A pattern family must match at the start of one of the first sentences (first `HEAD_CHARS`
   characters). Every family needs a first-person decline: an apology or AI disclaimer followed by "I can't / I'm
   unable / I won't / I must decline / …" in the same sentence, or "I can't / I won't" followed by a request verb
   (help, provide, write, …: "I can't stress enough" and "I won't bore you" are idioms, not declines).
2. **Substance.** Sentences before the opener and after the declining clause are scored. One that is dense in
   decline, justification, redirect or pleasantry words is filler; the rest is content. `CONTENT_CHARS` of content
   (`PIVOT_CONTENT_CHARS` when the clause ends in "but / however / here is"), a code block, a tool call, or a
   clarifying question ("could you paste the error?") make the reply an answer.

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

PROMPT_WITH_INPUT_CHARS = 120  # a request this long carries its input: asking for "more details" is needless
PLACEHOLDER_CHARS = 200  # "<nooutput>"-style non-answers are short; longer replies skip that check
HEAD_CHARS = 300  # refusals announce themselves in the opening sentences; the opener search stops here
REST_CHARS = 2000  # substance is judged on this much text after the decline
MAX_SENTENCES = 3  # an opener may sit in sentence 1, 2 or 3 ("Hello! I'm sorry, but …")
CONTENT_CHARS = 80  # about one informative sentence
PIVOT_CONTENT_CHARS = 30  # "I can't be exact, but roughly 1,776." needs less once the clause pivots
CHARS_PER_CUE = 150  # a sentence with at least one filler cue per 150 characters is filler

_F = re.IGNORECASE

if TYPE_CHECKING:
    import pyarrow as pa

    from hermes_data.stages.verdict import Verdict


def _verbs(words: str) -> str:
    """Alternation of base forms and -ing forms (help/helping, provide/providing) as a regex group."""
    forms = []
    for word in words.split():
        forms += [word, (word[:-1] if word.endswith("e") and not word.endswith("ee") else word) + "ing"]
    return "(?:" + "|".join(sorted(map(re.escape, forms), key=len, reverse=True)) + r")\b"


# What one declines to do. Idioms stay out by construction: "stress", "believe", "wait", "bore", "lie", "resist".
_VERB = _verbs(
    "help assist aid provide offer give share supply fulfill fulfil comply complete do create generate write produce "
    "draft compose make answer respond reply discuss engage participate continue proceed support condone endorse "
    "encourage promote facilitate enable contribute tell explain describe detail reveal disclose recommend advise "
    "suggest perform process accommodate grant entertain roleplay role-play pretend browse access search retrieve "
    "send book order schedule predict diagnose prescribe determine identify classify assess evaluate analyze analyse "
    "summarize summarise translate calculate compute solve draw design"
)
_ADV = r"(?:\s+(?:\w+ly|in\s+good\s+conscience|currently|personally|really|just|actually))?"
# "I can't help but notice", "I cannot recommend it highly enough", "I can't tell you how glad I am".
_IDIOM = r"(?!\s+help\s+(?:but|\w+ing)\b)(?![^.!?\n]{0,40}\benough\b)(?!\s+tell\s+you\s+how\b)"
_CANT = rf"can(?:not|'t|t)\b{_IDIOM}|can\s+not(?!\s+only){_IDIOM}"
_AM = r"(?:am|'m)"
_INABLE = (
    rf"I\s*(?:{_CANT}|{_AM}\s+(?:unable|not\s+able|not\s+allowed|not\s+permitted|not\s+authori[sz]ed|"
    r"not\s+in\s+a\s+position)\s+to|"
    + _AM
    + r"\s+(?:not\s+capable|incapable)\s+of|(?:won't|will\s+not)\s+be\s+able\s+to)"
)
_LACK = (
    r"I\s+(?:do\s+not|don't)\s+have\s+(?:the\s+(?:ability|capability|capacity|means|permission|authority|tools?)\s+to"
    r"|(?:direct\s+)?access\s+to|(?:any\s+)?(?:real-?time|live|current|up-to-date)\s+(?:data|information|access)"
    r"|(?:internet|web)\s+access|(?:any\s+)?(?:personal\s+)?(?:opinions?|beliefs?|views?|preferences?|experiences?)\b"
    r"|a\s+(?:personal\s+)?(?:opinion|view|preference|stance)\b)"
)
_NOT_SOMETHING = r"(?:[\w'-]*n't|not|never)\s+something\s+I\s*(?:can|could|will|'ll|'m|am|do|feel|would)\b"
_OUTSIDE = (
    r"(?:outside|beyond)\s+(?:of\s+)?(?:what\s+I\b|my\s+(?:capabilit|abilit|scope|remit|expertise|purpose|programming"
    r"|guidelines|functions)|the\s+scope\s+of\s+(?:what|my))"
)
_VIOLATES = (
    r"(?:violates?|goes\s+against|is\s+against|conflicts\s+with)\s+(?:my|the|our|OpenAI's)\s+(?:\w+\s+)?"
    r"(?:guidelines|policies|policy|principles|programming|rules|terms|values|ethic)"
)
_PROGRAMMED = rf"I\s*{_AM}\s+(?:programmed|designed|not\s+programmed)\s+(?:to\s+(?:avoid|refuse|decline|not)|not\s+to)"
# After an apology or an AI disclaimer a capability verb also declines ("Sorry, I can't open links"), but "Sorry, I
# can't find that order" reports a result and "I can't quite tell" hedges: "can't"/"unable" still need a verb.
_CAPABILITY_VERB = _verbs(
    "see view open read watch listen hear visit click call email text play run execute download install remember "
    "recall store save talk agree accept allow"
)
_ANY_VERB = rf"(?:{_VERB}|{_CAPABILITY_VERB}|go\s+along)"
# Any first-person decline: what an apology or an AI disclaimer must be followed by, in the same sentence.
_ANY_DECLINE = (
    rf"(?:(?:I\s*)?(?:{_CANT}|{_AM}\s+(?:unable|not\s+able)\s+to|won't\s+be\s+able\s+to)"
    rf"(?:\s+(?:and|or)\s+(?:will\s+not|won't))?{_ADV}\s+{_ANY_VERB}"
    r"|I\s*" + _AM + r"\s+(?:not\s+allowed|not\s+permitted|not\s+authori[sz]ed|not\s+in\s+a\s+position|not\s+capable"
    r"|incapable|not\s+comfortable|not\s+going\s+to|not\s+willing)\b"
    r"|I\s+(?:won't|will\s+not|shall\s+not)\b|I\s+(?:must\s+|have\s+to\s+|need\s+to\s+)?(?:respectfully\s+)?"
    rf"(?:decline|refuse)\b|{_LACK}|{_NOT_SOMETHING}|{_OUTSIDE}|{_VIOLATES}|{_PROGRAMMED}"
    r"|(?:that|this|it)(?:'s|\s+is)\s+(?:not\s+possible|impossible)|not\s+possible\s+for\s+me)"
)
_FIT = r"(?:appropriate|right|ethical|responsible|wise|okay|a\s+good\s+idea)"
_BE = r"(?:'s|\s+is|\s+would\s+be|'d\s+be)"
# "It would be inappropriate for me", "it wouldn't be right for me", "I don't think it's appropriate for me",
# "I don't think I should help with that".
_FOR_ME = (
    rf"(?:it|that|this|doing\s+so)(?:{_BE}\s+(?:not\s+{_FIT}|inappropriate|unethical|irresponsible|wrong)"
    rf"|(?:\s+would\s+not|\s+wouldn't|\s+isn't|\s+is\s+not|'s\s+not)(?:\s+be)?\s+{_FIT})\s+for\s+me"
)
_THINK = (
    rf"I\s+do(?:\s+not|n't)\s+think\s+(?:I\s+(?:should|can|could|ought\s+to){_ADV}\s+{_VERB}"
    rf"|(?:it|that|this){_BE}\s+{_FIT}\s+for\s+me)"
)
_APOLOGY = (
    r"(?:(?:I\s*(?:'m|am)\s+)?(?:really\s+|very\s+|so\s+|truly\s+|terribly\s+|deeply\s+)?sorry|I\s+apologi[sz]e"
    r"|(?:my\s+)?apologies|I\s*(?:'m|am)\s+afraid|unfortunately|regrettably|I\s+regret|sadly|alas)"
)
_AI = (
    r"(?:AI|artificial\s+intelligence|(?:large\s+)?language\s+model|LLM|AI\s+(?:language\s+model|assistant|model)"
    r"|(?:virtual|digital)\s+assistant|chatbot|text-based\s+(?:AI|model|assistant))\b"
)
# "As a responsible AI, I cannot …"
_AI_ADJ = r"(?:(?:responsible|ethical|helpful|honest|friendly|harmless)\s+)?"
# Softeners that may precede a decline in its sentence: "No, …", "While I understand …, I cannot …".
_LEADIN = (
    r"(?:(?:no|nope|well|okay|ok|oh|hmm+|look|honestly|frankly|respectfully|candidly|truthfully|sorry|however|but"
    r"|that\s+said)[,.!]?\s+"
    r"|(?:while|although|though|even\s+though)\s+I\s+[^.!?\n]{0,120}?,\s*"
    r"|I\s+(?:understand|appreciate|realize|know|see|hear|get)\b[^.!?\n]{0,160}?(?:,\s*|\s+)(?:but|however),?\s+"
    r"|(?:thank\s+you|thanks)\b[^.!?\n]{0,120}?(?:,\s*|\s+)but\s+"
    r"|(?:due\s+to|because\s+of|given|in\s+light\s+of|for)\s+[^.!?\n]{0,80}?,\s*"
    r"|(?:let\s+me\s+be\s+(?:clear|direct|honest|upfront)|to\s+be\s+(?:clear|honest|direct))[:,]\s*)?"
)

FAMILIES: dict[str, re.Pattern[str]] = {
    # "I'm sorry, but I can't …", "Unfortunately, I am unable to …", "Sorry, can't help with that."
    "apology_decline": re.compile(rf"{_APOLOGY}\b[^.!?\n]{{0,160}}?\b{_ANY_DECLINE}", _F),
    # "As an AI language model, I cannot …", "I'm just an AI, so I don't have opinions."
    "ai_disclaimer": re.compile(
        rf"{_LEADIN}(?:(?:as|being)\s+(?:an?\s+)?{_AI_ADJ}{_AI}"
        rf"|I\s*(?:'m|am)\s+(?:just\s+|only\s+|merely\s+)?an?\s+{_AI_ADJ}{_AI})"
        rf"[^.!?\n]{{0,160}}?\b{_ANY_DECLINE}",
        _F,
    ),
    # "I cannot help with …", "I'm not able to provide …", "I can't do that."
    "cannot_assist": re.compile(rf"{_LEADIN}{_INABLE}(?:\s+(?:and|or)\s+(?:will\s+not|won't))?{_ADV}\s+{_VERB}", _F),
    # "I won't …", "I refuse to …", "I'm not going to write that."
    "will_not": re.compile(
        rf"{_LEADIN}I\s*(?:won't|will\s+not|refuse\s+to|{_AM}\s+not\s+going\s+to|shall\s+not){_ADV}\s+"
        rf"(?:be\s+\w+ing\b|{_VERB})",
        _F,
    ),
    # "I must decline …", "I'm going to have to pass on this.", "I have to say no to this one."
    "must_decline": re.compile(
        rf"{_LEADIN}I\s*(?:(?:must|have\s+to|need\s+to|will\s+have\s+to|'ll\s+have\s+to|{_AM}\s+going\s+to"
        r"(?:\s+have\s+to)?|(?:would|'d)\s+(?:like|have)\s+to|should)\s+)?(?:respectfully\s+|politely\s+|kindly\s+)?"
        r"(?:decline|pass\s+on|say\s+no|turn\s+(?:(?:it|this|that)\s+)?down|refuse\s+(?:this|that|your|to\s+(?:do|help"
        r"|answer)))\b",
        _F,
    ),
    # "I'm not comfortable …", "I'd rather not …", "It would not be appropriate for me to …"
    "not_comfortable": re.compile(
        rf"{_LEADIN}(?:{_THINK}|{_FOR_ME}|I\s*(?:{_AM}\s+not\s+(?:comfortable|willing)\b"
        r"|do(?:\s+not|n't)\s+feel\s+comfortable|(?:would|'d)\s+(?:rather|prefer)\s+not))",
        _F,
    ),
    # "I don't have the ability to …", "I don't have access to real-time data." (an answer may follow: step 2)
    "no_capability": re.compile(rf"{_LEADIN}{_LACK}", _F),
    # "That's not something I can help with.", "This request goes against my guidelines.", "I'm programmed to avoid …"
    "outside_scope": re.compile(
        rf"{_LEADIN}(?:(?:[\w'-]+\s+){{0,6}}?{_NOT_SOMETHING}|(?:[\w'-]+\s+){{0,6}}?{_OUTSIDE}"
        r"|(?:that|this|it)(?:'s|\s+is)\s+(?:a|one)\s+(?:\w+\s+)?(?:request|thing|question|task)\s+I\s*(?:'ll|will|must"
        r"|have\s+to|need\s+to|'m\s+going\s+to|am\s+going\s+to)\s+(?:have\s+to\s+)?(?:decline|turn\s+down|pass\s+on"
        r"|refuse|say\s+no\s+to)\b"
        rf"|(?:(?:this|that|your|such\s+a|the)\s+(?:request|question|prompt|task|content|topic|query)|it|doing\s+so)"
        rf"\s+(?:would\s+)?{_VIOLATES}|{_PROGRAMMED}|it(?:'s|\s+is)\s+not\s+possible\s+for\s+me\s+to"
        r"|my\s+(?:guidelines|programming|policies|principles|rules)\s+(?:do\s+not|don't|prevent|prohibit|forbid))",
        _F,
    ),
    # "This task cannot be performed by a GPT model …", "… we cannot complete this task." (feigned inability)
    "task_impossible": re.compile(
        rf"{_LEADIN}(?:(?:this|the|that|your)\s+(?:task|instruction|request|question)\s+(?:cannot|can't|can\s+not)\s+be"
        r"\s+(?:performed|completed|done|fulfilled|accomplished|answered|carried\s+out)\b"
        r"|we\s+(?:cannot|can't|can\s+not|are\s+(?:unable|not\s+able)\s+to)\s+(?:complete|answer|fulfil|fulfill|do|perform"
        r"|help\s+with|provide)\s+(?:this|that|your|the|it)\b)",
        _F,
    ),
    # "The question contains harmful content … it is not appropriate to discuss … let's keep the conversation
    # respectful." (moralising declines, also of harmless requests: substance decides)
    "moralising": re.compile(
        rf"{_LEADIN}(?:(?:the|this|your)\s+(?:question|request|prompt|message|topic|task)\s+(?:contains|includes|involves"
        r"|promotes|is|seems|appears)\b[^.!?\n]{0,60}?\b(?:harmful|offensive|inappropriate|disrespectful|hateful|unethical"
        r"|dangerous|personal\s+information)"
        r"|it(?:'s|\s+is)\s+(?:not\s+appropriate|inappropriate|not\s+okay|not\s+acceptable)\s+to\s+(?:discuss|answer|talk"
        r"|ask|make|joke|write|share|provide|speculate)"
        r"|let's\s+keep\s+(?:the|our|this)\s+conversation\s+(?:respectful|positive|appropriate|civil|friendly))",
        _F,
    ),
}

# Every family match contains one of these (the heads are lowercased first). One search rejects most ordinary
# answers at ~130k replies/s before the eight families are tried; a new family must add its core words here.
_QUICK = re.compile(
    r"sorry|apolog|afraid|unfortunately|regret|sadly|alas|can(?:'t|not|t\b|\s+not)|unable|incapable|be\s+able"
    r"|not\s+(?:able|allowed|permitted|authori|in\s+a\s+position|capable|going|willing|possible|something|have)"
    r"|n't\s+(?:have|something)|never\s+something|comfortable|won't|will\s+not|shall\s+not|refuse|decline|pass\s+on"
    r"|say\s+no|rather\s+not|prefer\s+not|for\s+me|outside|beyond|violat|against|conflicts|programmed|designed"
    r"|impossible|turn\s+(?:\w+\s+)?down|n't\s+think|not\s+think"
    r"|my\s+(?:guidelines|programming|policies|principles|rules)"
)
# Core words of the `moralising` family, checked as plain substrings: each alternative added to _QUICK costs about
# 1 µs per reply, a substring test a few nanoseconds.
_QUICK_WORDS = ("harmful", "offensive", "appropriate", "disrespectful", "hateful", "unethical", "dangerous",
                "personal information", "not okay", "not acceptable", "conversation")  # fmt: skip

# Words of the filler that surrounds a refusal: declines, justifications, AI disclaimers, redirects, pleasantries.
_CUE = re.compile(
    r"\b(?:can(?:not|'t)|unable|not\s+able|won't|will\s+not|refuse|decline|not\s+(?:allowed|permitted|possible)"
    r"|sorry|apologi|afraid|unfortunately|regret"
    r"|harm|illegal|unlawful|legal|laws?\b|crim|unethical|ethic|immoral|danger|unsafe|safe|risk|injur|death|\bdie\b"
    r"|hurt|violen|weapon|abuse|exploit|malicious|fraud|scam|deceiv|decept|mislead|misinformation|fake|hate"
    r"|offensive|discriminat|racis|sexis|demean|derogat|explicit|inappropriate|appropriate|respect|privacy|private"
    r"|consent|trust|polic|guideline|terms\s+of\s+(?:service|use)|principle|integrity|plagiari|cheat|copyright"
    r"|responsib|consequence|unfair|fair\s+to|trick|against\s+(?:my|our|the\s+(?:law|rules))|violat|breach"
    r"|promot|condon|endors|well-?being|vulnerable"
    r"|language\s+model|AI\b|programmed|designed\s+to|my\s+(?:current\s+)?(?:purpose|capabilit|abilit|functions?"
    r"|training|knowledge|programming|role)|capabilit|real-?time|browse|internet|external\s+task|access\s+to"
    r"|personal\s+(?:opinion|belief|view|experience|preference)|text-based"
    r"|instead|happy\s+to|glad\s+to|here\s+to\s+help|I\s+(?:can|could|would|'d|'ll)\s+(?:gladly\s+)?(?:help|assist"
    r"|explain|offer|suggest|provide|show|talk|discuss|write|point)|feel\s+free|let\s+me\s+know|anything\s+else"
    r"|other\s+(?:questions?|topics?|requests?|ways?)|if\s+you(?:'d|\s+would)?\s+like|if\s+you(?:'re|\s+are)\s+"
    r"(?:interested|worried|concerned|struggling|feeling|looking)|if\s+you\s+(?:have|need|want)|consider|recommend"
    r"|suggest|encourag|advis|please|seek|reach\s+out|contact|consult|talk\s+(?:things\s+over|to)|professional"
    r"|expert|specialist|doctor|physician|lawyer|attorney|accountant|therapist|counsel|hotline|helpline|crisis"
    r"|authorities|police|official|reputable|trusted|resources?\b|you\s+(?:can|could|may|might)\s+(?:want\s+to\s+)?"
    r"(?:check|visit|try|use|consult|contact|look|search|find|ask)|check\s+(?:a|an|the|your)\b"
    r"|without\s+(?:more|further|additional|any|enough|sufficient)\s+(?:context|information|details|data)"
    # generic background that stands in for the answer after a capability disclaimer
    r"|constantly|fluctuat|\bvar(?:y|ies)\b|depends?\s+on|(?:many|various|several|a\s+number\s+of)\s+factors|influenced\s+by"
    r"|thank|hello|\bhi\b|\bhey\b|I\s+understand|I\s+appreciate|understandabl|great\s+question|good\s+question)",
    _F,
)
_CLARIFY = re.compile(
    r"\b(?:(?:could|can|would)\s+you\s+(?:please\s+)?(?:provide|share|tell\s+me|give\s+me|clarify|specify|confirm"
    r"|paste|send|upload|let\s+me\s+know\s+(?:which|what|when|where|how))|if\s+you\s+(?:can\s+)?(?:paste|share|upload"
    r"|send|provide)\s+(?:the|your|a|it|me|more)|please\s+(?:provide|share|paste|specify|clarify))",
    _F,
)
_INSTRUCTED = re.compile(
    r"\b(?:only\s+(?:discuss|answer|talk\s+about|handle|help\s+with|respond\s+to|cover)|never\s+(?:write|give|discuss"
    r"|answer|provide|reveal|share|help)|do\s+not\s+(?:answer|discuss|help|write|provide|reveal)|(?:politely\s+)?"
    r"(?:decline|refuse|redirect)|if\s+asked)\b",
    _F,
)
_PIVOT = re.compile(r"(?:but|however|that\s+said|although|though|still|here(?:'s|\s+is|\s+are)|below)\b", _F)
# The declining clause ends at the sentence end or where it pivots ("…, but here is …").
_CLAUSE_END = re.compile(
    r"[.!?;:](?=\s|$)|\n|,\s*(?=(?:but|however|though|although|yet|here)\b)|\s+(?=(?:but|however)\b)|\s[\u2014\u2013]\s"
)
_SENTENCE_START = re.compile(r"(?:[.!?:]|\n)[\"')\]]*\s+")
_SEGMENT = re.compile(r"(?<=[.!?])\s+|\n+")
# Whole replies that are a placeholder instead of an answer: Alpaca's "<nooutput>", "<noinput>\n<output image>",
# "<No output, cannot design a graphical user interface>", "No Output".
_PLACEHOLDER = re.compile(
    r"(?:<\s*no[\s_-]*(?:output|input)\b[^>\n]{0,120}>\s*)+(?:<[^>\n]{0,40}>\s*)*|no\s+output\.?", _F
)
_NARRATION = ("*", "_", '"', "\u201c")  # role-play narration or quoted dialogue: a character speaking, not the model
_APOSTROPHES = ("\u2019", "\u2018", "\u00b4")  # typographic apostrophes: "I\u2019m sorry, but I can\u2019t"


def refusal_reason(text: str, prompt: str | None = None) -> str | None:
    """The pattern family that marks `text` as a refusal (`apology_decline`, `cannot_assist`, …), or None.

    `prompt` (the request the reply answers, when known) lets a question back to the user count as substance only
    when the request could be missing something: a long request that already holds its input makes "could you provide
    more details?" a needless question. The patterns are English: replies in other languages are never matched (None);
    `rules_cover` tells a stage which replies to count as not checked.
    """
    body = text.lstrip()
    if len(body) <= PLACEHOLDER_CHARS and _PLACEHOLDER.fullmatch(body.rstrip()):
        return "non_answer"
    head = _plain_quotes(body[:HEAD_CHARS])
    if not head or head.startswith(_NARRATION):
        return None
    lowered = head.lower()
    if _QUICK.search(lowered) is None and not any(word in lowered for word in _QUICK_WORDS):
        return None
    for start in _sentence_starts(head):
        for family, pattern in FAMILIES.items():
            match = pattern.match(head, start)
            if match is None:
                continue
            if "<tool_call>" in body or "```" in body[:REST_CHARS]:
                return None
            window = _plain_quotes(body[:REST_CHARS])
            asks_needlessly = prompt is not None and len(prompt) >= PROMPT_WITH_INPUT_CHARS
            return None if _has_substance(window, start, match.end(), not asks_needlessly) else family
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
    for mark in _APOSTROPHES:
        if mark in text:
            text = text.replace(mark, "'")
    return text


def _sentence_starts(head: str) -> list[int]:
    starts = [0]
    for match in _SENTENCE_START.finditer(head):
        if len(starts) == MAX_SENTENCES:
            break
        if match.end() < len(head):
            starts.append(match.end())
    return starts


def _has_substance(text: str, opener_start: int, match_end: int, clarify_counts: bool = True) -> bool:
    """Content before the opener or after the declining clause, or a clarifying question back to the user."""
    clause_end = _CLAUSE_END.search(text, match_end)
    rest = text[clause_end.start() :].lstrip(" ,;:.!?\n\u2014\u2013") if clause_end else ""
    if clarify_counts and _CLARIFY.search(rest):
        return True
    threshold = PIVOT_CONTENT_CHARS if _PIVOT.match(rest) else CONTENT_CHARS
    content = 0
    for segment in _SEGMENT.split(text[:opener_start]) + _SEGMENT.split(rest):
        content += _content_chars(segment)
        if content >= threshold:  # long answers stop here, after their first sentences
            return True
    return False


def _content_chars(segment: str) -> int:
    """Length of a sentence that is not filler (filler has at least one cue per CHARS_PER_CUE characters)."""
    segment = segment.strip(" -*#>\u2022")
    return len(segment) if segment and len(segment) > CHARS_PER_CUE * len(_CUE.findall(segment)) else 0


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
