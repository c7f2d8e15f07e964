"""Column maps: a source says which of its columns (and which keys inside a turn, and which role names) mean what.

Datasets that fit no layout by their key names still hold one of the known shapes under other names: `question` /
`answer` rows are Alpaca, `turns: [{speaker, text}]` rows are chat. A `ColumnMap` renames such a row into the names
the readers know before it is detected and converted, so every reader, the detection and the error messages stay as
they are. Recipe sources write it as `columns: {instruction: question, output: answer}` plus `roles: {bot:
assistant}`; the CLI as `--columns instruction=question,output=answer --roles bot=assistant`.

Row-level targets (`instruction`, `input`, `output`, `system`, `messages`, `id`, `category`, `tools`, `documents`)
rename a column of the row (`input` and `system` may be absent from a row), and so do `prompt`, `chosen` and
`rejected` in pair files; `role` and `content` rename the keys
inside each turn of the turn list; `roles` maps role values. A mapped column missing from a row makes that row
unreadable (file:line), never a silent empty field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hermes_data.errors import FormatError
from hermes_data.formats.common import RowError
from hermes_data.formats.openai_chat import ROLE_OF as OPENAI_ROLES
from hermes_data.formats.sharegpt import ROLE_OF as SHAREGPT_ROLES
from hermes_data.record import ROLES

ROW_TARGETS = ("instruction", "input", "output", "system", "messages", "id", "category", "tools", "documents")
# Pair files (validate on pairs; hermes_data/pairs/readers.py): the prompt column and the two replies.
PAIR_TARGETS = ("prompt", "chosen", "rejected")
TURN_TARGETS = ("role", "content")
TARGETS = ROW_TARGETS + PAIR_TARGETS + TURN_TARGETS
# Optional in their layout (Alpaca rows often lack an input or a system prompt): absent means not given.
_OPTIONAL = ("input", "system")
_KNOWN_ROLES = {*OPENAI_ROLES, *SHAREGPT_ROLES}
# Lists of turns a row may already hold under a known name, when only the turn keys or roles are mapped.
_TURN_LISTS = ("messages", "conversations")


@dataclass(frozen=True)
class ColumnMap:
    """target -> source column (`columns`) and source role -> record role (`roles`); empty maps change nothing."""

    columns: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.columns or self.roles)

    def apply(self, row: Any) -> Any:
        """The row under the readers' names; RowError when a mapped column or turn key is missing."""
        if not self or not isinstance(row, dict):
            return row
        renames = {src: target for target, src in self.columns.items() if target not in TURN_TARGETS}
        missing = [src for src, target in renames.items() if src not in row and target not in _OPTIONAL]
        if missing:
            keys = ", ".join(sorted(map(str, row))[:8])
            raise RowError(
                f"mapped column `{missing[0]}` (columns: {renames[missing[0]]}) is missing; the row has keys {keys}"
            )
        out = {k: v for k, v in row.items() if k not in renames and k not in renames.values()}
        for src, target in renames.items():
            if src in row:
                out[target] = row[src]
        for key in _TURN_LISTS:
            if isinstance(out.get(key), list):
                out[key] = [self._turn(turn, i) for i, turn in enumerate(out[key])]
                break
        return out

    def _turn(self, turn: Any, i: int) -> Any:
        if not isinstance(turn, dict):
            return turn  # the reader reports it ("turn 3 is not an object")
        out = dict(turn)
        for target in TURN_TARGETS:
            src = self.columns.get(target)
            if src is None:
                continue
            if src not in turn:
                raise RowError(f"turn {i} has no `{src}` (columns: {target}: {src}); it has keys {', '.join(turn)}")
            out.pop(src)
            out[target] = turn[src]
        if self.roles:
            role_key = "role" if "role" in out else "from"
            value = out.get(role_key)
            if isinstance(value, str) and value in self.roles:
                out[role_key] = self.roles[value]
            elif isinstance(value, str) and value.strip().lower() not in _KNOWN_ROLES:
                raise RowError(f"turn {i} has role {value!r}, which `roles` does not map; add it, e.g. {value}: user")
        return out


def column_map(columns: dict[str, str] | None, roles: dict[str, str] | None, *, where: str = "columns") -> ColumnMap:
    """A checked ColumnMap; FormatError naming the bad entry (unknown target, empty column, role mapped to nothing)."""
    columns, roles = dict(columns or {}), dict(roles or {})
    for target, src in columns.items():
        if target not in TARGETS:
            raise FormatError(f"{where}: unknown target `{target}`; map onto one of {', '.join(TARGETS)}")
        if not isinstance(src, str) or not src.strip():
            raise FormatError(f"{where}: `{target}` needs the name of a column, got {src!r}")
    sources = list(columns.values())
    dup = next((s for s in sources if sources.count(s) > 1), None)
    if dup is not None:
        raise FormatError(f"{where}: column `{dup}` is mapped twice; map each column onto one target")
    for name, role in roles.items():
        if role not in ROLES:
            raise FormatError(f"roles: `{name}` maps to {role!r}, which is no role; use one of {', '.join(ROLES)}")
    return ColumnMap(columns, roles)


def parse_pairs(text: str | None, option: str) -> dict[str, str]:
    """`a=b,c=d` (a CLI option) as {a: b, c: d}; FormatError naming the option for an entry without `=`."""
    out: dict[str, str] = {}
    for entry in (text or "").split(","):
        if not entry.strip():
            continue
        key, sep, value = entry.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise FormatError(f"{option}: {entry.strip()!r} is not KEY=VALUE; write e.g. {option} instruction=question")
        out[key.strip()] = value.strip()
    return out
