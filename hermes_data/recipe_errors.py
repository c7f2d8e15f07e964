"""Moved to `hermes_data.recipe`; kept while hermes_train still imports these names from here (the lead removes it)."""

from __future__ import annotations

from hermes_data.recipe import apply_overrides as set_dotted
from hermes_data.recipe import describe, load_yaml, parse_model

__all__ = ["describe", "load_yaml", "parse_model", "set_dotted"]
