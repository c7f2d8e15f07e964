"""Hermes function-calling markup (DESIGN §4): `<tools>` in the system prompt, `<tool_call>` in assistant turns,
`<tool_response>` in tool turns.

Real data varies in ways the parsers accept:
- the tools block holds a JSON array, a Python-literal list (hermes-function-calling-v1), a single object, or one
  object per line (the Hermes 3 chat template); tools are OpenAI style `{"type": "function", "function": {...}}` or
  bare `{"name", "description", "parameters"}` (glaive), and prose before it often names an empty `<tools></tools>`;
- a call body is `{"name", "arguments"}` in either key order, as JSON or as a Python literal;
- a tool turn holds one `<tool_response>` per result, and the Hermes 3 template puts the tool's raw output inside,
  so a response body need not be JSON.

Calls and responses inside Markdown code are examples, not markup (`mask_code`).
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

from hermes_data.errors import with_article
from hermes_data.markup.code_spans import line_locator, mask_code
from hermes_data.markup.literals import dumps, loads_json_or_literal
from hermes_data.markup.problems import Problem

TOOLS_PREAMBLE = (
    "You are a function calling AI model. You are provided with function signatures within <tools></tools> XML tags. "
    "You may call one or more functions to assist with the user query. Don't make assumptions about what values to "
    "plug into functions. Here are the available tools:"
)
# The Hermes 3 `tool_use` chat template asks for calls shaped by this pydantic model's schema.
FUNCTION_CALL_SCHEMA = (
    '{"properties": {"name": {"title": "Name", "type": "string"}, "arguments": {"title": "Arguments", "type": '
    '"object"}}, "required": ["name", "arguments"], "title": "FunctionCall", "type": "object"}'
)
TOOL_CALL_INSTRUCTION = (
    f"Use the following pydantic model json schema for each tool call you will make: {FUNCTION_CALL_SCHEMA}\n"
    "For each function call return a json object with function name and arguments within <tool_call></tool_call> "
    'XML tags as follows:\n<tool_call>\n{"name": <function-name>, "arguments": <args-dict>}\n</tool_call>'
)

_TAG = re.compile(r"<(?P<close>/?)(?P<name>tool_call|tool_response)>")
_DATA_START = ("[", "{")


class ParsedTools(NamedTuple):
    tools: list[dict] | None  # normalized to {"type": "function", "function": {...}}; None when the block is unusable
    raw: str  # the block's text between <tools> and </tools>
    python_literal: bool
    problems: list[Problem]
    span: tuple[int, int] = (0, 0)  # offsets of `raw` in the system text
    value: object = None  # the parsed block as written (before normalization), for the JSON rewrite


class ParsedCall(NamedTuple):
    name: str | None
    arguments: dict | None
    raw: str  # the body between <tool_call> and </tool_call>
    python_literal: bool
    problem: Problem | None  # code tool_call_json
    span: tuple[int, int] = (0, 0)
    value: object = None


class ParsedResponse(NamedTuple):
    name: str | None
    content: object  # the `content` of a `{"name", "content"}` body, else the parsed body, else its text
    raw: str
    problem: Problem | None = None
    span: tuple[int, int] = (0, 0)


# ---- elements ------------------------------------------------------------------------------------------------------


def element_bodies(text: str, tag: str) -> list[tuple[int, int]]:
    """(start, end) of the text inside each `<tag>…</tag>`, innermost opening tag before each closing one.

    Prose such as "signatures within <tools> XML tags" opens a tag it never closes; pairing each closing tag with the
    nearest opening tag keeps that prose out of the block.
    """
    opener, closer = f"<{tag}>", f"</{tag}>"
    bodies = []
    floor = 0
    pos = text.find(closer)
    while pos >= 0:
        start = text.rfind(opener, floor, pos)
        if start >= 0:
            bodies.append((start + len(opener), pos))
        floor = pos + len(closer)
        pos = text.find(closer, floor)
    return bodies


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding whitespace (a repair rewrites only the data, never the layout around it)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# ---- tool definitions ----------------------------------------------------------------------------------------------


def render_tools_system_prompt(tools: list[dict], preamble: str | None = None) -> str:
    """The function-calling system prompt: preamble, `<tools>` JSON array, and the `<tool_call>` instruction."""
    head = TOOLS_PREAMBLE if preamble is None else preamble
    return f"{head}\n<tools>\n{dumps(tools)}\n</tools>\n{TOOL_CALL_INSTRUCTION}"


def parse_tools(system_text: str) -> ParsedTools | None:
    """The tool definitions of a system prompt's `<tools>` block; None when it has no non-empty block."""
    if "</tools>" not in system_text:
        return None
    bodies = [(s, e) for s, e in element_bodies(system_text, "tools") if system_text[s:e].strip()]
    if not bodies:
        return None
    # Data blocks win over prose that happens to sit between tags.
    data = [(s, e) for s, e in bodies if system_text[s:e].lstrip().startswith(_DATA_START)]
    start, end = (data or bodies)[0]
    raw = system_text[start:end]
    try:
        value, literal = _load_tool_block(raw)
    except ValueError as exc:
        return ParsedTools(
            None, raw, False, [Problem("tools_invalid", f"<tools> block does not parse: {exc}")], (start, end)
        )
    tools, problems = normalize_tools(value)
    return ParsedTools(tools, raw, literal, problems, (start, end), value)


def _load_tool_block(raw: str) -> tuple[object, bool]:
    try:
        return loads_json_or_literal(raw)
    except ValueError:
        objects = _json_sequence(raw)
        if objects is None:
            raise
        return objects, False


def _json_sequence(raw: str) -> list | None:
    """Objects written one after another (`{…}\\n{…}` or `{…}, {…}`), as the Hermes 3 template renders tools."""
    decoder = json.JSONDecoder()
    items, pos, end = [], 0, len(raw)
    while pos < end:
        while pos < end and (raw[pos].isspace() or raw[pos] == ","):
            pos += 1
        if pos == end:
            break
        try:
            item, pos = decoder.raw_decode(raw, pos)
        except (json.JSONDecodeError, RecursionError):
            return None
        items.append(item)
    return items if len(items) > 1 else None


def normalize_tools(value: object) -> tuple[list[dict] | None, list[Problem]]:
    """Tool objects in the OpenAI form, and `tools_invalid` problems for entries that are not tools."""
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list):
        return None, [
            Problem("tools_invalid", f"<tools> holds {with_article(type(value).__name__)}, not a list of tools")
        ]
    tools, problems, seen = [], [], set()
    for index, item in enumerate(items):
        function, kind = _function_of(item)
        if function is None:
            problems.append(Problem("tools_invalid", f"tool {index} has no name: {_clip(item)}"))
            continue
        name = function["name"]
        if name in seen:
            problems.append(Problem("tools_invalid", f"tool {name!r} is defined twice"))
        seen.add(name)
        params = function.get("parameters")
        if params is not None and not isinstance(params, dict):
            problems.append(Problem("tools_invalid", f"tool {name!r}: parameters is not an object schema"))
        tools.append({"type": kind, "function": function})
    return tools, problems


def _function_of(item: object) -> tuple[dict | None, str]:
    """The function object of an OpenAI-style tool or a bare (glaive) definition, and the tool type."""
    if not isinstance(item, dict):
        return None, ""
    function, kind = item, "function"
    if isinstance(item.get("function"), dict):
        function, kind = item["function"], item.get("type") or "function"
    name = function.get("name")
    return (function, str(kind)) if isinstance(name, str) and name.strip() else (None, "")


def _clip(value: object, width: int = 80) -> str:
    text = value if isinstance(value, str) else dumps(value)
    return text if len(text) <= width else text[: width - 1] + "…"


# ---- tool calls ----------------------------------------------------------------------------------------------------


def render_tool_call(name: str, arguments: dict) -> str:
    """`<tool_call>\\n{"name": …, "arguments": {…}}\\n</tool_call>`."""
    return f"<tool_call>\n{dumps({'name': name, 'arguments': arguments})}\n</tool_call>"


def parse_tool_calls(text: str) -> list[ParsedCall]:
    """Every closed `<tool_call>` block outside code, in order; a body that is not a call carries a problem."""
    if "<tool_call>" not in text:
        return []
    return [parse_call_at(text, start, end) for start, end in _pairs(text, "tool_call")]


def parse_call_at(text: str, start: int, end: int) -> ParsedCall:
    """The call whose body is `text[start:end]` (a span from `scan_tool_tags`)."""
    raw = text[start:end]
    if not raw.strip():
        return ParsedCall(None, None, raw, False, _bad_call("the <tool_call> block is empty"), (start, end))
    try:
        value, literal = loads_json_or_literal(raw)
    except ValueError as exc:
        hint = " (it holds a literal backslash-n where a line break belongs)" if "\\n" in raw[:4] + raw[-4:] else ""
        return ParsedCall(None, None, raw, False, _bad_call(f"body does not parse{hint}: {exc}"), (start, end))
    if not isinstance(value, dict):
        return ParsedCall(
            None,
            None,
            raw,
            literal,
            _bad_call(f"body is {with_article(type(value).__name__)}, not an object"),
            (start, end),
            value,
        )
    name, arguments = value.get("name"), value.get("arguments")
    problem = None
    if not isinstance(name, str) or not name:
        problem = _bad_call(f"call has no `name` (keys: {', '.join(map(str, value)) or 'none'})")
        name = None
    elif "arguments" not in value:
        problem = _bad_call(f"call to {name!r} has no `arguments`")
    elif not isinstance(arguments, dict):
        problem = _bad_call(f"`arguments` of {name!r} is {with_article(type(arguments).__name__)}, not an object")
    return ParsedCall(
        name, arguments if isinstance(arguments, dict) else None, raw, literal, problem, (start, end), value
    )


def _bad_call(message: str) -> Problem:
    return Problem("tool_call_json", message)


def text_outside_tool_calls(text: str) -> str:
    """The turn's own words: the text with every closed `<tool_call>…</tool_call>` element removed."""
    if "<tool_call>" not in text:
        return text
    pieces, prev = [], 0
    for start, end in _pairs(text, "tool_call"):
        pieces.append(text[prev : start - len("<tool_call>")])
        prev = end + len("</tool_call>")
    pieces.append(text[prev:])
    return "".join(pieces)


# ---- tool responses ------------------------------------------------------------------------------------------------


def render_tool_response(name: str, content: object) -> str:
    """`<tool_response>\\n{"name": …, "content": …}\\n</tool_response>`; join several with "\\n"."""
    return f"<tool_response>\n{dumps({'name': name, 'content': content})}\n</tool_response>"


def parse_tool_responses(text: str) -> list[ParsedResponse]:
    """Every closed `<tool_response>` block outside code, in order."""
    if "<tool_response>" not in text:
        return []
    return [_parse_response(text, start, end) for start, end in _pairs(text, "tool_response")]


def _parse_response(text: str, start: int, end: int) -> ParsedResponse:
    raw = text[start:end]
    body = raw.strip()
    if body[:1] in _DATA_START:
        try:
            value, _ = loads_json_or_literal(body)
        except ValueError:
            return ParsedResponse(None, body, raw, None, (start, end))
        if isinstance(value, dict) and "name" in value:
            name = value["name"] if isinstance(value["name"], str) else None
            return ParsedResponse(name, value.get("content", value), raw, None, (start, end))
        return ParsedResponse(None, value, raw, None, (start, end))
    return ParsedResponse(None, body, raw, None, (start, end))


# ---- balance -------------------------------------------------------------------------------------------------------


def check_tool_tags(text: str) -> list[Problem]:
    """`tag_unbalanced` problems for `<tool_call>`/`<tool_response>`: not closed, closed without opening, or
    opened again before the previous one closed (these elements never nest)."""
    if "tool_call>" not in text and "tool_response>" not in text:
        return []
    scanned = scan_tool_tags(text)
    return scanned["tool_call"][1] + scanned["tool_response"][1]


def _pairs(text: str, tag: str) -> list[tuple[int, int]]:
    return scan_tool_tags(text)[tag][0]


def scan_tool_tags(text: str) -> dict[str, tuple[list[tuple[int, int]], list[Problem]]]:
    """Per tag (`tool_call`, `tool_response`): body spans of its closed elements outside code, and the balance
    problems; one pass over the masked text serves both tags."""
    found: dict[str, tuple[list[tuple[int, int]], list[Problem]]] = {"tool_call": ([], []), "tool_response": ([], [])}
    if "tool_call>" not in text and "tool_response>" not in text:
        return found
    masked = mask_code(text)
    locate: list = []  # built on the first problem only: well-formed turns never need line numbers

    def line_of(pos: int) -> int:
        if not locate:
            locate.append(line_locator(text))
        return locate[0](pos)

    open_at: dict[str, int | None] = {"tool_call": None, "tool_response": None}
    for match in _TAG.finditer(masked):
        tag, pos = match.group("name"), match.start()
        pairs, problems = found[tag]
        if not match.group("close"):
            if open_at[tag] is not None:
                problems.append(_unbalanced(f"<{tag}> at line {line_of(open_at[tag])} is not closed before the next"))
            open_at[tag] = pos
        elif open_at[tag] is None:
            problems.append(_unbalanced(f"</{tag}> at line {line_of(pos)} without opening <{tag}>"))
        else:
            pairs.append((open_at[tag] + len(tag) + 2, pos))
            open_at[tag] = None
    for tag, pos in open_at.items():
        if pos is not None:
            found[tag][1].append(_unbalanced(f"<{tag}> at line {line_of(pos)} is never closed"))
    return found


def _unbalanced(message: str) -> Problem:
    return Problem("tag_unbalanced", message)
