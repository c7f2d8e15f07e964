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
# Two words with an apostrophe; "can't" counts through "can", as a word-boundary match of "can" finds it.
_ENGLISH_WORDS = frozenset(
    "the and or but is are was to of on for with that this it you we not can cannot sorry as be have yes here there"
    " what how please will would my your".split()
)
_ENGLISH_CONTRACTIONS = re.compile(r"\b(?:i'm|don't)\b", re.IGNORECASE)
# Both lists are counted as whole words (maximal runs of word characters), one set lookup each: as alternation
# regexes with word boundaries they were the slowest step of the refusal stage (9.6k vs 86k openings/s, measured on
# benchmarks/synthetic.py replies), and every reply the rules do not flag goes through them.
_OTHER_WORDS = frozenset(
    "el la los las de que en un una por para con es lo pero puedo eso le les des du et est pas je ne il elle"
    " nous vous mais peux cette der die das und ist nicht ich sie ein eine zu mit och att det jag não em um uma che"
    " di non sono het een niet ik mon ma mes avec pour dans sur une au aux suis désolé siento nein kann".split()
)
_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def rules_cover(text: str) -> bool:
    """Whether `text` is in a language the refusal rules cover (English), judged on its opening."""
    sample = text[:SAMPLE_CHARS]
    if sample.isascii():  # most replies: every letter is Latin, so only the function words can exclude
        if _ASCII_LETTER.search(sample) is None:
            return True
    else:
        letters = len(_LETTER.findall(sample))
        if letters == 0:
            return True  # code, numbers, markup: nothing a language check could exclude
        if len(_LATIN.findall(sample)) < MIN_LATIN_SHARE * letters:
            return False
    # Code, names and short English phrases carry few function words: only evidence of another language excludes.
    words = _WORD.findall(sample.lower())
    other = sum(word in _OTHER_WORDS for word in words)
    if other < 3:
        return True
    english = sum(word in _ENGLISH_WORDS for word in words) + len(_ENGLISH_CONTRACTIONS.findall(sample))
    return other <= english
