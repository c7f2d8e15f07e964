"""Row shape: empty turns, the assistant turn to learn from, and the order of roles (rules in `codes`)."""

from __future__ import annotations

from hermes_data.errors import with_article
from hermes_data.formats.message_notes import NON_TEXT_KEPT, NON_TEXT_PARTS
from hermes_data.markup.control_tokens import TEMPLATE, find_control_tokens, strip_trailing
from hermes_data.record import meta_of
from hermes_data.validate.issue import Issue

ROLES = ("system", "user", "assistant", "tool")
# Roles that may come right before each role; None stands for "first message".
_ALLOWED_BEFORE: dict[str, tuple[str | None, ...]] = {
    "user": (None, "system", "assistant"),
    "assistant": ("user", "tool"),
    "tool": ("assistant",),
}


def check_empty(turn: int, text: str) -> list[Issue]:
    return [] if text.strip() else [Issue("empty_turn", turn, "the message has no content")]


def check_control_tokens(turn: int, text: str) -> list[Issue]:
    """One `control_token` issue per turn that holds any, naming the first and how many."""
    found = find_control_tokens(text)
    if not found:
        return []
    offset, token = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    stripped = strip_trailing(text)
    repairable = stripped != text and not find_control_tokens(stripped)
    why = "the tokenizer reads it as a control token" if TEMPLATE.fullmatch(token) else "another template's marker"
    hint = "; it only ends the message: the control_token repair (--repair) strips it" if repairable else ""
    return [Issue("control_token", turn, f"{token} written as text at character {offset}{more}: {why}{hint}")]


def role_order_problem(turn: int, role: object, previous: str | None) -> Issue | None:
    """The role_order issue of a turn given the role before it (None when it is the first message)."""
    if role not in ROLES:
        return Issue("role_order", turn, f"unknown role {role!r} (expected one of {', '.join(ROLES)})")
    if role == "system":
        return None if previous is None else Issue("role_order", turn, "a system prompt may only be the first message")
    if previous in _ALLOWED_BEFORE[role]:
        return None
    after = f"after {with_article(previous)} turn" if previous else "as the first message"
    why = {
        "user": "the assistant answers before the next user turn",
        "assistant": "the conversation starts with a user turn and the assistant answers user or tool turns",
        "tool": "tool results follow the assistant turn that called; several results share one tool turn",
    }[role]
    return Issue("role_order", turn, f"{role} turn {after} ({why})")


def no_assistant(messages: list[dict]) -> list[Issue]:
    if any(m.get("role") == "assistant" for m in messages):
        return []
    return [Issue("no_assistant", None, "the conversation has no assistant turn")]


def non_text_content(record: dict) -> list[Issue]:
    """The non-text parts a reader listed in meta (`formats.message_notes`), unless the source chose to keep them."""
    meta = meta_of(record)
    parts = meta.get(NON_TEXT_PARTS)
    if not parts or meta.get(NON_TEXT_KEPT):
        return []
    kinds = sorted({str(p.get("type") or p.get("column")) for p in parts if isinstance(p, dict)})
    return [
        Issue(
            "non_text_content",
            None,
            f"the row has non-text content ({', '.join(kinds)}) that its text does not hold; drop it, or read the "
            "source with `non_text: keep` to train on the text parts alone",
        )
    ]
