"""The `tools` and `documents` columns come from the message text."""

from __future__ import annotations

import json

from hermes_data.markup.columns import columns_from_messages
from hermes_data.markup.rag import render_context


def test_tools_from_a_literal_block_and_documents_from_user_turns():
    messages = [
        {"role": "system", "content": "Tools within <tools> </tools> tags.\n<tools>\n[{'name': 'f'}]\n</tools>"},
        {"role": "user", "content": render_context([{"id": "0", "title": "T", "text": "A."}], question="Q?")},
        {"role": "assistant", "content": "<co:0>A</co>"},
        {"role": "user", "content": render_context([{"id": "0", "text": "dup"}, {"id": "1", "text": "B."}])},
    ]
    tools, documents = columns_from_messages(messages)
    assert json.loads(tools) == [{"type": "function", "function": {"name": "f"}}]
    assert documents == [{"id": "0", "title": "T", "text": "A."}, {"id": "1", "title": "", "text": "B."}]


def test_plain_conversation_has_neither():
    assert columns_from_messages([{"role": "user", "content": "Document: see below"}]) == (None, None)
    assert columns_from_messages([{"role": "system", "content": "<tools>[{broken</tools>"}]) == (None, None)
