"""Blank out Markdown code so that tag scanners ignore it (DESIGN §4).

Assistant answers quote markup inside code all the time: `List<T>` in Java, a `<PLAN>` shown in a fenced example, a
system prompt's `<co: doc_id></co>` echoed in backticks. `mask_code` turns every character of fenced blocks and inline
code spans into a space (newlines kept), so the result has the same length and line structure as the input and
offsets found in it are valid in the original text.

The rules follow CommonMark closely enough for model output, in one linear pass:
- a fence is a line of >= 3 backticks or tildes (any indentation, since fences sit inside list items); a backtick
  fence's info string holds no backtick (otherwise the line is inline code such as ```` ```x``` ````); it is closed
  by a line of the same character at least as long, and an unclosed fence runs to the end of the text;
- outside fences, a backtick run of length n opens a code span closed by the next run of exactly length n in the same
  paragraph (a blank line ends the search, so one stray backtick cannot swallow the rest of an answer); a run with no
  partner is literal text; a backslash before a run escapes its first backtick.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

_FENCE_OPEN = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$", re.MULTILINE)
_CLOSE_PATTERNS = {
    "`": re.compile(r"^[ \t]*(`{3,})[ \t]*$", re.MULTILINE),
    "~": re.compile(r"^[ \t]*(~{3,})[ \t]*$", re.MULTILINE),
}
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_BACKTICK_RUN = re.compile(r"`+")
_NOT_NEWLINE = re.compile(r"[^\n]")


def mask_code(text: str) -> str:
    """`text` with fenced code blocks and inline code spans replaced by spaces (newlines kept, same length)."""
    if "`" not in text and "~~~" not in text:
        return text
    pieces: list[str] = []
    prev = 0
    for start, end in _code_regions(text):
        pieces.append(text[prev:start])
        pieces.append(_NOT_NEWLINE.sub(" ", text[start:end]))
        prev = end
    pieces.append(text[prev:])
    return "".join(pieces)


def _code_regions(text: str) -> list[tuple[int, int]]:
    """Sorted, disjoint [start, end) regions of code: fenced blocks and the inline spans between them."""
    regions: list[tuple[int, int]] = []
    pos = 0
    for fence_start, fence_end in _fenced_blocks(text):
        regions.extend(_inline_spans(text, pos, fence_start))
        regions.append((fence_start, fence_end))
        pos = fence_end
    regions.extend(_inline_spans(text, pos, len(text)))
    return regions


def _fenced_blocks(text: str) -> list[tuple[int, int]]:
    blocks = []
    pos = 0
    while (opener := _FENCE_OPEN.search(text, pos)) is not None:
        fence = opener.group("fence")
        if fence[0] == "`" and "`" in opener.group("info"):
            pos = opener.end()  # inline code written with three backticks, not a fence
            continue
        end = _fence_close(text, opener.end(), fence)
        blocks.append((opener.start(), end))
        pos = end
    return blocks


def _fence_close(text: str, pos: int, fence: str) -> int:
    """End of the line that closes `fence` (same character, at least as long), or the end of the text."""
    closer_pattern = _CLOSE_PATTERNS[fence[0]]
    while (closer := closer_pattern.search(text, pos)) is not None:
        if len(closer.group(1)) >= len(fence):
            return closer.end()
        pos = closer.end()
    return len(text)


def _inline_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    if text.find("`", start, end) < 0:
        return spans
    para_start = start
    for brk in _PARAGRAPH_BREAK.finditer(text, start, end):
        spans.extend(_paragraph_spans(text, para_start, brk.start()))
        para_start = brk.end()
    spans.extend(_paragraph_spans(text, para_start, end))
    return spans


def _paragraph_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    runs = [(m.start(), m.end()) for m in _BACKTICK_RUN.finditer(text, start, end)]
    if len(runs) < 2:
        return []
    # Run indices grouped by length, so the partner of an opener is one binary search away (no quadratic rescans
    # when a paragraph holds many unmatched runs of different lengths).
    by_length: dict[int, list[int]] = {}
    for i, (run_start, run_end) in enumerate(runs):
        by_length.setdefault(run_end - run_start, []).append(i)
    spans = []
    i = 0
    while i < len(runs):
        run_start, run_end = runs[i]
        if _escaped(text, run_start):
            run_start += 1  # `\`` is a literal backtick; the rest of the run may still open a span
        partner = _next_run(by_length.get(run_end - run_start), i)
        if partner is None:
            i += 1
            continue
        spans.append((run_start, runs[partner][1]))
        i = partner + 1
    return spans


def _escaped(text: str, pos: int) -> bool:
    """Whether an odd number of backslashes precede `pos` (`\\\\` is an escaped backslash, not an escape)."""
    start = pos
    while start > 0 and text[start - 1] == "\\":
        start -= 1
    return (pos - start) % 2 == 1


def _next_run(indices: list[int] | None, after: int) -> int | None:
    if not indices:
        return None
    k = bisect.bisect_right(indices, after)
    return indices[k] if k < len(indices) else None


def line_locator(text: str) -> Callable[[int], int]:
    """A function mapping an offset in `text` to its 1-based line number (for problem messages)."""
    newlines = [m.start() for m in re.finditer("\n", text)]
    return lambda pos: bisect.bisect_left(newlines, pos) + 1
