"""What a markup check reports: a validator error code and a message; the validator adds the turn index."""

from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    code: str  # one of hermes_data.validate.codes.CODES
    message: str
