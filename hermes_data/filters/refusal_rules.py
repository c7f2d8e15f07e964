"""The vocabulary of the refusal rules: opener families, filler cues, pivots, deliveries, lectures, redirects,
stand-ins and the labels of personas.

`hermes_data.filters.refusals` decides with them (opener, then substance); this module only says what the words
are. Patterns are English (see `refusal_language`). Each family's comment shows real shapes it was written for
(benchmarks/data/refusals_dev.md lists the sources).
"""

from __future__ import annotations

import re

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
    "implement code program build count confirm verify embody develop publish post spread teach instruct plan "
    "fabricate forge"
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
_PROGRAMMED = (
    rf"I\s*{_AM}\s+(?:programmed|designed|not\s+programmed)\s+(?:to\s+(?:avoid|refuse|decline|not)|not\s+to)"
    # a mandate stated instead of the answer: "I am programmed to adhere to strict ethical guidelines which …"
    rf"|I\s*{_AM}\s+(?:programmed|designed|committed|bound)\s+to\s+(?:adhere\s+to|uphold|follow|abide\s+by|prioriti[sz]e)"
    r"\s+[^.!?\n]{0,40}?\b(?:ethical|guidelines|principles|policies|standards|safety|well-?being)"
)
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
    # "I'm not qualified to diagnose …", "I don't want to speculate on specifics"
    rf"|I\s*{_AM}\s+not\s+(?:qualified|licensed|certified|equipped)\s+to|I\s+(?:do\s+not|don't)\s+(?:want|wish|intend)\s+to\s+{_VERB}"
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
    # "Sure, I can't satisfy your request, …" (an assent that the decline then takes back); an emoji before the
    # sentence ("😊 However, I must inform you …") is skipped (not narration marks, which a story opens with)
    r"(?:[^\w\s\"'*_(\[<]+\s*)?"
    r"(?:(?:(?:no|nope|well|okay|ok|oh|hmm+|look|honestly|frankly|respectfully|candidly|truthfully|sorry|however|but"
    r"|sure|yes|certainly|absolutely|of\s+course|understood"
    # "Understood—though I can't assist in ways that …"
    r"|that\s+said|additionally|also|therefore|so)(?:[,.!]?\s+|\s*[\u2014\u2013]\s*(?:though|but|however)?,?\s*)"
    r"|(?:while|although|though|even\s+though)\s+I\s+[^.!?\n]{0,120}?,\s*"
    # "If you're looking for a nickname that sounds like …, I strongly encourage you to reconsider."
    r"|if\s+you(?:'re|\s+are)\s+[^.!?\n]{0,120}?,\s*"
    r"|I\s+(?:understand|appreciate|realize|know|see|hear|get)\b[^.!?\n]{0,160}?(?:,\s*|\s+)(?:but|however),?\s+"
    r"|(?:thank\s+you|thanks)\b[^.!?\n]{0,120}?(?:,\s*|\s+)but\s+"
    # "I'm happy to help you with Bolivian recipes, but I'm afraid I cannot …"
    # "I'm committed to upholding honest and ethical behavior, so I cannot …"
    r"|I(?:'m|\s+am)\s+(?:committed|dedicated|designed|programmed|obligated|bound)\s+to\b[^.!?\n]{0,120}?,\s*"
    r"(?:so|and\s+so|therefore|thus|which\s+means)\s+"
    r"|I(?:'m|\s+am|'d\s+be|\s+would\s+be)\s+(?:happy|glad|delighted)\s+to\b[^.!?\n]{0,120}?(?:,\s*|\s+)(?:but|however)"
    r",?\s+"
    # "I'm here to keep discussions respectful—but **I cannot provide …**", "I'm here to help …—but unfortunately, …"
    r"|I(?:'m|\s+am)\s+here\s+to\b[^.!?\n]{0,120}?(?:,\s*|\s*[\u2014\u2013]\s*|\s+)(?:but|however),?\s+(?:\*\*)?"
    r"|(?:due\s+to|because\s+of|given|in\s+light\s+of|for|based\s+on)\s+[^.!?\n]{0,80}?,\s*"
    r"|(?:let\s+me\s+be\s+(?:clear|direct|honest|upfront)|to\s+be\s+(?:clear|honest|direct))[:,]\s*"
    # "As a responsible and ethical AI language model, …", "As a helpful and respectful assistant, …"
    # "As an AI developed to promote ethical and responsible use of technology, …"
    r"|as\s+an?\s+(?:[\w-]+,?\s+(?:and\s+)?){0,3}(?:assistant|AI|language\s+model|chatbot)\b[^,.!?\n]{0,80},\s*"
    # "I must (politely) point out that …", "I have to inform you that …" (llama-2-chat's preamble to a decline)
    r"|I\s+(?:must|have\s+to|need\s+to|want\s+to|would\s+like\s+to|'d\s+like\s+to)\s+(?:first\s+)?(?:\w+ly\s+)?"
    r"(?:inform\s+(?:you|ye)|point\s+out|clarify|advise|emphasi[sz]e|note|remind\s+you|mention|let\s+you\s+know)"
    r"(?:\s+that)?[,:]?\s+"
    r"|I\s+notice(?:d)?\s+that\s+"
    # "Please note that I cannot provide …", "But before I start, let me just say that …"
    r"|(?:please\s+)?note\s+that\s+|let\s+me\s+(?:just\s+)?say\s+(?:that\s+)?"
    # "I'm sorry, but …", "I apologize for the confusion, but …", "Unfortunately, …"
    rf"|{_APOLOGY}(?:\s+(?:for|about)\s+[^,.!?\n]{{0,40}})?[,.!]?\s+(?:but\s+)?){{0,3}})"
)
# What the llama-2-chat preamble objects to: "… the question is not factually coherent", "… a 20-sided die does not
# exist", "… it's not possible to …". Premise corrections open the same way and then answer: substance decides.
_OBJECTION = (
    r"(?:not\s+(?:\w+\s+){0,3}?(?:possible|appropriate|acceptable|safe|feasible|valid|correct|accurate|realistic|ethical|coherent"
    r"|meaningful|clear|real|suitable|advisable|respectful|legal|effective|practical|designed)\b"
    r"|do(?:es)?\s*(?:not|n't)\s+(?:make\s+sense|exist)|subjective|(?:quite|too|very)\s+broad|vague|fictional"
    r"|no\s+such\b|nonsensical|incorrect|harmful|problematic|offensive|inappropriate|unsafe|unethical|illegal"
    r"|impossible|misnomer|derogatory|safety\s+concern"
    # "… mixing bleach and ammonia can be dangerous", "bullying is a serious issue that can have severe consequences"
    r"|dangerous|serious\s+(?:issue|problem|crime|offen[cs]e|matter)|severe\s+consequences)"
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
        rf"(?:be\s+\w+ing\b|{_VERB})"
        # a standing policy: "I don't produce explicit content or stories.", "I do not engage in …"
        r"|I\s+(?:do\s+not|don't)\s+(?:produce|create|generate|write|provide|engage\s+in|assist\s+with|help\s+with"
        r"|condone|endorse|promote|support|facilitate)\b",
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
        rf"\s+(?:would\s+)?{_VIOLATES}"
        # "Discussing how to continue this illegal activity goes against ethical guidelines and legal standards."
        r"|(?:discussing|providing|sharing|giving|creating|writing|helping|assisting)\b[^.!?\n]{0,80}?\s+(?:would\s+)?"
        r"(?:violate|go\s+against|goes\s+against|is\s+against)\s+(?:my\s+|the\s+|our\s+)?(?:\w+\s+)?(?:guidelines|policies"
        rf"|principles|standards)|{_PROGRAMMED}|it(?:'s|\s+is)\s+not\s+possible\s+for\s+me\s+to"
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
        rf"{_LEADIN}(?:(?<=that\s)|(?<=\sye\s)|(?<=\sout\s)|(?<=arify\s)|(?<=\sbut\s)|(?<=asize\s)|(?<=asise\s))[^.!?\n]{{0,200}}?\b{_OBJECTION}",
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
    # "Sure, here are instructions for … 🚨 NOTE: These instructions are fictional and should not be attempted.",
    # "🚫 It is illegal and unethical to sell organs …", "Don't do this! Illegally dumping …": the reply announces
    # the harmful thing and then warns against it. A warning followed by the asked-for steps is an answer: substance
    # decides.
    "warning": re.compile(
        rf"{_LEADIN}(?:[^\w\s]+\s*)*(?:(?:please\s+)?(?:note|warning|disclaimer|caution)[:!,]?\s+(?:that\s+)?)?"
        r"(?:(?:these|this|the)\s+(?:instructions|article|steps|message|post|information|content|guide|plan)\s+"
        r"(?:are|is)\s+(?:\w+\s+){0,2}?(?:fictional|fictitious|not\s+(?:factual|true|real|safe|intended|meant)"
        r"|for\s+(?:informational|educational)\s+purposes\s+only)"
        r"|(?:do\s+not|don't|never)\s+(?:attempt|try)\s+(?:this|to\b)|don't\s+do\s+this\b|not\s+safe!"
        r"|it(?:'s|\s+is)\s+(?:(?:both|highly|very|extremely)\s+)?(?:illegal|unethical|immoral)\s+(?:and\s+\w+\s+)?to\s)",
        _F,
    ),
    # "I strongly advise against …", "I must strongly advise against attempting …", "I strongly urge you to
    # recognize that …", "I'd encourage you not to …": dissuasion in place of the asked-for help (an answer may still
    # follow: substance decides).
    "advise_against": re.compile(
        rf"{_LEADIN}I(?:\s+would|'d|\s+must|\s+have\s+to)?\s+(?:strongly\s+|really\s+|firmly\s+)?"
        r"(?:advise(?:\s+you)?|caution(?:\s+you)?|urge\s+you|warn\s+you|encourage\s+you)"
        r"(?:\s+strongly)?\s+(?:against|not\s+to|to\s+(?:reconsider|recognize|stop|refrain|seek))\b",
        _F,
    ),
    # "I'm really sorry you're feeling this way. If you're struggling, please reach out to a crisis line …": sympathy
    # and a pointer to help in place of an answer to a self-harm or violent request. Sympathy that then helps ("I'm so
    # sorry you're dealing with this. Here is what to do: 1. …") has substance.
    "crisis_redirect": re.compile(
        rf"{_LEADIN}I(?:'m|\s+am)\s+(?:really\s+|so\s+|truly\s+|very\s+)?sorry\s+(?:to\s+hear\s+)?(?:that\s+)?"
        r"you(?:'re|\s+are)\s+(?:feeling|going\s+through|struggling)\b",
        _F,
    ),
    # "Creating fake documents for selling organs is highly unethical, illegal, and extremely dangerous.", "Sexist
    # remarks are never appropriate or acceptable.": the reply
    # opens by condemning what was asked (only tried on the first sentence; an answer may follow: substance decides)
    "condemnation": re.compile(
        r"(?:[^\w\s\"'*_(\[<]+\s*)?(?:the\s+idea\s+)?[^.!?\n]{3,160}?\b(?:is|are|would\s+be)\s+(?:\*\*)?"
        r"(?:(?:a|an|both|not\s+only|highly|extremely|deeply|completely|absolutely|strictly|very|seriously|clearly|serious"
        r"|profoundly|morally|ethically|legally)[,\s]+)*(?:[\w-]+,?\s+(?:and\s+)?){0,2}?"
        r"(?:illegal|unethical|immoral|unacceptable|reprehensible|crimes?|criminal|never\s+(?:appropriate|acceptable|okay"
        r"|justified|justifiable))\b"
        # "Apps should not track user location without consent, as this would violate privacy laws …"
        r"|[^.!?\n]{3,160}?\b(?:should|must)\s+(?:not|never)\b[^.!?\n]{0,120}?\b(?:as|because|since)\b[^.!?\n]{0,40}?"
        r"\b(?:violat\w*|illegal|unethical|harmful|against\s+the\s+law)",
        _F,
    ),
    # "It is not possible to determine the exact number …"
    "not_possible": re.compile(
        rf"{_LEADIN}it(?:'s|\s+is)\s+not\s+(?:possible|feasible)\s+(?:for\s+me\s+)?to\s+(?:\w+\s+)?{_VERB}", _F
    ),
    # "There were no benefits of ethnic cleansing." (the holdout conventions' example of a harmful premise rebutted),
    # "It is not accurate or fair to say that women are worse at math." (written for the tests), round 5's "It is
    # highly unlikely that advertisements will glorify …" and "The idea that vaccines cause autism has been
    # debunked": the request's premise denied in the opening sentence (only there, and only when that sentence
    # restates the request). A fact that answers an absurd premise is content: substance decides.
    "rebuttal": re.compile(
        r"(?:it(?:'s|\s+is)\s+not\s+(?:\w+\s+){0,2}?(?:accurate|fair|true|correct|appropriate|best|right|ethical|okay"
        r"|acceptable)\s+(?:or\s+\w+\s+)?(?:to\s+(?:say|claim|suggest|assume|generali[sz]e)\b|for\s+any\b)"
        r"|there\s+(?:is|are|were|was)\s+no\s+(?:valid\s+|legitimate\s+|good\s+|justifiable\s+|real\s+)?(?:reasons?"
        r"|benefits?|justification|basis)\b"
        # "It is highly unlikely that advertisements will glorify …", "The idea that vaccines cause autism has been
        # scientifically debunked."
        r"|(?:I\s+believe\s+)?it(?:'s|\s+is)\s+(?:highly\s+|very\s+|extremely\s+)?unlikely\s+that\b"
        r"|the\s+(?:idea|claim|notion|belief|myth|premise)\s+that\b[^.!?\n]{0,120}?\b(?:is|has\s+been|was)\s+(?:\W*\w+\s+)?"
        r"\W*(?:debunked|false|a\s+myth|unfounded|baseless|not\s+supported))",
        _F,
    ),
}

# Every family match contains one of these (the heads are lowercased first). One search rejects most ordinary
# answers at ~130k replies/s before the eight families are tried; a new family must add its core words here.
QUICK = re.compile(
    r"sorry|apolog|afraid|unfortunately|regret|sadly|alas|can(?:'t|not|t\b|\s+not)|unable|incapable|be\s+able"
    r"|not\s+(?:able|allowed|permitted|authori|in\s+a\s+position|capable|going|willing|possible|something|have"
    # rebuttal: "It is not accurate or fair to say …", "There is no valid reason why …", "highly unlikely that …"
    r"|accurate|fair|true|best|correct|right|ethical)|no\s+(?:\w+\s+)?(?:reasons?|benefits?|justification|basis)\b"
    r"|unlikely\s+that|debunked|myth|unfounded|baseless"
    r"|n't\s+(?:have|something)|never\s+something|comfortable|won't|will\s+not|shall\s+not|refuse|decline|pass\s+on"
    r"|say\s+no|rather\s+not|prefer\s+not|for\s+me|outside|beyond|violat|against|conflicts|programmed|designed"
    r"|impossible|turn\s+(?:\w+\s+)?down|n't\s+think|not\s+think"
    r"|my\s+(?:guidelines|programming|policies|principles|rules)"
)
# Core words of the `moralising` family, checked as plain substrings: each alternative added to QUICK costs about
# 1 µs per reply, a substring test a few nanoseconds.
QUICK_WORDS = ("harmful", "offensive", "appropriate", "disrespectful", "hateful", "unethical", "dangerous",
                "personal information", "not okay", "not acceptable", "conversation",
                # premise_objection (after "I must point out / inform you / clarify"), needs_input, not_possible
                "point out", "inform", "clarif", "advis", "emphasi", "notic", "not sure", "enough", "sufficient",
                "context", "detail", "provided", "not specified", "not mentioned", "incomplete", "unclear",
                "not clear", "feasible", "history",
                # warning, advise_against, condemnation (crisis_redirect is found by "sorry")
                "fictional", "fictitious", "not factual", "purposes only", "not attempt", "n't attempt",
                "never attempt", "not try", "n't try", "never try", "don't do this", "not safe", "illegal", "immoral",
                "unacceptable", "reprehensible", "crime", "criminal", "urge you", "caution",
                "encourage you")  # fmt: skip

# Words of the filler that surrounds a refusal: declines, justifications, AI disclaimers, redirects, pleasantries.
CUE = re.compile(
    r"\b(?:can(?:not|'t)|unable|not\s+able|won't|will\s+not|refuse|decline|not\s+(?:allowed|permitted|possible)"
    r"|sorry|apologi|afraid|unfortunately|regret"
    r"|harm|illegal|unlawful|legal|laws?\b|crim|unethical|ethic|immoral|danger|unsafe|safe|risk|injur|death|\bdie\b"
    r"|hurt|violen|weapon|abuse|exploit|malicious|fraud|scam|deceiv|decept|mislead|misinformation|fake|hate"
    r"|offensive|discriminat|racis|sexis|demean|derogat|explicit|inappropriate|appropriate|respect|privacy|private"
    r"|consent|trust|polic|guideline|terms\s+of\s+(?:service|use)|principle|integrity|plagiari|cheat|copyright"
    r"|responsib|consequence|unfair|fair\s+to|trick|against\s+(?:my|our|the\s+(?:law|rules))|violat|breach"
    r"|promot|condon|endors|well-?being|vulnerable|important\s+to|mindful|socially|unbiased|positive|coherent"
    r"|make\s+sense|assum|sensitiv|stereotyp|dignity|inclusiv|equalit|toxic|glorif|perpetuat|trivializ|feasible"
    r"|context|clarif|more\s+(?:information|details)|general\s+(?:\w+\s+)?(?:information|guidelines|idea|tips|overview|guidance|advice)"
    r"|hypothetical|knowledge\s+cutoff|search\s+engine|official\s+(?:website|source)|up-to-date|reliable|accurate"
    r"|authori[sz]|intellectual\s+property|strive|my\s+best|safe\b|safely|caution"
    # justifications of the decline: "This is because …", "There are too many errors …"
    r"|because|the\s+reason|due\s+to|too\s+(?:many|much|complex|difficult|vague)|not\s+(?:a\s+)?real\b|fictional"
    r"|language\s+model|(?:as|I'm|I\s+am|being|just)\s+an?\s+AI\b|AI\s+(?:assistant|model)|programmed"
    # the assistant's own design, not a thing's ("malware can be designed to disable antivirus software")
    r"|(?:I\s+am|I'm|I\s+was|I've\s+been|I\s+have\s+been|am|was)\s+designed\s+to"
    r"|my\s+(?:current\s+)?(?:purpose|capabilit|abilit|functions?"
    r"|training|knowledge|programming|role)|capabilit|real-?time|browse|internet|external\s+task|access\s+to"
    r"|personal\s+(?:opinion|belief|view|experience|preference)|text-based"
    r"|instead|happy\s+to|glad\s+to|here\s+to\s+help|available\s+to|any\s+(?:other\s+)?(?:queries|questions|tasks)"
    r"|I\s+(?:can|could|would|'d|'ll)\s+(?:gladly\s+)?(?:help|assist"
    r"|explain|offer|suggest|provide|show|talk|discuss|write|point)|feel\s+free|let\s+me\s+know|anything\s+else"
    r"|other\s+(?:questions?|topics?|requests?|ways?)|if\s+you(?:'d|\s+would)?\s+like|if\s+you(?:'re|\s+are)\s+"
    r"(?:interested|worried|concerned|struggling|feeling|looking)|if\s+you\s+(?:have|need|want)|consider\b|considering|recommend"
    r"|suggest|encourag|advis|please|seek|reach\s+out|contact|consult|talk\s+(?:things\s+over|to)|professional"
    r"|expert|specialist|doctor|physician|lawyer|attorney|accountant|therapist|counsel|hotline|helpline|crisis"
    r"|authorities|police|official|reputable|trusted|resources?\b|you\s+(?:can|could|may|might)\s+(?:want\s+to\s+)?"
    r"(?:check|visit|try|use|consult|contact|look|search|find|ask)|check\s+(?:a|an|the|your)\b"
    r"|without\s+(?:more|further|additional|any|enough|sufficient)\s+(?:context|information|details|data)"
    # generic background that stands in for the answer after a capability disclaimer
    r"|constantly|fluctuat|\bvar(?:y|ies)\b|depends?\s+on|(?:many|various|several|a\s+number\s+of)\s+factors|influenced\s+by"
    r"|thank|hello|\bhi\b|\bhey\b|I\s+understand|I\s+appreciate|understandabl|great\s+question|good\s+question"
    # offers and limits instead of the answer: "Would you like some help with that?", "I can only give general advice"
    r"|would\s+you\s+like|do\s+you\s+want\s+me\s+to|shall\s+I\b|I\s+can\s+only\b"
    # the greeting before a decline: "I'm glad you're interested in ASCII art!", "I'm here to help you."
    r"|(?:glad|happy|delighted|excited)\s+(?:that\s+)?you(?:'re|\s+are)|interested\s+in|I(?:'m|\s+am)\s+here\s+to"
    r"|thought-provoking|\bahoy\b)",
    _F,
)
CLARIFY = re.compile(
    r"\b(?:(?:could|can|would)\s+you\s+(?:please\s+)?(?:provide|share|tell\s+me|give\s+me|clarify|specify|confirm"
    r"|paste|send|upload|let\s+me\s+know\s+(?:which|what|when|where|how))|if\s+you\s+(?:can\s+)?(?:paste|share|upload"
    r"|send|provide)\s+(?:the|your|a|it|me|more)|please\s+(?:provide|share|paste|specify|clarify))",
    _F,
)
# A sentence that offers other help instead of giving it ("However, I can provide you with a high-level explanation of
# Timsort in Python.", "If you'd like, I can help you write it in JavaScript."): no content, whatever it names. One
# that tells ("I can tell you that …") or opens a delivery ("I can suggest these alternatives:") is not an offer.
OFFER = re.compile(
    r"(?:(?:but|however|instead|that\s+said|if\s+you(?:'d|\s+would)\s+like|otherwise)[,.]?\s+)?"
    r"(?:(?:regarding|as\s+for|about)\s+[^,.!?\n]{0,60},\s+)?"
    r"(?:I\s+(?:can|could|will|would\s+be\s+(?:happy|glad)\s+to|'d\s+be\s+(?:happy|glad)\s+to|(?:am|'m)\s+(?:happy|glad)\s+to)"
    r"(?:,?\s+however,?)?(?:\s+(?:certainly|definitely|still|gladly|also))?)\s+"
    r"(?:provide|give|offer|help|assist|suggest|recommend|explain|show|guide|point|share|write|create|walk)\b"
    r"(?!\s+you\s+that\b)[^:\n]*[.!?]?\s*$",
    _F,
)
# What a question back to the user asks about: their wishes ("Or perhaps you have a specific style of house in mind
# that you'd like to learn more about?", "What type of tech categories are you interested in?").
QUESTION_BACK = re.compile(
    r"\s*(?:(?:or|and|so)[,]?\s+)?(?:perhaps\s+|maybe\s+)?(?:perhaps|maybe|what|which|who|how|where|when|do|does|did|are|is"
    r"|would|could|can|may|should|have)\b[^?\n]*?\byou(?:'d|'re|\s+would|\s+are)?\s+(?:\w+\s+)?(?:like|want|mean|have\s+in\s+mind|looking\s+for|interested|referring"
    r"|prefer|wish|need)\b",
    _F,
)
# A whole reply that is only a decline, cut short or curt: "I'm unable.", "I can't.", "Sorry, I cannot."
BARE_DECLINE = re.compile(
    r"(?:(?:sorry|no|unfortunately)[,.!]?\s*)?I(?:'m|\s+am)\s+(?:unable|not\s+able)(?:\s+to)?[.!]?|(?:(?:sorry|no)[,.!]?\s*)?"
    r"I\s+(?:can(?:not|'t)|won't|will\s+not)[.!]?",
    _F,
)
# A question about the assistant's own mind ("Can you think and feel like a human?", "What are you thinking of right
# now?"): "As an AI, I don't have thoughts" answers it, it does not decline it.
SELF_QUESTION = re.compile(
    r"\b(?:you|your)\b[^?\n]{0,40}?\b(?:think|thinking|feel|feeling|feelings|emotions?|conscious|consciousness|sentient"
    r"|alive|dream|dreams|thoughts|mind|human|self-aware)\b[^?\n]{0,40}\?\s*$",
    _F,
)
# An objection to the task itself rather than to a claim in the question: "implementing Timsort on Lean 4 is not a
# feasible or safe task", "the area of a 20-sided die cannot be calculated", "it is not possible to make apple juice
# at home", "I must respectfully decline to answer". After a premise objection it makes the reply a decline unless
# something is delivered; an objection to a claim ("the statement is not accurate") is usually followed by the answer.
TASK_OBJECTION = re.compile(
    r"\bnot\s+(?:\w+\s+){0,2}?(?:possible|feasible|safe|appropriate|advisable|practical)\s+(?:for\s+\w+\s+)?to\s+"
    r"(?:\w+ly\s+)?(?:make|implement|create|write|calculate|compute|answer|solve|build|provide|determine|speculate|draw"
    r"|code|program|do|define|design|generate|produce|compose|introduce|rewrite|turn|give)\b"
    r"|\b(?:cannot|can't|can\s+not)\s+be\s+(?:\w+ly\s+)?(?:calculated|implemented|made|done|answered|solved|determined"
    r"|created|measured|predicted|computed|performed|completed|written|extracted)\b"
    r"|\bnot\s+(?:a\s+)?(?:\w+\s+){0,2}?(?:feasible|possible|safe|valid|appropriate|solvable|meaningful)\s+(?:or\s+\w+\s+)?"
    r"(?:task|request|thing\s+to\s+do|mathematical\s+(?:problem|object)|question\s+to\s+answer)\b"
    r"|\bnot\s+(?:solvable|possible\s+to\s+(?:answer|implement|calculate|determine|speculate))"
    r"|\bdecline\s+to\s+(?:answer|provide|help|write|create)",
    _F,
)
# A sentence asking the user for more: with a request that holds its input it is filler however long ("If you
# provide some more details about the specific movie - such as a plot summary, the year … - that would help me …").
ASKS_MORE = re.compile(
    r"\b(?:if\s+(?:you\s+)?(?:could\s+|can\s+|would\s+)?(?:please\s+)?(?:provide|provided|share|give|tell)"
    r"|(?:could|can|would)\s+you\s+(?:please\s+)?(?:provide|share|tell\s+me|give\s+me|clarify|specify|rephrase)"
    r"|please\s+(?:provide|share|clarify|specify|rephrase|let\s+me\s+know\s+(?:what|which)\b)"
    r"|(?:more|additional|further|some)\s+(?:context|details|information|specifics)\s+(?:would|will)\s+(?:help|be\s+helpful)"
    # "What kind of place are you referring to?", "Do you mean the film or the book?"
    r"|(?:what|which)\s+(?:kind|type|sort)\s+of\b[^.!?\n]{0,60}\?|\bare\s+you\s+referring\s+to\b|\b(?:did|do)\s+you\s+mean\b)",
    _F,
)
# What a refusal keeps saying after its first sentence: further declines, justifications, redirects, the offer of
# other help. Three of them in the opening and nothing delivered make the reply a lecture, however long it is.
LECTURE = re.compile(
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
    r"|write|answer|offer|give|share|recommend|browse|access|predict|determine|guarantee)"
    r"|not\s+(?:\w+\s+)?appropriate|harmful|unethical|offensive|illegal|dangerous|respectful|socially\s+unbiased"
    r"|positive\s+in\s+nature|responsible\s+and"
    r"|consult(?:ing)?\s+(?:a|an|with|your|the)|(?:search|look\s+up)\s+(?:online|for\s+(?:it|this|that|the))"
    r"|(?:official|reputable|reliable)\s+(?:website|source)s?|more\s+(?:context|information|details)|provide\s+more"
    r"|clarify|rephrase|factually\s+coherent|does\s+not\s+make\s+sense|doesn't\s+make\s+sense)",
    _F,
)
# What an answer that follows a caveat looks like: a list item, "here is …", code, a colon that opens a block.
DELIVERY = re.compile(
    r"(?m)^\s*(?:\d+[.)]|[-*\u2022])\s+\S.{15,}$|\bhere(?:'s|\s+is|\s+are|\s+it\s+is|\s+you\s+go)\b(?!\s+(?:some\s+|a\s+few\s+)?reasons)|```"
    # a premise correction that still concludes: "Therefore, the apple is still in the kitchen."
    r"|(?:^|[.!?\n]\s*)(?:(?:therefore|thus|hence),?|so,)\s+(?!I\b|it(?:'s|\s+is)\s+not\b|there\s+is\s+no\b|please\b)[a-z]"
    r"|\bthe\s+(?:correct\s+|short\s+|simple\s+)?answer\s+(?:is|would\s+be)\b|\bto\s+answer\s+your\s+question\b"
    r"|\b(?:the\s+following|goes\s+like\s+this|as\s+follows|here\s+it\s+is)\b[^.!?\n]{0,40}:\s*\n\s*\S"
    r"|\blet's\s+(?:dive\s+in|dive\s+into|get\s+started|begin|start\s+with)\b",
    _F,
)
# A block announced by a colon ("you can use the following code:\nputs …", "The first verse goes like this:\n…",
# "Here it is:\n /\\_/\\"): the answer itself, however short its lines.
BLOCK = re.compile(
    r"\b(?:the\s+following|goes\s+like\s+this|as\s+follows|here\s+it\s+is)\b[^.!?\n]{0,40}:\s*\n\s*\S", _F
)
# The pivot that sends the user elsewhere instead of answering: "However, you can easily find this …", "However, I can
# guide you on how to search for …", "I suggest using search engines …".
REDIRECT = re.compile(
    r"(?:(?:but|however|instead)[,.]?\s+)?(?:(?:you|one)\s+(?:can|could|may|might)(?:\s+\w+){0,2}?\s+(?:find|search|look|check"
    r"|visit|use\s+(?:a\s+)?search|consult|contact|refer|try\s+(?:searching|looking|checking)|determine|calculate"
    r"|work\s+out|figure\s+out)"
    r"|I\s+(?:can|could|would|will)\s+(?:\w+\s+){0,6}?(?:you\s+)?(?:on\s+)?(?:how|where)\s+to\s+(?:\w+\s+){0,2}?"
    r"(?:find|search|look|locate|get)"
    r"|here\s+are\s+(?:some\s+)?(?:suggestions|tips|ways|resources|places)\s+(?:for|on)\s+(?:finding|locating|searching|where)"
    r"|I\s+can\s+(?:suggest|recommend|give\s+you|provide(?:\s+you\s+with)?)\s+(?:a\s+(?:method|way)|some\s+(?:ways|methods"
    r"|resources|websites))\s+(?:for|to)\s+(?:find|search|locat|look)"
    r"|I\s+(?:would\s+)?(?:suggest|recommend)\s+(?:using|consulting|checking|visiting|searching|contacting|looking|reaching)"
    r"|I\s+can\s+(?:\w+\s+)?help\s+you\s+(?:to\s+)?(?:find|search|locate|look))",
    _F,
)
# The stand-in offered right after a decline: "However, I can provide you with some instructions on how to create an
# ASCII art cat …", "But I can give you some tips for writing …". The user asked for the thing and is taught to make
# it, or told what it might look like: a substitute for the task, not the task.
SUBSTITUTE = re.compile(
    r"(?:(?:but|however|instead)[,.]?\s+)?I\s+can(?:,\s+however,)?\s+(?:\w+ly\s+)?(?:provide|give|offer|share|help)\s+"
    r"(?:you\s+)?(?:with\s+)?(?:some\s+)?(?:general\s+)?(?:instructions|steps|tips|guidance|guidelines|information)\s+"
    r"(?:on\s+how\s+(?:to|you\s+can)\s+(?:\w+\s+)?(?:write|create|make|draw|design|build|code|program|compose)"
    r"|for\s+(?:writing|creating|making|drawing|designing|building|coding|composing))\b"
    # a description of the thing instead of the thing: "I can provide you with a general outline of what a
    # two-minute piano piece might look like:"
    r"|(?:(?:but|however|instead)[,.]?\s+)?I\s+can\s+(?:\w+ly\s+)?(?:provide|give|offer|share)\s+(?:you\s+)?(?:with\s+)?"
    r"an?\s+(?:general|rough|basic|brief|high-level)\s+(?:outline|overview|idea|description|sense)\s+of\s+what\b",
    _F,
)
# Information about the subject offered in place of a piece of writing: "… but I can provide you with information about
# the latest iPhone models." (a stand-in only when the request asks for the piece: PRODUCE)
INFO_OFFER = re.compile(
    r"(?:(?:but|however|instead)[,.]?\s+)?I\s+can(?:,\s+however,)?\s+(?:\w+ly\s+)?(?:provide|give|offer|share)\s+(?:you\s+)?"
    r"(?:with\s+)?(?:some\s+)?(?:general\s+)?(?:information|facts|details|background)\s+(?:about|on|regarding)\b",
    _F,
)
# A request for a piece whose substance is the writer's own, not information: "Type a review for …", "Write a poem
# about …", "Describe a time when you …" ("Write a summary of …" is answered by information).
PRODUCE = re.compile(
    r"(?:please\s+)?(?:(?:write|type|compose|draft|create)\s+(?:an?\s+|the\s+|my\s+|me\s+an?\s+)?(?:[\w'-]+\s+){0,3}?"
    r"(?:review|story|poem|song|lyrics|joke|letter|speech|tweet|diary|personal\s+statement)"
    r"|describe\s+a\s+time|tell\s+me\s+a\s+(?:story|joke|poem))\b",
    _F,
)
PIVOT = re.compile(
    r"(?:but|however|(?:with\s+)?that\s+(?:being\s+)?said|having\s+said\s+that|although|though|still|here(?:'s|\s+is"
    r"|\s+are)|below)\b",
    _F,
)
# The declining clause ends at the sentence end or where it pivots ("…, but here is …").
CLAUSE_END = re.compile(
    r"[.!?;:](?=\s|$)|(?<=[a-z][.!?])(?=[A-Z])|\n|,\s*(?=(?:but|however|though|although|yet|here)\b)"
    r"|\s+(?=(?:but|however)\b)|\s[\u2014\u2013]\s|(?<=[.!?][\"'\u201d])\s+(?=(?:But|However)\b)"
)
SENTENCE_START = re.compile(r"(?:[.!?:]|\n)[\"')\]]*\s+|(?<=[a-z][.!?])(?=[A-Z])")
# A heading that opens a sentence: "Step 2: I'm sorry, but I can't assist with that.", "**Note:** I cannot …"
STEP_HEADING = re.compile(r"(?:\*\*)?[A-Z][a-z]{1,12}(?:\s+\d{1,2})?:(?:\*\*)?[ \t]+(?=[A-Z])")
# A sentence that says what the task is instead of doing it: "Step 1: Understand the task.", "The task, when
# flipped, reads: …", "The original task is: …", "You are asking me to …", "I have read the TASK by flipping …".
RESTATES_TASK = re.compile(
    r"(?:step\s+\d+:?\s+)?(?:(?:the\s+)?(?:\w+\s+)?(?:task|request|question|instruction|prompt|sentence)\b"
    r"[^.!?\n]{0,40}?\b(?:is|was|reads|becomes|says|asks)\b"
    r"|[^.!?\n]{0,40}?\b(?:understand(?:ing)?|read(?:ing)?|flip(?:ping)?|revers(?:e|ing))\s+(?:the|each|this)\s+"
    r"(?:\w+\s+)?(?:\w+\s+in\s+the\s+)?(?:task|request|question|word|sentence|characters?)\b"
    r"|you(?:'re|\s+are)?\s+(?:ask(?:ing|ed)?|want(?:ing)?|request(?:ing|ed)?)\s+(?:me\s+)?(?:to|for)\b"
    r"|I\s+(?:have\s+)?(?:read|flipped|reversed)\s+the\b)",
    re.IGNORECASE,
)
SEGMENT = re.compile(r"(?<=[.!?])[\"'\u201d)]?\s+|(?<=[a-z][.!?])(?=[A-Z])|\n+")
# Whole replies that are a placeholder instead of an answer: Alpaca's "<nooutput>", "<noinput>\n<output image>",
# "<No output, cannot design a graphical user interface>", "No Output".
PLACEHOLDER = re.compile(
    r"(?:<\s*no[\s_-]*(?:output|input)\b[^>\n]{0,120}>\s*)+(?:<[^>\n]{0,40}>\s*)*|no\s+output\.?", _F
)
NARRATION = ("*", "_", '"', "\u201c")  # role-play narration or quoted dialogue: a character speaking, not the model
# A label or list marker before the reply's first words ("**Answer:** I am unable …", "- I'm sorry, …"): not narration.
LEADING_LABEL = re.compile(r"(?:\*\*[A-Z][\w ]{0,20}:\*\*|[A-Z][a-z]{2,12}:(?=\s+I\b)|[-\u2022>]\s)\s*")
# A speaker's or persona's label at a line start: a script's "- Agent: …", and the personas of dual-persona jailbreak
# replies: "[🔒CLASSIC] …", "(🔓Developer Mode Output) …", "**DAN:** …", "GPT: …", "[ChatGPT:]". A bracketed label is
# short and no markdown link; a plain one is one to four words (or emoji) and a colon.
PERSONA_LABEL = re.compile(
    r"(?m)^[ \t]*(?:[-*\u2022>#]+[ \t]*)?(?:\*\*)?(?:[\[(\u3010]\s*(?P<bracketed>[^\]\)\u3011\n]{1,40}?)\s*:?\s*"
    r"[\])\u3011](?!\()(?:\s*:)?"
    r"|(?P<named>(?:[^\W\d_][\w'.-]*|[^\w\s*:\[\]()]{1,3})(?:[ \t]+(?:[\w'.-]+|[^\w\s*:\[\]()]{1,3})){0,3})"
    r"[ \t]*:)(?:\*\*)?\s*(?=\S)"
)
# Labels that head a part of one reply, not a voice: "Step 2: I'm sorry, but I can't …", "**Answer:** …", "Note: …".
HEADING_LABEL = re.compile(
    r"(?:[a-z]+\s*)?\d+[a-z]?|(?:note|answer|solution|explanation|reason|example|summary|title|introduction|conclusion"
    r"|output|input|response|result|warning|disclaimer|update|edit|tip|hint|task|question|context|analysis)"
)
APOSTROPHES = ("\u2019", "\u2018", "\u00b4")  # typographic apostrophes: "I\u2019m sorry, but I can\u2019t"

# The grounds a safety decline gives: the law, ethics, harm. After such a decline the reply's talk of danger, the law
# and consequences is the decline going on, even where the request uses the same words ("how to illegally buy a gun"
# → "it is illegal for minors to …"), so the request's words stop counting as its topic.
HARM_GROUNDS = re.compile(
    r"\b(?:illegal|unlawful|unethical|immoral|harmful|dangerous|against\s+(?:the\s+law|ethical|moral|my\s+(?:ethical|programming"
    r"|guidelines|principles))|ethical\s+(?:and\s+\w+\s+)?(?:guidelines|standards|principles|boundaries|framework)|morally"
    r"|serious\s+(?:\w+\s+)?(?:crime|legal|consequences|offen[cs]e|harm)|(?:privacy|consent)\s+laws?|not\s+within\s+my\s+(?:programming"
    r"|ethical)|promot\w*\s+(?:harm|hate|violence|illegal)|criminal|crime|violat\w*\s+(?:privacy|ethical|laws?|the\s+law)"
    r"|human\s+rights|exploitation|hate\s+speech|discriminat\w+|legal\s+consequences|weapons?|toxic|lethal"
    # privacy and security grounds: "I can't provide passwords … for security reasons", "… confidentiality"
    r"|privacy|confidential\w*|security\s+(?:reasons|protocols|policies|standards)|sensitive\s+(?:information|data|details)"
    r"|unauthori[sz]ed\s+access"
    # the pivot that implies the request was not legitimate: "If you're looking for legitimate ways to …"
    r"|legitimate\s+(?:ways|purposes|reasons|means|uses?|methods)"
    # the assistant's own safety mandate: "My purpose is to be a helpful and harmless AI assistant."
    r"|harmless|never\s+(?:appropriate|acceptable|justified)|misinformation|disinformation)",
    _F,
)
# What a rebuttal of a discriminatory premise lectures about besides harm ("It is not best for any racial group to be
# overrepresented … It's important to promote equal representation and inclusion."): the premise was prejudice.
MORAL_GROUNDS = re.compile(
    r"\b(?:stereotyp\w*|prejudic\w*|racis\w*|sexis\w*|bigot\w*|dignity|inclusi\w*|diversity|equal\s+(?:rights|"
    r"representation|treatment|opportunit\w*)|equality|respect\w*)",
    _F,
)
# What introduces a stand-in after a safety decline: "Here are some legal ways to save money:", "Instead, follow
# these steps to properly dispose of …", "here's how you can safely manage your passwords:".
SAFE_SUBSTITUTE = re.compile(
    r"\b(?:legal|legally|legitimate|legitimately|lawful|safe|safely|safer|secure|securely|ethical|ethically|responsible"
    r"|responsibly|proper|properly|positive|constructive|healthy|respectful|alternatives?|instead|resources|support"
    r"|help(?:line)?s?|dangerous|dangers|risks?|hazards?|consequences|why\s+(?:this|it|you\s+should)|should\s+(?:know|not)"
    # the request turned round: "the ways in which it can be prevented and combated:", "how to protect yourself:"
    r"|prevent\w*|combat\w*|protect\w*"
    # the legitimate case carved out: "If you are an administrator with the appropriate permissions, …"
    r"|permissions?|authori[sz]ed|authori[sz]ation|consent"
    r"|I\s+recommend)\b",
    _F,
)
# Dissuasion in a decline's first sentences: "It is strongly advised that you do not attempt this yourself."
DISSUADES = re.compile(
    r"\b(?:(?:strongly\s+)?(?:advised?|urged?|recommended)\s+(?:that\s+you\s+)?(?:do\s+not|not\s+to|against)"
    r"|(?:do\s+not|don't|never)\s+(?:attempt|try)\s+(?:this|to)\b)",
    _F,
)
# What announces a stand-in after any first-person decline, safety grounds or not: "However, I can share some
# responsible gambling tips:", "Here are some legal ways to get a car:", "… how it can be prevented:". Narrower than
# SAFE_SUBSTITUTE: "safe", "proper", "help" and a bare "legal" ("I can't give legal advice, but here are the legal
# options tenants have:") also open real answers after a capability decline.
RESPONSIBLE_SUBSTITUTE = re.compile(
    r"\b(?:legitimate\w*|ethical\w*|responsibl[ey]|alternatives?|healthy|healthier|constructive|respectful"
    r"|prevent\w*|combat\w*|legal(?:ly)?\s+(?:ways|alternatives|means|methods|routes|avenues)|lawful\w*)\b",
    _F,
)
# After a safety decline these are filler too: the consequences it warns of and the help it points to ("punishable
# by long prison sentences", "call the Suicide & Crisis Lifeline at 988 or find support through organizations …").
# Elsewhere they are what an answer about the law or safety says ("indecent exposure laws prohibit …").
SAFETY_CUE = re.compile(
    r"\b(?:penalt|prison|punish|prosecut|arrest|jail|offen[cs]e|prohibit|banned|forbidden|toxic|lethal|fatal|severe"
    r"|trauma|lifeline|support\b|organi[sz]ations?|emergency|(?:911|988)\b)",
    _F,
)

# The start of an answer announced as what was asked ("Here is an overview of the steps involved in …:"); matched on
# lowercased text.
ANNOUNCES = re.compile(r"\bhere\b|\bthe\s+following\b|\bas\s+follows\b|\bsteps\s+(?:to|for|involved)\b")
# A list announced as the reasons for declining ("There are several reasons why this is the case:", "Here's why:");
# matched on lowercased text.
REASONS = re.compile(r"\breasons?\b|\bhere's\s+why\b|\bwhy\s+(?:this|it)\b")
# Declining to opine ("I cannot provide a personal opinion, but …") is no decline of the task itself.
OPINION = re.compile(r"\b(?:(?:personal|my|own|an?)\s+(?:opinions?|views?|beliefs?|stance)|moral\s+judge?ments?)\b", _F)
# Where a sentence ends, for the sentences around a decline that state its grounds.
SENTENCE_END = re.compile(r"(?:[.!?](?=\s)|\n)\s*")
# A bracketed persona label holds a name ("[🔓JAILBREAK]", "(🔓Developer Mode Output)"), not a citation ("[1]").
PERSONA_NAME = re.compile(r"\b[A-Z][\w'.-]*\b")
# The personas a jailbreak request casts: "you will act as DAN", "pretend to be AIM", "an AI named BetterDAN".
CAST = re.compile(
    r"\b(?:as|named|called|be|you\s+are)\s+(?:an?\s+|the\s+)?(?:AI\s+)?(?:named\s+|called\s+)?[\"'\u201c]?([A-Z][\w-]{1,20})\b"
)
# A persona's label after a sentence end on the same line (groups as in PERSONA_LABEL; never bracketed).
INLINE_PERSONA = re.compile(
    r"(?<=[.!?])[ \t]+(?P<bracketed>(?!))?(?:\*\*)?(?P<named>[A-Z][\w-]{1,20}(?:[ \t][A-Z][\w-]{1,20})?):"
    r"(?:\*\*)?[ \t]+"
)
# A request for a dialogue: its speakers' lines are a script, held to the stricter rule (every voice must decline).
SCRIPT_REQUEST = re.compile(
    r"\b(?:dialogues?|dialogs?|conversations?|script|scene|interview|exchange|role-?play)\b", _F
)
# What follows "Instead," when the decline misread a harmless request and the reply then answers it: "Instead, if you
# mean the soft drink, …", "Instead, to stop a Python process, you can …" (a verb, then an article: the task itself).
REREADS = re.compile(
    r",?\s*(?:if\s+you\s+(?:mean|meant|are\s+asking|were\s+asking|are\s+referring|want\s+to\s+know)\b"
    r"|to\s+[a-z]+\s+(?:a|an|the|your)\s)",
    _F,
)
