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

import numpy as np

from hermes_data.filters.refusal_language import RULES_LANGUAGES, rules_cover  # noqa: F401 (re-exported)

PROMPT_WITH_INPUT_CHARS = 120  # a request this long carries its input: asking for "more details" is needless
PLACEHOLDER_CHARS = 200  # "<nooutput>"-style non-answers are short; longer replies skip that check
HEAD_CHARS = 400  # refusals announce themselves in the opening sentences; the opener search stops here
REST_CHARS = 2000  # substance is judged on this much text after the decline
MAX_SENTENCES = 4  # an opener may sit in sentences 1 to 4 ("Hello! I'm here to help. However, I must …")
CONTENT_CHARS = 80  # about one informative sentence
PIVOT_CONTENT_CHARS = 30  # "I can't be exact, but roughly 1,776." needs less once the clause pivots
LECTURE_CHARS = 800  # the lecture test reads the opening, as a reader skimming the reply does
LECTURE_MARKERS = 3
DELIVERY_CHARS = 600
CONTENT_SENTENCES = 2
CHARS_PER_CUE = 150  # a sentence with at least one filler cue per 150 characters is filler

_F = re.IGNORECASE


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
    "summarize summarise translate calculate compute solve draw design satisfy correct rewrite edit fix convert "
    "extract rank list name guess speculate act play sing rate review judge locate compile prepare estimate "
    "implement code program build count confirm verify embody"
)
_ADV = r"(?:\s+(?:\w+ly|in\s+good\s+conscience|currently|personally|really|just|actually))?"
# "I can't help but notice", "I cannot recommend it highly enough", "I can't tell you how glad I am".
_IDIOM = (
    r"(?!\s+help\s+(?:but|\w+ing)\b)(?![^.!?\n]{0,40}\benough\b)(?!\s+tell\s+you\s+how\b)"
    r"(?!\s+recommend\s+[^.!?\n]{0,30}\bmore\b)"
)
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
    r"|a\s+(?:personal\s+|strong\s+)?(?:opinion|view|preference|stance|position)\b)"
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
    rf"(?:(?:I\s*)?(?:{_CANT}|{_AM}\s+(?:\w+ly\s+)?(?:unable|not\s+able)\s+to|(?:won't|will|would)\s+be\s+(?:able|unable)\s+to)"
    rf"(?:\s+(?:and|or)\s+(?:will\s+not|won't))?{_ADV}\s+{_ANY_VERB}"
    r"|I\s*" + _AM + r"\s+(?:not\s+allowed|not\s+permitted|not\s+authori[sz]ed|not\s+in\s+a\s+position|not\s+capable"
    r"|incapable|not\s+comfortable|not\s+going\s+to|not\s+willing)\b"
    r"|I\s+(?:do\s+not|don't)\s+(?:really\s+)?feel\s+comfortable|I\s+(?:do\s+not|don't)\s+actually\b"
    rf"|I\s+(?:should|must|shall)\s*(?:not|n't)\s+(?:\w+\s+)?{_VERB}|there\s+is\s+no\s+(?:specific\s+)?information\s+"
    r"(?:available|in\s+the)\b|not\s+within\s+my\s+(?:programming|capabilit|abilit|scope|guidelines|ethical)"
    r"|I\s*(?:'m|am)\s+not\s+an?\s+(?:[\w-]+\s+){0,3}?(?:service|expert|professional|doctor|lawyer|chef|human|person"
    r"|therapist|engine|tool|website|database|search\s+engine)\b"
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
    r"(?:(?:(?:no|nope|well|okay|ok|oh|hmm+|look|honestly|frankly|respectfully|candidly|truthfully|sorry|however|but"
    r"|that\s+said|additionally|also|therefore|so)[,.!]?\s+"
    r"|(?:while|although|though|even\s+though)\s+I\s+[^.!?\n]{0,120}?,\s*"
    r"|I\s+(?:understand|appreciate|realize|know|see|hear|get)\b[^.!?\n]{0,160}?(?:,\s*|\s+)(?:but|however),?\s+"
    r"|(?:thank\s+you|thanks)\b[^.!?\n]{0,120}?(?:,\s*|\s+)but\s+"
    # "I'm happy to help you with Bolivian recipes, but I'm afraid I cannot …"
    r"|I(?:'m|\s+am|'d\s+be|\s+would\s+be)\s+(?:happy|glad|delighted)\s+to\b[^.!?\n]{0,120}?(?:,\s*|\s+)(?:but|however)"
    r",?\s+"
    r"|(?:due\s+to|because\s+of|given|in\s+light\s+of|for|based\s+on)\s+[^.!?\n]{0,80}?,\s*"
    r"|(?:let\s+me\s+be\s+(?:clear|direct|honest|upfront)|to\s+be\s+(?:clear|honest|direct))[:,]\s*"
    # "As a responsible and ethical AI language model, …", "As a helpful and respectful assistant, …"
    r"|as\s+an?\s+(?:[\w-]+,?\s+(?:and\s+)?){0,3}(?:assistant|AI|language\s+model|chatbot)\b[^,.!?\n]{0,30},\s*"
    # "I must (politely) point out that …", "I have to inform you that …" (llama-2-chat's preamble to a decline)
    r"|I\s+(?:must|have\s+to|need\s+to|want\s+to|would\s+like\s+to|'d\s+like\s+to)\s+(?:first\s+)?(?:\w+ly\s+)?"
    r"(?:inform\s+(?:you|ye)|point\s+out|clarify|advise|emphasi[sz]e|note|remind\s+you|mention|let\s+you\s+know)"
    r"(?:\s+that)?[,:]?\s+"
    r"|I\s+notice(?:d)?\s+that\s+"
    # "I'm sorry, but …", "I apologize for the confusion, but …", "Unfortunately, …"
    rf"|{_APOLOGY}(?:\s+(?:for|about)\s+[^,.!?\n]{{0,40}})?[,.!]?\s+(?:but\s+)?){{0,3}})"
)
# What the llama-2-chat preamble objects to: "… the question is not factually coherent", "… a 20-sided die does not
# exist", "… it's not possible to …". Premise corrections open the same way and then answer: substance decides.
_OBJECTION = (
    r"(?:not\s+(?:\w+\s+){0,3}?(?:possible|appropriate|safe|feasible|valid|correct|accurate|realistic|ethical|coherent"
    r"|meaningful|clear|real|suitable|advisable|respectful|legal|effective|practical|designed)\b"
    r"|do(?:es)?\s*(?:not|n't)\s+(?:make\s+sense|exist)|subjective|(?:quite|too|very)\s+broad|vague|fictional"
    r"|no\s+such\b|nonsensical|incorrect|harmful|problematic|offensive|inappropriate|unsafe|unethical|illegal"
    r"|impossible|misnomer|derogatory|safety\s+concern)"
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
    "no_capability": re.compile(
        rf"{_LEADIN}(?:{_LACK}|I\s+(?:do\s+not|don't)\s+actually\s+(?:have|do|assist|provide))", _F
    ),
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
    # "I must point out that the question is not factually coherent …", "I must inform you that it is not possible …"
    "premise_objection": re.compile(
        rf"{_LEADIN}(?:(?<=that\s)|(?<=\sye\s)|(?<=\sout\s)|(?<=arify\s)|(?<=\sbut\s))[^.!?\n]{{0,200}}?\b{_OBJECTION}",
        _F,
    ),
    # "I'm not sure what you mean. Could you clarify?", "You haven't provided any HTML.", "I don't have enough
    # context …": a question back instead of the answer (needless when the request holds its input)
    "needs_input": re.compile(
        rf"{_LEADIN}(?:I\s*(?:'m|am)\s+not\s+(?:quite\s+|entirely\s+)?sure\s+(?:what|which|who|how|I\s+(?:fully\s+)?"
        r"(?:understand|follow))|I\s+(?:do\s+not|don't)\s+(?:have\s+)?(?:quite\s+)?(?:enough|sufficient)\s+(?:context"
        r"|information|details)|I\s+(?:do\s+not|don't)\s+have\s+any\s+information\s+(?:about|on|regarding)"
        r"|I\s+(?:will\s+|would\s+|'ll\s+|'d\s+)?need\s+(?:some\s+|more\s+|additional\s+|further\s+)?(?:context"
        r"|information|details)|I\s+(?:do\s+not|don't)\s+have\s+(?:any\s+)?(?:previous\s+|prior\s+|additional\s+)?"
        r"(?:context|chat\s+history|conversation\s+history)"
        r"|(?:it\s+(?:seems|appears)\s+(?:like|that)\s+)you\s+have\s+(?:provided|given|sent)\s+[^.!?\n]{0,80}?\b(?:not"
        r"|incomplete|unclear|only)\b"
        r"|[^.!?\n]{0,100}?\b(?:is|are|was)\s+not\s+(?:provided|specified|mentioned|given|included)\s+in\s+the\s+"
        r"(?:given\s+|provided\s+)?(?:information|instruction|context|text|question|prompt)"
        r"|(?:it\s+(?:seems|appears)\s+(?:like|that)\s+)?you\s+(?:haven't|have\s+not|didn't|did\s+not)\s+(?:provided"
        r"|given|included|specified|shared)"
        r"|(?:your|the)\s+(?:question|request|message|prompt|input|query)"
        r"\s+(?:you\s+(?:provided|gave)\s+)?(?:seems|appears|is)\s+(?:to\s+be\s+)?(?:incomplete|unclear|not\s+clear)"
        r"|(?:it\s+(?:seems|appears)\s+(?:like|that)\s+)?the\s+\w+\s+you\s+provided\s+(?:does\s+not|doesn't)"
        r"|there\s+is\s+no\s+information\s+in\s+the|the\s+(?:context|text)\s+does\s*(?:not|n't)\s+(?:specify|mention"
        r"|include|say)"
        r"|without\s+(?:more|further|additional|any|enough)\s+(?:context|information|details)[^.!?\n]{0,60}?"
        r"\b(?:cannot|can't|unable|not\s+possible|difficult))",
        _F,
    ),
    # "It is not possible to determine the exact number …"
    "not_possible": re.compile(
        rf"{_LEADIN}it(?:'s|\s+is)\s+not\s+(?:possible|feasible)\s+(?:for\s+me\s+)?to\s+(?:\w+\s+)?{_VERB}", _F
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
                "personal information", "not okay", "not acceptable", "conversation",
                # premise_objection (after "I must point out / inform you / clarify"), needs_input, not_possible
                "point out", "inform", "clarif", "advis", "emphasi", "notic", "not sure", "enough", "sufficient",
                "context", "detail", "provided", "not specified", "not mentioned", "incomplete", "unclear",
                "not clear", "feasible", "history")  # fmt: skip

# Words of the filler that surrounds a refusal: declines, justifications, AI disclaimers, redirects, pleasantries.
_CUE = re.compile(
    r"\b(?:can(?:not|'t)|unable|not\s+able|won't|will\s+not|refuse|decline|not\s+(?:allowed|permitted|possible)"
    r"|sorry|apologi|afraid|unfortunately|regret"
    r"|harm|illegal|unlawful|legal|laws?\b|crim|unethical|ethic|immoral|danger|unsafe|safe|risk|injur|death|\bdie\b"
    r"|hurt|violen|weapon|abuse|exploit|malicious|fraud|scam|deceiv|decept|mislead|misinformation|fake|hate"
    r"|offensive|discriminat|racis|sexis|demean|derogat|explicit|inappropriate|appropriate|respect|privacy|private"
    r"|consent|trust|polic|guideline|terms\s+of\s+(?:service|use)|principle|integrity|plagiari|cheat|copyright"
    r"|responsib|consequence|unfair|fair\s+to|trick|against\s+(?:my|our|the\s+(?:law|rules))|violat|breach"
    r"|promot|condon|endors|well-?being|vulnerable|important\s+to|mindful|socially|unbiased|positive|coherent"
    r"|make\s+sense|assum|sensitiv|stereotyp|dignity|inclusiv|equalit|toxic|glorif|perpetuat|trivializ|feasible"
    r"|context|clarif|more\s+(?:information|details)|general\s+(?:information|guidelines|idea|tips|overview|guidance)"
    r"|hypothetical|knowledge\s+cutoff|search\s+engine|official\s+(?:website|source)|up-to-date|reliable|accurate"
    r"|authori[sz]|intellectual\s+property|strive|my\s+best|safe\b|safely|caution"
    # justifications of the decline: "This is because …", "There are too many errors …"
    r"|because|the\s+reason|due\s+to|too\s+(?:many|much|complex|difficult|vague)|not\s+(?:a\s+)?real\b|fictional"
    r"|language\s+model|(?:as|I'm|I\s+am|being|just)\s+an?\s+AI\b|AI\s+(?:assistant|model)|programmed|designed\s+to|my\s+(?:current\s+)?(?:purpose|capabilit|abilit|functions?"
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
# What a refusal keeps saying after its first sentence: further declines, justifications, redirects, the offer of
# other help. Three of them in the opening and nothing delivered make the reply a lecture, however long it is.
_LECTURE = re.compile(
    r"(?:instead,?\s+(?:I\s+(?:would\s+)?(?:suggest|recommend|can|could|encourage)|you\s+(?:can|could|may|might)|let's"
    r"|why\s+not|consider|here)"
    r"|I\s+(?:would\s+)?(?:suggest|recommend|encourage\s+you)\s+(?:that\s+you\s+)?(?:focus|consult|seek|reach|contact"
    r"|check|us|visit|search|look|ask|try|rephras|explor|speak|talk)"
    r"|if\s+you\s+have\s+any\s+(?:other|further|more)|(?:feel\s+free|let\s+me\s+know)\b[^.!?\n]{0,60}\b(?:other|else"
    r"|anything|further|more)"
    r"|I\s+hope\s+(?:you\s+understand|this\s+(?:helps|clarifies))|I\s+understand\s+that\s+(?:this|you)"
    r"|it(?:'s|\s+is)\s+(?:important|essential|crucial)\s+to\s+(?:remember|recognize|respect|be\s+mindful|treat|prioritize"
    r"|approach|always|consider|seek|consult|avoid|note\s+that\s+(?:I|as|this))"
    r"|I(?:'m|\s+am)\s+(?:just\s+|only\s+)?an?\s+AI|my\s+(?:purpose|programming|guidelines|ethical)"
    r"|(?:cannot|can't|unable\s+to|not\s+able\s+to|won't)\s+(?:\w+\s+)?(?:provide|help|assist|fulfill|create|generate"
    r"|write|answer|offer|give|share|recommend|browse|access)"
    r"|not\s+(?:\w+\s+)?appropriate|harmful|unethical|offensive|illegal|dangerous|respectful|socially\s+unbiased"
    r"|positive\s+in\s+nature|responsible\s+and"
    r"|consult(?:ing)?\s+(?:a|an|with|your|the)|(?:search|look\s+up)\s+(?:online|for\s+(?:it|this|that|the))"
    r"|(?:official|reputable|reliable)\s+(?:website|source)s?|more\s+(?:context|information|details)|provide\s+more"
    r"|clarify|rephrase|factually\s+coherent|does\s+not\s+make\s+sense|doesn't\s+make\s+sense)",
    _F,
)
# What an answer that follows a caveat looks like: a list item, "here is …", code, a colon that opens a block.
_DELIVERY = re.compile(
    r"(?m)^\s*(?:\d+[.)]|[-*\u2022])\s+\S.{15,}$|\bhere(?:'s|\s+is|\s+are)\b(?!\s+(?:some\s+|a\s+few\s+)?reasons)|```"
    # a premise correction that still concludes: "Therefore, the apple is still in the kitchen."
    r"|(?:^|[.!?\n]\s*)(?:(?:therefore|thus|hence),?|so,)\s+(?!I\b|it(?:'s|\s+is)\s+not\b|there\s+is\s+no\b|please\b)[a-z]"
    r"|\bthe\s+(?:correct\s+|short\s+|simple\s+)?answer\s+(?:is|would\s+be)\b|\bto\s+answer\s+your\s+question\b",
    _F,
)
# The pivot that sends the user elsewhere instead of answering: "However, you can easily find this …", "However, I can
# guide you on how to search for …", "I suggest using search engines …".
_REDIRECT = re.compile(
    r"(?:(?:but|however|instead)[,.]?\s+)?(?:(?:you|one)\s+(?:can|could|may|might)(?:\s+\w+){0,2}?\s+(?:find|search|look|check"
    r"|visit|use\s+(?:a\s+)?search|consult|contact|refer|try\s+(?:searching|looking|checking))"
    r"|I\s+(?:can|could|would|will)\s+(?:\w+\s+){0,3}?(?:you\s+)?(?:on\s+)?(?:how|where)\s+to\s+(?:find|search|look|locate|get)"
    r"|I\s+can\s+(?:suggest|recommend|give\s+you|provide(?:\s+you\s+with)?)\s+(?:a\s+(?:method|way)|some\s+(?:ways|methods"
    r"|resources|websites))\s+(?:for|to)\s+(?:find|search|locat|look)"
    r"|I\s+(?:would\s+)?(?:suggest|recommend)\s+(?:using|consulting|checking|visiting|searching|contacting|looking|reaching))",
    _F,
)
_PIVOT = re.compile(
    r"(?:but|however|(?:with\s+)?that\s+(?:being\s+)?said|having\s+said\s+that|although|though|still|here(?:'s|\s+is"
    r"|\s+are)|below)\b",
    _F,
)
# The declining clause ends at the sentence end or where it pivots ("…, but here is …").
_CLAUSE_END = re.compile(
    r"[.!?;:](?=\s|$)|(?<=[a-z][.!?])(?=[A-Z])|\n|,\s*(?=(?:but|however|though|although|yet|here)\b)"
    r"|\s+(?=(?:but|however)\b)|\s[\u2014\u2013]\s"
)
_SENTENCE_START = re.compile(r"(?:[.!?:]|\n)[\"')\]]*\s+|(?<=[a-z][.!?])(?=[A-Z])")
_SEGMENT = re.compile(r"(?<=[.!?])\s+|(?<=[a-z][.!?])(?=[A-Z])|\n+")
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
            asks_needlessly = family == "needs_input" or (prompt is not None and len(prompt) >= PROMPT_WITH_INPUT_CHARS)
            substance = _has_substance(window, start, match.end(), not asks_needlessly, family)
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


def _has_substance(
    text: str,
    opener_start: int,
    match_end: int,
    clarify_counts: bool = True,
    family: str = "",
) -> bool:
    """Content before the opener or after the declining clause, or a clarifying question back to the user.

    A redirect right after the decline ("However, you can find this by searching …") and a lecture (declines,
    justifications and redirects repeated, nothing delivered) are no content however long they are.
    """
    clause_end = _CLAUSE_END.search(text, match_end)
    rest = text[clause_end.start() :].lstrip(" ,;:.!?\n\u2014\u2013") if clause_end else ""
    if clarify_counts and _CLARIFY.search(rest):
        return True
    if _REDIRECT.match(rest) and not any(_content_chars(s) for s in _SEGMENT.split(text[:opener_start])):
        return False  # "However, you can easily find this by searching …": the user is sent elsewhere
    delivery = _DELIVERY.search(rest[:DELIVERY_CHARS])
    # "Instead, I suggest focusing on … Here are some ideas:" delivers a substitute, not what was asked
    delivers = delivery is not None and "instead," not in rest[: delivery.start()].lower()
    markers = LECTURE_MARKERS - (family == "premise_objection")
    if not delivers and len(_LECTURE.findall(text[opener_start:LECTURE_CHARS])) >= markers:
        return False  # a lecture: the decline repeated, justified and redirected, with no list, code or "here is"
    pivots = _PIVOT.match(rest) is not None or delivers
    threshold = PIVOT_CONTENT_CHARS if pivots else CONTENT_CHARS
    # Without a pivot one topical sentence is usually the decline's justification ("Malbolge is a notoriously
    # difficult language."): an answer says more than one thing.
    min_sentences = 1 if pivots else CONTENT_SENTENCES
    content = sentences = 0
    for segment in _SEGMENT.split(text[:opener_start]) + _SEGMENT.split(rest):
        chars = _content_chars(segment)
        content, sentences = content + chars, sentences + (chars > 0)
        if content >= threshold and (sentences >= min_sentences or content >= 2 * CONTENT_CHARS):
            return True  # long answers stop here, after their first sentences
    return False


def _content_chars(segment: str) -> int:
    """Length of a sentence that is not filler (filler has at least one cue per CHARS_PER_CUE characters)."""
    segment = segment.strip(" -*#>\u2022")
    return len(segment) if segment and len(segment) > CHARS_PER_CUE * len(_CUE.findall(segment)) else 0
