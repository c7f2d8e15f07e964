"""Rows of a JSON or JSONL file, each with its 1-based line, so a bad row is reported as `file:line` and skipped.

Three layouts share the `.json`/`.jsonl` names in the wild: JSON Lines (most Hub exports, whatever the extension), a
JSON array of rows (FastChat, axolotl fixtures), and one pretty-printed object (axolotl's conversation.json). The
layout is decided from the content, not the extension.

Invalid UTF-8 is decoded with U+FFFD replacements and the row still parses: one mangled byte (a truncated emoji from a
scrape) should not cost a long multi-turn conversation. Such rows are flagged (`replaced=True`, which the readers put
in `meta.utf8_replaced`) so a filter can drop them if it wants. Lines are read with the file iterator, which has no
line-length limit, so rows of many megabytes are fine.

Files are opened through `hermes_data.io.compressed.open_data`, so `.gz`/`.bz2`/`.xz`/`.zst` read like plain files.
A JSON array is decoded incrementally from a bounded text buffer (`benchmarks/json_array_memory.py` measures it), so
a multi-GB array needs memory for one row at a time, not for the file.
"""

from __future__ import annotations

import codecs
import glob
import json
import os
from collections.abc import Iterator
from typing import Any, NamedTuple

from hermes_data.errors import DataError
from hermes_data.formats.items import Unreadable
from hermes_data.io.compressed import COMPRESSED_SUFFIXES, codec_of, open_data

JSON_FILES = tuple(f"*{ext}{z}" for ext in (".json", ".jsonl", ".ndjson") for z in ("", *COMPRESSED_SUFFIXES))

_DECODER = json.JSONDecoder()
_WS = " \t\r\n"
_CHUNK = 1 << 20  # characters read at a time from a JSON array


def json_files(path: str) -> list[str]:
    """`path` itself when it is a file; else its JSON/JSONL files (compressed ones too), sorted, at least one."""
    if os.path.isfile(path):
        return [path]
    files = sorted(f for pattern in JSON_FILES for f in glob.glob(os.path.join(glob.escape(path), pattern)))
    if not files:
        raise DataError(f"{path}: a folder without *.json/*.jsonl files")
    return files


class RawRow(NamedTuple):
    line: int
    index: int
    value: Any
    replaced: bool  # invalid UTF-8 bytes were replaced by U+FFFD


def _decode(data: bytes) -> tuple[str, bool]:
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), True


def iter_json_rows(path: str) -> Iterator[RawRow | Unreadable]:
    """Every row of a JSON/JSONL file as a `RawRow`, or an `Unreadable` for a malformed one (then go on)."""
    first = _first_line(path)
    if first is None:
        return
    stripped = first.lstrip(_WS)
    if stripped.startswith("["):
        yield from _array_rows(path)
        return
    try:
        json.loads(first)
        yield from _jsonl_rows(path)
        return
    except json.JSONDecodeError:
        pass
    # The first line alone is not JSON: a pretty-printed single object, or JSON Lines whose first row is broken.
    text, replaced = _read_text(path)
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        yield from _jsonl_rows(path)
        return
    yield RawRow(_line_of(text, _skip_ws(text, 0)), 0, value, replaced)


def _first_line(path: str) -> str | None:
    """The first line that is not blank, or None for an empty file."""
    with open_data(path) as f:
        for raw in f:
            text = _decode(raw)[0].lstrip("\ufeff")
            if text.strip():
                return text
    return None


def _read_text(path: str) -> tuple[str, bool]:
    with open_data(path) as f:
        text, replaced = _decode(f.read())
    return text.lstrip("\ufeff"), replaced


def _jsonl_rows(path: str) -> Iterator[RawRow | Unreadable]:
    with open_data(path) as f:
        yield from _lines_to_rows(path, f, bom=True)


def _lines_to_rows(path: str, lines, *, bom: bool, counts: dict | None = None) -> Iterator[RawRow | Unreadable]:
    """JSON Lines rows of `lines` (raw byte lines), numbered from 1; `counts` gets the lines and rows seen."""
    index = lineno = 0
    for lineno, raw in enumerate(lines, 1):
        text, replaced = _decode(raw)
        if lineno == 1 and bom:
            text = text.lstrip("\ufeff")
        if not text.strip():
            continue
        try:
            yield RawRow(lineno, index, json.loads(text), replaced)
        except json.JSONDecodeError as exc:
            yield Unreadable(path, lineno, index, f"malformed JSON: {exc.msg} (column {exc.colno})")
        index += 1
    if counts is not None:
        counts.update(lines=lineno, rows=index)


def is_plain_jsonl(path: str) -> bool:
    """An uncompressed file in the JSON Lines layout (its first non-blank line is a JSON value, not an array's
    opening): the layout whose rows can be read from any line boundary on, so it splits into byte ranges."""
    if codec_of(path) is not None:
        return False
    first = _first_line(path)
    if first is None or first.lstrip(_WS).startswith("["):
        return False
    try:
        json.loads(first)
    except json.JSONDecodeError:
        return False
    return True


def line_boundaries(path: str, pieces: int) -> list[int]:
    """Byte offsets that cut a file into about `pieces` ranges, each starting at a line's first byte (first 0,
    last the file's size)."""
    size = os.path.getsize(path)
    cuts = [0]
    with open(path, "rb") as fh:
        for k in range(1, pieces):
            fh.seek(max(size * k // pieces - 1, cuts[-1]))
            fh.readline()  # to the end of the line the nominal cut falls in
            cut = fh.tell()
            if cut >= size:
                break
            if cut > cuts[-1]:
                cuts.append(cut)
    return [*cuts, size]


def jsonl_range_rows(path: str, start: int, end: int, counts: dict) -> Iterator[RawRow | Unreadable]:
    """The JSON Lines rows of bytes `[start, end)` of a plain file (both at line starts, `line_boundaries`), lines
    and row indexes counted from the range's start; `counts` gets the lines and rows the range held, so a caller
    numbering the ranges in order can make them the file's own."""
    with open(path, "rb") as fh:
        fh.seek(start)
        yield from _lines_to_rows(path, _lines_until(fh, end - start), bom=start == 0, counts=counts)


def _lines_until(fh, size: int) -> Iterator[bytes]:
    left = size
    while left > 0:
        raw = fh.readline()
        if not raw:
            return
        left -= len(raw)
        yield raw


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


class _TextWindow:
    """The undecoded tail of a streamed file: `text[pos:]` is what is left; decoded text is dropped when the next
    chunk comes in (not per row, which would copy the window once per row)."""

    def __init__(self, path: str) -> None:
        self._file = open_data(path)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.text = ""
        self.pos = 0
        self.eof = False
        self.replaced = False
        self.line = 1  # line number of text[pos]

    def more(self, size: int = _CHUNK) -> bool:
        """Append up to `size` more bytes of the file; False at the end."""
        if self.eof:
            return False
        raw = self._file.read(size)
        chunk = self._decoder.decode(raw, final=not raw)
        self.replaced = self.replaced or "\ufffd" in chunk
        if self.line == 1 and not self.text:
            chunk = chunk.lstrip("\ufeff")
        self.text = self.text[self.pos :] + chunk
        self.pos = 0
        if not raw:
            self.eof = True
            self._file.close()
        return True

    def advance(self, end: int) -> None:
        self.line += self.text.count("\n", self.pos, end)
        self.pos = end

    def peek(self) -> str:
        """The next non-blank character, reading on as needed; "" when the file ends first."""
        while True:
            self.advance(_skip_ws(self.text, self.pos))
            if self.pos < len(self.text) or not self.more():
                return self.text[self.pos : self.pos + 1]


def _array_rows(path: str) -> Iterator[RawRow | Unreadable]:
    """Elements of a top-level JSON array, decoded one by one from a bounded window so each keeps its line number."""
    window = _TextWindow(path)
    window.peek()
    window.advance(window.pos + 1)  # past "["
    index = 0
    while True:
        ch = window.peek()
        if not ch:
            yield Unreadable(path, window.line, index, "JSON array is not closed with ]")
            return
        if ch == "]":
            return
        size = _CHUNK
        while True:
            try:
                value, end = _DECODER.raw_decode(window.text, window.pos)
            except json.JSONDecodeError as exc:
                # A row cut by the window's end fails to decode too: read on (doubling, so one huge row is not
                # re-decoded once per chunk) before calling it malformed.
                if window.more(size):
                    size *= 2
                    continue
                # Inside one JSON document there is no safe place to resume, so the rest of the array is lost.
                line = window.line + window.text.count("\n", window.pos, exc.pos)
                yield Unreadable(path, line, index, f"malformed JSON: {exc.msg}; rest of the file skipped")
                return
            if end == len(window.text) and window.more():
                continue  # a number at the window's edge may go on in the next chunk
            break
        yield RawRow(window.line, index, value, window.replaced)
        index += 1
        window.advance(end)
        ch = window.peek()
        if ch == ",":
            window.advance(window.pos + 1)
        elif ch and ch != "]":
            yield Unreadable(path, window.line, index, "expected , or ] between rows; rest of the file skipped")
            return
