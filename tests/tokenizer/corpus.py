"""Text that stresses the Llama 3 pre-tokenizer and BPE: written for these tests, no download.

Each fragment targets one place where two implementations of the same tokenizer could part: the regex alternatives
(contractions, letters with a leading mark, 1-3 digit groups, punctuation runs with newlines, whitespace runs and the
`\\s+(?!\\S)` lookahead), Unicode categories (CJK, emoji sequences, combining marks, right-to-left scripts, unusual
spaces) and the added tokens the ChatML renderer writes, embedded in text or cut short.
"""

from __future__ import annotations

import random

WHITESPACE = [
    " ",
    "  ",
    "          ",
    "\t",
    "\t\t\tindented",
    "\n",
    "\n\n",
    "\n\n\n\n\n",
    "\r\n",
    "\r\n\r\n",
    "\r",
    " \n ",
    "  \n\n  x",
    "a  b   c    d",
    "trailing spaces   ",
    "trailing tab\t",
    "trailing newline\n",
    "   leading spaces",
    "\n leading newline then space",
    "x\t \n\ty",
    "word \t\n \t\nword",
    "no\u00a0break\u00a0space",
    "ideographic\u3000space",
    "line\u2028separator\u2029paragraph",
    "zero\u200bwidth\u200djoiner",
    "\u000bvertical\u000cform feed",
    "  \n",
    "end with spaces and newline  \n  ",
]

UNICODE = [
    "你好，世界。今天天气很好！",
    "日本語のテキスト、カタカナとひらがな。",
    "한국어 문장입니다.",
    "Ünïcödé ñandú façade naïve coöperate",
    "e\u0301 n\u0303 a\u030a combining marks: Z\u0351\u0300a\u0364\u0346l\u0363g\u0352o",
    "مرحبا بالعالم، كيف حالك؟",
    "שלום עולם! מה שלומך?",
    "mixed RTL: hello مرحبا 123 שלום world",
    "\u202eright-to-left override\u202c",
    "हिन्दी पाठ, तमिழ் உரை, ภาษาไทย",
    "Ελληνικά και Русский текст",
    "emoji 👍🏽 👨‍👩‍👧‍👦 🇫🇷🇯🇵 ❤️‍🔥 🫠 🧑🏿‍💻",
    "math ∑∫√∞ ≤ ≥ ≠ ∀x∈ℝ: x² ≥ 0",
    "box drawing ┌─┐│└─┘ and arrows → ⇒ ↔",
    "fullwidth ＡＢＣ１２３！",
    "𝔣𝔯𝔞𝔨𝔱𝔲𝔯 𝐛𝐨𝐥𝐝 𝟙𝟚𝟛",
    "\ufeffbyte order mark",
    "replacement \ufffd and private \ue000 use",
]

CODE = [
    'def f(x: int) -> int:\n    """Doc."""\n    return x ** 2  # square\n',
    "for (int i = 0; i < n; ++i) {\n\tsum += a[i] * b[i];\n}\n",
    "const re = /^(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]+)$/i;",
    '{"name": "get_weather", "arguments": {"city": "Paris", "unit": "c", "days": [1, 2, 3]}}',
    '<div class="x"><p>Hello&nbsp;<b>world</b></p></div>',
    "SELECT id, COUNT(*) FROM t WHERE x >= 10 GROUP BY id;",
    '$ git log --oneline | head -n 5 && echo "done" >> /tmp/log 2>&1',
    "List<Map<String, Integer>> m = new HashMap<>();",
    "    \n    \n        pass\n",
    "```python\nprint('hi')\n```",
    "a=b+c;d-=e*f/g%h^i|j&k~l<<m>>n",
    "!!!???...,,,;;;:::---___***",
    ")\n\n\n(",
]

NUMBERS = [
    "1",
    "12",
    "123",
    "1234",
    "12345678901234567890123456789",
    "3.14159265358979323846",
    "1,000,000 and 1.000.000",
    "-42e-10 +7E+3",
    "0x1F 0b1010 0o777",
    "2024-12-03T14:19:15Z",
    "v1.2.3-rc.4+build.5",
    "١٢٣٤٥ ۱۲۳ ๑๒๓ 一二三",
    "½ ¾ ² ³ Ⅻ",
]

URLS_AND_PROSE = [
    "https://example.com/path/to/page?q=1&x=y#frag",
    "mailto:someone@example.org, ftp://files.example.net:21/pub/",
    "I'm sure you're right; it's what we've said, they'll see, he'd know.",
    "I'M SURE YOU'RE RIGHT; IT'S WHAT WE'VE SAID",
    "don't can't won't shouldn't y'all o'clock",
    "The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor jugs.",
    "Mr. O'Neil paid $1,234.56 (approx. €1.100) on 03/12/2026 — 15% off!",
    "camelCaseWords and snake_case_words and SCREAMING_CASE",
    "antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    "a" * 300,
    "ab" * 150,
    "!" * 200,
]

# Every added token the ChatML renderer writes, other Llama 3.1 specials, and near misses that must stay text.
SPECIALS = [
    "<|begin_of_text|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|im_start|>user\nhello<|im_end|>\n",
    "<|im_start|>assistant\n",
    "text<|im_end|>more",
    "<|im_end|><|im_start|><|im_end|>",
    " <|im_start|> spaced ",
    "\n<|im_end|>\n",
    "<|eot_id|><|end_of_text|><|start_header_id|>assistant<|end_header_id|>",
    "<|reserved_special_token_0|><|reserved_special_token_35|><|reserved_special_token_247|>",
    "<|finetune_right_pad_id|><|python_tag|><|eom_id|>",
    "<|im_start",
    "<|im_end|",
    "< |im_end|>",
    "<|IM_END|>",
    "<<|im_end|>>",
    "<|im_start|><|im_start|>",
]

REASONING = [
    "<SCRATCHPAD>\n<PLAN>\nstep one\n</PLAN>\n</SCRATCHPAD>",
    "<REASONING>x</REASONING><THINKING>y</THINKING>",
    "<SOLUTION>\n42\n</SOLUTION> <EXPLANATION>because</EXPLANATION>",
    "<UNIT_TEST>assert f(2) == 4</UNIT_TEST><REFLECTION></REFLECTION>",
    "<INNER_MONOLOGUE>hm</INNER_MONOLOGUE><EXECUTION>run</EXECUTION>",
    "<SCRATCHPAD <PLAN> </plan> <Scratchpad>",
]

FRAGMENTS = WHITESPACE + UNICODE + CODE + NUMBERS + URLS_AND_PROSE + SPECIALS + REASONING


PLAIN_FRAGMENTS = WHITESPACE + UNICODE + CODE + NUMBERS + URLS_AND_PROSE


def mixed_texts(num: int, seed: int = 0, fragments: list[str] = FRAGMENTS) -> list[str]:
    """Random concatenations of 1-6 fragments, so every kind of text meets every other at a boundary."""
    rng = random.Random(seed)
    return ["".join(rng.choice(fragments) for _ in range(rng.randint(1, 6))) for _ in range(num)]


def conversations(num: int, seed: int = 0, fragments: list[str] = FRAGMENTS) -> list[list[dict]]:
    """Conversations whose turns are corpus texts: system, multi-turn, empty replies, tool turns."""
    rng = random.Random(seed)
    texts = mixed_texts(num * 6, seed, fragments)
    out = []
    for i in range(num):
        turns = [{"role": "system", "content": texts[6 * i]}] if rng.random() < 0.3 else []
        for j in range(rng.randint(0, 3)):
            turns.append({"role": "user", "content": texts[6 * i + 1 + j]})
            reply = rng.choice(["", texts[6 * i + 4 + j % 2], "\n" + texts[6 * i + 5], " " + texts[6 * i + 4]])
            turns.append({"role": "assistant", "content": reply})
            if rng.random() < 0.2:
                turns.append({"role": "tool", "content": "<tool_response>\n{}\n</tool_response>"})
        out.append(turns)
    return out
