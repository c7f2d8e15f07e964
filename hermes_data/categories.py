"""The eight data categories of the Hermes 3 SFT mixture (paper, Table 1)."""

from __future__ import annotations

# slug -> (paper name, share in percent of tokens, tokens in millions); Table 1 of arXiv 2408.11857.
CATEGORIES: dict[str, tuple[str, float, int]] = {
    "general": ("General Instructions", 60.6, 236),
    "domain_expert": ("Domain Expert", 12.8, 50),
    "math": ("Math", 6.7, 26),
    "roleplay": ("Roleplaying", 6.1, 24),
    "coding": ("Coding", 4.5, 18),
    "tool_use": ("Tool Use, Agentic, and RAG", 4.3, 17),
    "content_generation": ("Content Generation", 3.0, 12),
    "steering": ("Steering and Alignment", 2.5, 10),
}

SLUGS: tuple[str, ...] = tuple(CATEGORIES)

PAPER_SHARES: dict[str, float] = {slug: share for slug, (_, share, _) in CATEGORIES.items()}


def check_slug(value: str | None, what: str) -> str | None:
    """`value` when it is a category slug (or None); else the ValueError a recipe validator turns into one line."""
    if value is not None and value not in SLUGS:
        raise ValueError(f"{what} {value!r} is not a category; use one of {', '.join(SLUGS)}")
    return value
