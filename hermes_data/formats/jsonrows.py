"""Rows of a JSON or JSONL file, each with its 1-based line, so a bad row is reported as `file:line` and skipped.

Three layouts share the `.json`/`.jsonl` names in the wild: JSON Lines (most Hub exports, whatever the extension), a
JSON array of rows (FastChat, axolotl fixtures), and one pretty-printed object (axolotl's conversation.json). The
layout is decided from the content, not the extension.

Invalid UTF-8 is decoded with U+FFFD replacements and the row still parses: one mangled byte (a truncated emoji from a
scrape) should not cost a long multi-turn conversation. Such rows are flagged (`replaced=True`, which the readers put
in `meta.utf8_replaced`) so a filter can drop them if it wants. Lines are read with the file iterator, which has no
line-length limit, so rows of many megabytes are fine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NamedTuple

from hermes_data.formats.items import Unreadable

_DECODER = json.JSONDecoder()
_WS = " \t\r\n"


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
    with open(path, "rb") as f:
        for raw in f:
            text = _decode(raw)[0].lstrip("\ufeff")
            if text.strip():
                return text
    return None


def _read_text(path: str) -> tuple[str, bool]:
    with open(path, "rb") as f:
        text, replaced = _decode(f.read())
    return text.lstrip("\ufeff"), replaced


def _jsonl_rows(path: str) -> Iterator[RawRow | Unreadable]:
    index = 0
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            text, replaced = _decode(raw)
            if lineno == 1:
                text = text.lstrip("\ufeff")
            if not text.strip():
                continue
            try:
                yield RawRow(lineno, index, json.loads(text), replaced)
            except json.JSONDecodeError as exc:
                yield Unreadable(path, lineno, index, f"malformed JSON: {exc.msg} (column {exc.colno})")
            index += 1


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _array_rows(path: str) -> Iterator[RawRow | Unreadable]:
    """Elements of a top-level JSON array, decoded one by one so each keeps its line number."""
    text, replaced = _read_text(path)
    pos = _skip_ws(text, 0) + 1  # past "["
    line, counted, index = 1, 0, 0
    while True:
        pos = _skip_ws(text, pos)
        line += text.count("\n", counted, pos)
        counted = pos
        if pos >= len(text):
            yield Unreadable(path, line, index, "JSON array is not closed with ]")
            return
        if text[pos] == "]":
            return
        try:
            value, pos = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            # Inside one JSON document there is no safe place to resume, so the rest of the array is lost.
            yield Unreadable(path, exc.lineno, index, f"malformed JSON: {exc.msg}; rest of the file skipped")
            return
        yield RawRow(line, index, value, replaced)
        index += 1
        pos = _skip_ws(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos < len(text) and text[pos] != "]":
            yield Unreadable(path, _line_of(text, pos), index, "expected , or ] between rows; rest of the file skipped")
            return
