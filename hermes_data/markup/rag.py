"""Retrieval-augmented generation markup (paper Figure 8): documents in the user turn, `<co:N>` citations in answers.

The paper's layout, which `render_context` writes:

    system:    RAG_SYSTEM_PROMPT
    user:      What does Agent Instruct do?

               CONTEXT:
               Document:0
               Title: AgentInstruct: Toward Generative Teaching with Agentic Flows
               Text: Synthetic data is becoming increasingly important …

               Document:1
               …
    assistant: AgentInstruct is an agentic framework … <co:2>The framework uses …</co>
               Cited Documents: 2

Answers may cite several documents in one span (`<co: 0,1>`); Cohere Command-R data closes spans with the id list
repeated (`<co: 0,1>…</co: 0,1>`), which is accepted too. Citations are checked in assistant turns only (a system
prompt describing `<co: doc_id></co>` is an instruction), and markup inside code is ignored.
"""

from __future__ import annotations

import re

from hermes_data.errors import DataError
from hermes_data.markup.code_spans import line_locator, mask_code
from hermes_data.markup.problems import Problem

# Figure 8 of the paper, word for word.
RAG_SYSTEM_PROMPT = (
    "You are a conversational AI assistant that is provided a list of documents and a user query to answer based on "
    "information from the documents. You should always use grounded information in your responses, only answering "
    "from what you can cite in the documents. Cite all facts from the documents using <co: doc_id></co> tags."
)

_CO_TAG = re.compile(r"<(?P<close>/?)co(?::[ \t]*(?P<ids>[^<>\n]*?))?[ \t]*>")
# Markdown emphasis around the label occurs in model output (`**Cited Documents:** 0, 2`); Cohere data writes `None`.
_CITED_LINE = re.compile(r"^[ \t>*_#]*Cited Documents[*_]*:[*_ \t]*(?P<ids>[^\n]*)$", re.MULTILINE | re.IGNORECASE)
_NO_IDS = {"none", "n/a", "-"}

# A header line is `Document:N` alone, or followed on the same line by its fields (flattened copies of Figure 8);
# `Document:1 is attached` in a plain question is not a header.
_DOC_HEADER = re.compile(
    r"^[ \t]*(?:[-*][ \t]+)?Document:[ \t]*(?P<id>[\w.\-]+)[ \t]*(?P<rest>(?:Title|Text):[^\n]*)?$", re.MULTILINE
)
_CONTEXT_LABEL = re.compile(r"^[ \t]*CONTEXT:[ \t]*$", re.MULTILINE)
_TITLE = re.compile(r"\s*Title:[ \t]*(?P<title>[^\n]*)")
_TEXT_LINE = re.compile(r"^[ \t]*Text:[ \t]?", re.MULTILINE)
_TEXT_INLINE = re.compile(r"[ \t]Text:[ \t]?")
_DOC_ID = re.compile(r"[\w.\-]+")


# ---- documents in the user turn ------------------------------------------------------------------------------------


def render_context(documents: list[dict], question: str | None = None) -> str:
    """User-turn text of Figure 8: the question, a blank line, `CONTEXT:` and one block per document.

    A document's id defaults to its position; ids must be simple tokens (`0`, `doc-3`) because answers cite them.
    """
    blocks = [_render_document(doc, index) for index, doc in enumerate(documents)]
    context = "CONTEXT:\n" + "\n\n".join(blocks)
    return f"{question}\n\n{context}" if question else context


def _render_document(doc: dict, index: int) -> str:
    doc_id = str(doc.get("id") if doc.get("id") is not None else index)
    if not _DOC_ID.fullmatch(doc_id):
        raise DataError(f"document id {doc_id!r} cannot be cited as <co:{doc_id}>; use letters, digits, '_', '.', '-'")
    lines = [f"Document:{doc_id}"]
    if doc.get("title"):
        lines.append(f"Title: {doc['title']}")
    lines.append(f"Text: {doc.get('text') or ''}")
    return "\n".join(lines)


def parse_context_documents(text: str) -> list[dict] | None:
    """Documents `{id, title, text}` from a user turn's `Document:N` blocks, in order; None when there are none.

    A block runs to the next header; its `Text:` may span lines and paragraphs, `Title:` is optional, and a block
    without a `Text:` label keeps its unlabelled lines as text. The paper puts the question before `CONTEXT:`, so
    everything after the last header belongs to the last document.
    """
    label = _CONTEXT_LABEL.search(text)
    headers = list(_DOC_HEADER.finditer(text, label.end() if label else 0))
    if not headers:
        return None
    documents = []
    for header, following in zip(headers, headers[1:] + [None], strict=True):
        body = (header.group("rest") or "") + text[header.end() : following.start() if following else len(text)]
        documents.append({"id": header.group("id"), **_parse_fields(body)})
    return documents


def _parse_fields(body: str) -> dict:
    title = ""
    title_match = _TITLE.match(body)
    if title_match:
        title, body = title_match.group("title"), body[title_match.end("title") :]
    text_label = _TEXT_LINE.search(body)
    if text_label:
        return {"title": title.strip(), "text": body[text_label.end() :].strip()}
    inline = _TEXT_INLINE.search(title)  # `Title: X Text: Y` flattened onto one line
    if inline:
        return {"title": title[: inline.start()].strip(), "text": (title[inline.end() :] + body).strip()}
    return {"title": title.strip(), "text": body.strip()}


# ---- citations in the assistant turn -------------------------------------------------------------------------------


def cited_ids(text: str) -> list[str]:
    """Document ids cited in `<co:…>` spans, first citation first, each once (code ignored)."""
    seen: dict[str, None] = {}
    for match in _CO_TAG.finditer(mask_code(text)):
        if not match.group("close"):
            seen.update(dict.fromkeys(_split_ids(match.group("ids"))))
    return list(seen)


def check_citations(text: str, doc_ids: set[str] | None) -> list[Problem]:
    """Citation problems of an assistant answer: unknown ids (when `doc_ids` is given), unbalanced spans, and a
    `Cited Documents:` line that disagrees with the spans."""
    masked = mask_code(text)
    if "<co" not in masked and "</co" not in masked and _CITED_LINE.search(masked) is None:
        return []
    line_of = line_locator(text)
    problems, used = _check_spans(masked, line_of)
    problems += _check_known(used, doc_ids, line_of)
    problems += _check_cited_line(masked, used)
    return problems


def _check_spans(masked: str, line_of) -> tuple[list[Problem], dict[str, int]]:
    """Balance problems, and the cited ids with the offset of their first span."""
    problems: list[Problem] = []
    used: dict[str, int] = {}
    open_spans: list[tuple[str, list[str] | None, int]] = []  # (tag text, ids, offset)
    for match in _CO_TAG.finditer(masked):
        tag, ids, where = match.group(0), _split_ids(match.group("ids")), f"at line {line_of(match.start())}"
        if not match.group("close"):
            if open_spans:
                problems.append(Problem("citation_unbalanced", f"{tag} {where} is nested inside {open_spans[-1][0]}"))
            if not ids:
                problems.append(Problem("citation_unknown", f"{tag} {where} names no document id"))
            open_spans.append((tag, ids, match.start()))
            for doc_id in ids:
                used.setdefault(doc_id, match.start())
        elif not open_spans:
            problems.append(Problem("citation_unbalanced", f"{tag} {where} closes no open <co:…> span"))
        else:
            opened_tag, opened_ids, _ = open_spans.pop()
            if match.group("ids") is not None and set(ids) != set(opened_ids):
                problems.append(Problem("citation_unbalanced", f"{tag} {where} closes {opened_tag}: id lists differ"))
    for tag, _, pos in open_spans:
        problems.append(Problem("citation_unbalanced", f"{tag} at line {line_of(pos)} is never closed with </co>"))
    return problems, used


def _check_known(used: dict[str, int], doc_ids: set[str] | None, line_of) -> list[Problem]:
    if doc_ids is None:
        return []
    known = _sorted_ids(doc_ids)
    listing = ", ".join(known[:10]) + (f" and {len(known) - 10} more" if len(known) > 10 else "") or "none"
    return [
        Problem("citation_unknown", f"<co:{doc_id}> at line {line_of(pos)} cites no such document (ids: {listing})")
        for doc_id, pos in used.items()
        if doc_id not in doc_ids
    ]


def _check_cited_line(masked: str, used: dict[str, int]) -> list[Problem]:
    lines = list(_CITED_LINE.finditer(masked))
    if not lines:
        return []  # spans without the closing summary line are fine: the paper's format makes the line optional
    listed = {doc_id for line in lines for doc_id in _split_listed(line.group("ids"))}
    if listed == set(used):
        return []
    details = []
    if listed - set(used):
        details.append(f"listed but not cited in a span: {', '.join(_sorted_ids(listed - set(used)))}")
    if set(used) - listed:
        details.append(f"cited in a span but not listed: {', '.join(_sorted_ids(set(used) - listed))}")
    message = f"'Cited Documents:' line disagrees with the <co> spans ({'; '.join(details)})"
    return [Problem("citation_mismatch", message)]


def _split_ids(raw: str | None) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()] if raw else []


def _split_listed(raw: str) -> list[str]:
    ids = [part.strip(".;[]()") for part in re.split(r"[,\s]+", raw)]
    return [doc_id for doc_id in ids if doc_id and doc_id.lower() not in _NO_IDS]


def _sorted_ids(ids) -> list[str]:
    return sorted(ids, key=lambda doc_id: (not doc_id.isdigit(), int(doc_id) if doc_id.isdigit() else 0, doc_id))
