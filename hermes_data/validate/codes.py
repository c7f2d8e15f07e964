"""The validator's error codes (DESIGN §5), in the order that names a row's reason when it has several.

Rules, precisely (turn = 0-based index into `messages`; row-level codes have turn None):

- `non_text_content` (row): the reader found content parts that are not text (images, audio, files) or media
  columns (`images`, ...) and listed them in `meta.non_text_parts`; the text alone is not what the row means (an
  `<image>` placeholder, or a question about a picture the model never sees). It names the row's reason before any
  other code. A source read with `non_text: keep` sets `meta.non_text_kept` and is not reported.
- `empty_turn`: the content is empty or only whitespace (any role but a leading system prompt: real ShareGPT and
  OpenAI exports often carry `system: ""`, which is the same as no system prompt, and dropping those rows would lose
  good data). An assistant turn holding only tool calls has content and is not empty.
- `no_assistant` (row): no message has the role `assistant`.
- `role_order`: checked turn by turn against the turn before it.
  - roles are `system`, `user`, `assistant`, `tool`; any other role is out of order;
  - `system` only as the first message;
  - the first message after the system prompt is `user` (a conversation never starts with the assistant or a tool);
  - `user` follows the system prompt, an `assistant` turn, or is first (two user turns in a row are out of order,
    and so is a user turn straight after a tool turn: the assistant answers results first);
  - `assistant` follows a `user` or a `tool` turn (never another assistant turn);
  - `tool` follows an `assistant` turn that made at least one `<tool_call>`; consecutive results share one tool
    turn, so a tool turn after a tool turn is out of order;
  - a `tool` turn must hold `<tool_response>` blocks (a bare result in a tool turn is reported here too).
  A conversation may end with any role; ending without an assistant turn at all is `no_assistant`.
- `control_token`: any turn's content holds a chat-template control token as text (`hermes_data.markup.
  control_tokens`): ChatML's and Llama 3's (`<|im_end|>`, `<|eot_id|>`, `<|begin_of_text|>`, ...) anywhere, since
  the training tokenizer reads them as control tokens even inside code; `<|endoftext|>` outside Markdown code. The
  `control_token` repair strips the ones that only end a message (the common leak of another model's template).
- `tag_unbalanced`: in assistant turns, a reasoning tag (paper §2.1, Figure 9) not closed, closed without opening,
  or badly nested; in assistant and tool turns, `<tool_call>`/`<tool_response>` not closed, closed without
  opening, or opened twice. Markdown code is ignored.
- `tools_invalid`: a non-empty `<tools>` block (system prompt) or JSON-mode `<schema>` that does not parse, holds
  something other than tool objects, has a tool without a name or defined twice, or whose `parameters` / schema is
  not valid JSON Schema (jsonschema meta-schema of its `$schema`, Draft 2020-12 by default).
- `python_literal`: the tool list, a JSON-mode schema or a tool call written as a Python literal (single quotes,
  `True`, `None`); `repair_record` rewrites them as JSON.
- `tool_call_json`: a `<tool_call>` body in an assistant turn that does not parse (as JSON or a Python literal), is
  not an object, or lacks a string `name` or an object `arguments`.
- `tool_call_unknown`: a call whose name is not among the conversation's tools (or there are no tools).
- `tool_call_args`: arguments that fail the tool's `parameters` schema (types, required, enums, nested objects and
  arrays, `additionalProperties` when the schema sets it). `format` is not asserted.
- `tool_response_orphan`: a tool turn after an assistant turn without calls, or with more `<tool_response>` blocks
  than the calls of the assistant turn before it.
- `citation_unknown`, `citation_unbalanced`, `citation_mismatch`: in assistant turns (`hermes_data.markup.rag`);
  document ids come from the record's `documents` column, else from the user turns' `Document:N` blocks.
- `json_mode_schema`: in JSON mode, an assistant answer that is not bare JSON (surrounding whitespace is fine) or
  does not validate against the schema.

Tool calls, citations and reasoning tags are checked only in assistant turns: a system prompt that shows
`<tool_call>{'arguments': <args-dict>, 'name': <function-name>}</tool_call>` or `<co: doc_id></co>` is an
instruction, not markup.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    "non_text_content": "a row with images, audio or other non-text parts, which its text does not hold",
    "no_assistant": "no assistant turn to learn from",
    "empty_turn": "a message with no content (and no tool call)",
    "role_order": "roles out of order (system not first, tool turn not after an assistant call, ...)",
    "tag_unbalanced": "a reasoning tag or <tool_call>/<tool_response> not closed, closed without opening, or badly "
    "nested",
    "tools_invalid": "tool definitions or a JSON-mode schema that do not parse or are not valid JSON Schema",
    "tool_call_json": "a <tool_call> body that does not parse or lacks name/arguments",
    "tool_call_unknown": "a call to a tool that is not defined",
    "tool_call_args": "arguments that fail the tool's parameters schema (types, required, enums, nested objects)",
    "tool_response_orphan": "a tool response with no call before it, or more responses than calls",
    "citation_unknown": "a <co: ...> id with no such document",
    "citation_unbalanced": "a <co...> span not closed, closed without opening, or closed with a different id list",
    "citation_mismatch": "the 'Cited Documents:' line disagrees with the ids used in the spans",
    "json_mode_schema": "a JSON-mode answer that is not valid JSON for its schema",
    "control_token": "a chat-template control token (<|im_end|>, <|eot_id|>, <|endoftext|>, ...) written as text in a "
    "message (trailing ones are repairable)",
    "python_literal": "a tool call, tool list or schema written as a Python literal (repairable)",
}
