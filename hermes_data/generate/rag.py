"""RAG in the paper's form (Figure 8, DESIGN §4): documents written by the teacher, a question they answer, and an
answer grounded with `<co:N>…</co>` spans and a closing `Cited Documents:` line.

The answer is checked by the validator (`citation_unknown`, `citation_unbalanced`, `citation_mismatch`) and must cite
at least one document; otherwise it is asked again with another seed. Seeds, when given, are the topics.
"""

from __future__ import annotations

from hermes_data.generate.context import Generated, ItemContext, all_checks, validator_check
from hermes_data.generate.tool_use import parse_json_reply
from hermes_data.markup.rag import RAG_SYSTEM_PROMPT, cited_ids, render_context


def _documents_problem(text: str) -> tuple[str, str] | None:
    try:
        docs = parse_json_reply(text)
    except ValueError as exc:
        return "documents_json", f"the documents are not JSON ({exc})"
    if not isinstance(docs, list) or not docs or not all(isinstance(d, dict) and d.get("text") for d in docs):
        return "documents_json", 'expected a JSON array of {"title", "text"} objects'
    return None


def _cites(text: str) -> tuple[str, str] | None:
    return None if cited_ids(text) else ("citation_missing", "the answer cites no document with <co:N>")


async def generate_rag(ctx: ItemContext) -> Generated:
    num = ctx.item.task.num_documents
    prompt = ctx.render("rag/documents", topic=ctx.item.input or "", num_documents=num, index=ctx.item.index)
    raw = await ctx.ask("rag/documents", [{"role": "user", "content": prompt}], check=_documents_problem)
    docs = [
        {"id": str(i), "title": str(d.get("title") or ""), "text": str(d["text"])}
        for i, d in enumerate(parse_json_reply(raw))
    ]
    prompt = ctx.render("rag/question", context=render_context(docs))
    question = await ctx.ask("rag/question", [{"role": "user", "content": prompt}])
    messages = [
        {"role": "system", "content": RAG_SYSTEM_PROMPT},
        {"role": "user", "content": render_context(docs, question)},
    ]
    answer = await ctx.ask("rag/answer", messages, check=all_checks(validator_check(messages), _cites), final=True)
    return Generated([*messages, {"role": "assistant", "content": answer}], {"num_documents": len(docs)})
