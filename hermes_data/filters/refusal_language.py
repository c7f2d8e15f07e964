"""Which replies the refusal rules can judge: the patterns are English, so other languages are "not checked".

A reply in another language is never matched (no crash, no drop); `rules_cover` lets a stage count it instead.
"""

from __future__ import annotations

import re

RULES_LANGUAGES = ("en",)
SAMPLE_CHARS = 300  # the opening decides, as it does for the rules
MIN_LATIN_SHARE = 0.85  # letters outside a-z (accents aside) beyond this share mean another script

# Function words, each listed only where it is not also a common word of the other list ("no", "a", "in", "do" are
# Spanish, Italian, German or Portuguese words too). An opening is another language when its words outnumber English.
_ENGLISH = re.compile(
    r"\b(?:the|and|or|but|is|are|was|to|of|on|for|with|that|this|it|i'm|you|we|not|can|cannot|can't|"
    r"sorry|as|be|don't|have|yes|here|there|what|how|please|will|would|my|your)\b",
    re.IGNORECASE,
)
_OTHER = re.compile(
    r"\b(?:el|la|los|las|de|que|en|un|una|por|para|con|es|lo|pero|puedo|eso|le|les|des|du|et|est|pas|je|ne|il|elle"
    r"|nous|vous|mais|peux|cette|der|die|das|und|ist|nicht|ich|sie|ein|eine|zu|mit|och|att|det|jag|não|em|um|uma|che"
    r"|di|non|sono|het|een|niet|ik|mon|ma|mes|avec|pour|dans|sur|une|au|aux|suis|désolé|siento|nein|kann)\b",
    re.IGNORECASE,
)
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")


def rules_cover(text: str) -> bool:
    """Whether `text` is in a language the refusal rules cover (English), judged on its opening."""
    sample = text[:SAMPLE_CHARS]
    letters = len(_LETTER.findall(sample))
    if letters == 0:
        return True  # code, numbers, markup: nothing a language check could exclude
    if len(_LATIN.findall(sample)) < MIN_LATIN_SHARE * letters:
        return False
    # Code, names and short English phrases carry few function words: only evidence of another language excludes.
    other = len(_OTHER.findall(sample))
    return other < 3 or other <= len(_ENGLISH.findall(sample))
