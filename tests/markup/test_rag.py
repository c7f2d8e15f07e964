import time

import pytest

from hermes_data.errors import DataError
from hermes_data.markup.rag import (
    RAG_SYSTEM_PROMPT,
    check_citations,
    cited_ids,
    parse_context_documents,
    render_context,
)

# The paper's Figure 8 (Hermes 3 70B, retrieval augmented generation), documents shortened as in the figure.
FIGURE8_DOCUMENTS = [
    {
        "id": "0",
        "title": "AgentInstruct: Toward Generative Teaching with Agentic Flows",
        "text": "Synthetic data is becoming increasingly important for accelerating the development of language "
        "models, both large and small. Despite several successful use cases, researchers also raised concerns "
        "around model collapse and drawbacks of imitating other models.",
    },
    {
        "id": "1",
        "title": "Advances in Emergency Medical Technology",
        "text": "In recent years, emergency medical technology has seen significant advancements ...",
    },
    {
        "id": "2",
        "title": "The Rise of Agentic Data Generation",
        "text": "AgentInstruct is an agentic framework by Mitra et al. (2024), designed to generate large-scale ...",
    },
]
FIGURE8_USER = """What does Agent Instruct do?

CONTEXT:
Document:0
Title: AgentInstruct: Toward Generative Teaching with Agentic Flows
Text: Synthetic data is becoming increasingly important for accelerating the development of language models, both \
large and small. Despite several successful use cases, researchers also raised concerns around model collapse and \
drawbacks of imitating other models.

Document:1
Title: Advances in Emergency Medical Technology
Text: In recent years, emergency medical technology has seen significant advancements ...

Document:2
Title: The Rise of Agentic Data Generation
Text: AgentInstruct is an agentic framework by Mitra et al. (2024), designed to generate large-scale ..."""
FIGURE8_ANSWER = """AgentInstruct is an agentic framework designed to generate large-scale, diverse, and high-quality \
synthetic data. <co:2>The framework uses a sophisticated pipeline that transforms raw text into refined instructions \
through multiple stages of processing. The pipeline consists of four main steps: Seed Collection, Content \
Transformation, Seed Instruction Generation, and Instruction Refinement.</co>
Cited Documents: 2"""
FIGURE8_FOLLOW_UP = """Model collapse is a concern that has been raised by researchers in the context of using \
synthetic data for language model development. <co:0>Despite several successful use cases, researchers have pointed \
out that the use of synthetic data can lead to model collapse and drawbacks of imitating other models.</co>
Cited Documents: 0"""
DOC_IDS = {"0", "1", "2"}


def codes(text: str, doc_ids: set[str] | None = DOC_IDS) -> list[str]:
    return [problem.code for problem in check_citations(text, doc_ids)]


# ---- Figure 8 ---------------------------------------------------------------------------------------------------


def test_system_prompt_is_figure8():
    assert RAG_SYSTEM_PROMPT.startswith("You are a conversational AI assistant that is provided a list of documents")
    assert RAG_SYSTEM_PROMPT.endswith("Cite all facts from the documents using <co: doc_id></co> tags.")


def test_figure8_user_turn_renders_exactly():
    assert render_context(FIGURE8_DOCUMENTS, "What does Agent Instruct do?") == FIGURE8_USER


def test_figure8_user_turn_parses_back_to_its_documents():
    assert parse_context_documents(FIGURE8_USER) == FIGURE8_DOCUMENTS


def test_figure8_answers_are_valid():
    doc_ids = {doc["id"] for doc in parse_context_documents(FIGURE8_USER)}
    assert check_citations(FIGURE8_ANSWER, doc_ids) == []
    assert check_citations(FIGURE8_FOLLOW_UP, doc_ids) == []
    assert cited_ids(FIGURE8_ANSWER) == ["2"]
    assert cited_ids(FIGURE8_FOLLOW_UP) == ["0"]


def test_system_prompt_describing_the_tag_is_not_a_valid_answer():
    # Why the validator checks assistant turns only: the instruction's `<co: doc_id></co>` is a span citing "doc_id".
    assert codes(RAG_SYSTEM_PROMPT) == ["citation_unknown"]


# ---- rendering and parsing documents -------------------------------------------------------------------------------


def test_render_without_question_and_default_ids():
    rendered = render_context([{"title": "", "text": "alpha"}, {"id": None, "title": "B", "text": "beta"}])
    assert rendered == "CONTEXT:\nDocument:0\nText: alpha\n\nDocument:1\nTitle: B\nText: beta"


def test_render_rejects_an_id_that_cannot_be_cited():
    with pytest.raises(DataError, match="doc 1"):
        render_context([{"id": "doc 1", "title": "t", "text": "x"}])


def test_multi_paragraph_text_round_trips():
    docs = [
        {"id": "a-1", "title": "First", "text": "para one\n\npara two\nTitle: inside text"},
        {"id": "b.2", "title": "Plain Text: a guide", "text": "last"},
    ]
    assert parse_context_documents(render_context(docs, "Q?")) == docs


def test_block_without_title_or_text_label_is_still_a_document():
    text = "CONTEXT:\nDocument:7\nraw body line\n\nDocument:8\n\nDocument:9\nTitle: only a title"
    assert parse_context_documents(text) == [
        {"id": "7", "title": "", "text": "raw body line"},
        {"id": "8", "title": "", "text": ""},
        {"id": "9", "title": "only a title", "text": ""},
    ]


def test_flattened_figure8_blocks_parse():
    # The form the paper's PDF shows: one bullet per document, fields on the header line.
    text = "CONTEXT:\n- Document:0 Title: AgentInstruct Text: Synthetic data ...\n- Document:1 Title: B Text: c"
    assert parse_context_documents(text) == [
        {"id": "0", "title": "AgentInstruct", "text": "Synthetic data ..."},
        {"id": "1", "title": "B", "text": "c"},
    ]


@pytest.mark.parametrize(
    "text",
    [
        "What is the capital of France?",
        "Document:1 is attached, please summarise it.",
        "See the Document: section of the report.",
        "",
    ],
)
def test_text_without_document_blocks_parses_to_none(text):
    assert parse_context_documents(text) is None


def test_headers_before_the_context_label_are_not_documents():
    text = "Document:9\nTitle: quoted in the question\n\nCONTEXT:\nDocument:0\nText: real"
    assert parse_context_documents(text) == [{"id": "0", "title": "", "text": "real"}]


# ---- citation_unknown --------------------------------------------------------------------------------------------


def test_unknown_id_is_reported_once_with_the_known_ids():
    problems = check_citations("ok <co:1>a</co>\n<co:3>b</co> and <co: 3>c</co>", DOC_IDS)
    assert [p.code for p in problems] == ["citation_unknown"]
    assert problems[0].message == "<co:3> at line 2 cites no such document (ids: 0, 1, 2)"


def test_unknown_message_lists_at_most_ten_ids():
    (problem,) = check_citations("<co:x>a</co>", {str(i) for i in range(12)})
    assert "(ids: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 2 more)" in problem.message


def test_unknown_id_inside_a_list():
    assert codes("<co: 0,7>a</co>") == ["citation_unknown"]


def test_unknown_is_skipped_without_document_ids():
    assert codes("<co:3>a</co>", None) == []


def test_string_ids_are_known():
    assert codes("<co: doc-a>x</co>", {"doc-a"}) == []


def test_span_without_id_is_reported_even_without_documents():
    assert codes("<co>x</co>", None) == ["citation_unknown"]


# ---- citation_unbalanced ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Fact <co:1>never closed.", "<co:1> at line 1 is never closed"),
        ("Fact.</co>", "</co> at line 1 closes no open"),
        ("<co:0>outer <co:1>inner</co> tail</co>", "<co:1> at line 1 is nested inside <co:0>"),
        ("<co: 0,1>fact</co: 0,2>", "</co: 0,2> at line 1 closes <co: 0,1>: id lists differ"),
        ("<co: 0>fact</co: 1>", "id lists differ"),
    ],
)
def test_unbalanced_spans(text, fragment):
    problems = check_citations(text, DOC_IDS)
    assert [p.code for p in problems] == ["citation_unbalanced"]
    assert fragment in problems[0].message


@pytest.mark.parametrize(
    "text",
    [
        "<co: 0,1>fact</co: 0,1>",  # Cohere Command-R form
        "<co:0,1>fact</co: 1, 0>",  # same list, other order and spacing
        "<co: 0,1>fact</co>",
        "<co:2>a</co> then <co:2>b</co>",
        "Use <code>x</code> and a <col> element.",
    ],
)
def test_balanced_span_forms(text):
    assert check_citations(text, DOC_IDS) == []


# ---- citation_mismatch ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("<co:2>a</co>\nCited Documents: 0, 2", "listed but not cited in a span: 0"),
        ("<co:0>a</co> <co:2>b</co>\nCited Documents: 2", "cited in a span but not listed: 0"),
        ("No spans here.\nCited Documents: 1", "listed but not cited in a span: 1"),
        ("<co:1>a</co>\n**Cited Documents:** 2", "cited in a span but not listed: 1"),
    ],
)
def test_cited_line_disagreeing_with_spans(text, fragment):
    problems = check_citations(text, DOC_IDS)
    assert [p.code for p in problems] == ["citation_mismatch"]
    assert fragment in problems[0].message


@pytest.mark.parametrize(
    "text",
    [
        "<co:2>a</co> <co:0>b</co>",  # spans without a Cited line
        "<co:2>a</co> <co:0>b</co>\nCited Documents: 0, 2",
        "<co:2>a</co> <co:0>b</co>\nCited Documents: 2,0",
        "<co: 0,2>a</co>\ncited documents: [0, 2].",
        "I could not find this in the documents.\nCited Documents: None",
        "A plain answer with no citations at all.",
    ],
)
def test_cited_line_agreeing_with_spans(text):
    assert check_citations(text, DOC_IDS) == []


# ---- code is not markup ---------------------------------------------------------------------------------------


def test_tags_in_code_are_ignored():
    answer = "Cite with `<co: doc_id></co>` tags, e.g.\n```\n<co:9>fact\nCited Documents: 9\n```\nDone."
    assert check_citations(answer, DOC_IDS) == []
    assert cited_ids(answer) == []


def test_span_in_code_does_not_close_a_real_one():
    assert codes("<co:0>fact `</co>` more") == ["citation_unbalanced"]


def test_cited_ids_keep_first_use_order():
    assert cited_ids("<co:2>a</co> <co: 0, 2>b</co: 0, 2> <co:1>c</co>") == ["2", "0", "1"]


def test_check_is_linear_on_many_spans():
    answer = "<co:0>fact</co> " * 100_000 + "<co:1>" * 50_000 + "\nCited Documents: 0, 1"
    start = time.perf_counter()
    assert len(check_citations(answer, DOC_IDS)) == 2 * 50_000 - 1
    assert time.perf_counter() - start < 5.0
