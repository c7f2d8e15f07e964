"""Unrendered template placeholders in assistant replies: `{{name}}`, `{{ author }}`, `{{user}}` (issue 13 item 4).

Identity and persona data is often generated from a template ("I am {{name}}, made by {{author}}") and published
before the template was filled; a model trained on it answers "I am {{name}}". A reply is dropped with reason
`template_placeholder` when it holds a Jinja/Handlebars/Mustache variable, `{{ identifier }}` (dotted paths and
`| filters` included), outside code. Not placeholders:
- anything in fenced code blocks or inline code spans (`markup.code_spans`): a Jinja or Handlebars answer is legit;
- a placeholder the user's own turns quote: the reply is explaining that syntax ("what does {{name}} do in Vue?");
- LaTeX grouping such as `\\frac{{a}}{b}` or `x^{{2}}`: the braces follow a command, `^` or `_`, not a space;
- a GitHub Actions expression, `${{ secrets.TOKEN }}`, which models often write in unfenced workflow YAML.

Measured on 182,723 real replies (the 227 readable results/*/model_outputs.json of tatsu-lab/alpaca_eval): 163
hold `{{`, 2 are dropped: one unrendered template ("Today is {{todays_date}}."), one garbled LaTeX reply; the kept
ones, read by hand, are LaTeX, workflow YAML, Hugo shortcodes and C array initialisers.

Only replies that contain `{{` become Python strings; the rest is an Arrow substring scan.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hermes_data.markup.code_spans import mask_code
from hermes_data.stages.verdict import Verdict, detail_json

REASON = "template_placeholder"
PLACEHOLDER = re.compile(r"(?<![\w\\^_{}$])\{\{\{?-?\s*[A-Za-z_][\w.]*(?:\s*\|\s*\w+)*\s*-?\}\}\}?")


def find_placeholder(reply: str, requests: str = "") -> str | None:
    """The first placeholder of `reply` outside code that `requests` (the user turns' text) does not quote."""
    if "{{" not in reply:
        return None
    for match in PLACEHOLDER.finditer(mask_code(reply)):
        if match.group() not in requests:
            return match.group()
    return None


def template_placeholder_filter(table: pa.Table) -> Verdict:
    """Drop rows with a placeholder in an assistant turn; `detail` names the placeholder and the turn index."""
    keep = np.ones(table.num_rows, dtype=bool)
    details: list[str | None] = [None] * table.num_rows
    row = 0
    for chunk in table.column("messages").chunks:
        for i in _rows_with_braces(chunk):
            messages = chunk[int(i)].as_py()
            requests = "\n".join(m["content"] or "" for m in messages if m["role"] == "user")
            for turn, message in enumerate(messages):
                found = message["role"] == "assistant" and find_placeholder(message["content"] or "", requests)
                if found:
                    keep[row + i] = False
                    details[row + i] = detail_json(placeholder=found, turn=turn)
                    break
        row += len(chunk)
    return Verdict(keep=keep, reasons=[None if k else REASON for k in keep], details=details)


def _rows_with_braces(messages: pa.ListArray) -> np.ndarray:
    """Rows (within the chunk) having an assistant message that contains `{{`."""
    offsets = messages.offsets.to_numpy()
    values = messages.values  # unsliced child: `offsets` index into it
    span = slice(int(offsets[0]), int(offsets[-1]))
    roles = pc.struct_field(values, "role")[span]
    content = pc.struct_field(values, "content")[span]
    hit = pc.and_(pc.equal(roles, "assistant"), pc.match_substring(content, "{{"))
    idx = np.flatnonzero(pc.fill_null(hit, False).to_numpy(zero_copy_only=False)) + offsets[0]
    return np.unique(np.searchsorted(offsets, idx, side="right") - 1)
