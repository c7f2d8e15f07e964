import random

import numpy as np
import pytest

from hermes_data.dedup import dedup_text, near_duplicates, prompt_numbers
from hermes_data.dedup.near import _MAX_ROUNDS, _link_group, _UnionFind, _Verifier, _word_strings

VOCAB = (
    "the an model answer data set result value function system method because however therefore first second "
    "then next finally example simple complex large small fast slow input output error check test build run "
    "read write file table row column number text word line page user question reason step plan code list "
    "map key graph tree node edge path cost time space memory cache query index sort merge split join"
).split()


def paragraph(seed: int, num_words: int = 300) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCAB) for _ in range(num_words))


def edit_words(text: str, positions: list[int], word: str = "q") -> str:
    """`text` with the words at `positions` replaced; "q" is shorter than the words it replaces, so the original
    stays the longest text."""
    words = text.split()
    assert all(len(words[i]) > len(word) for i in positions)
    for i in positions:
        words[i] = word
    return " ".join(words)


def chat(user: str, assistant: str, system: str | None = None) -> list[dict]:
    head = [{"role": "system", "content": system}] if system else []
    return head + [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]


# ---- finding near-duplicates ---------------------------------------------------------------------------------------


def test_planted_near_duplicates_are_found_and_others_kept():
    originals = [paragraph(i) for i in range(20)]
    copies = [edit_words(originals[3], [5, 80, 150]), edit_words(originals[11], list(range(0, 300, 25)))]
    result = near_duplicates(originals + copies)
    assert result.num_dropped == 2 and result.num_clusters == 2
    assert result.cluster_id[3] == result.cluster_id[20] != -1
    assert result.cluster_id[11] == result.cluster_id[21] != -1
    assert (result.cluster_id[[i for i in range(20) if i not in (3, 11)]] == -1).all()


def test_result_columns_agree():
    texts = [paragraph(1), paragraph(2), edit_words(paragraph(1), [7]), paragraph(1)]
    result = near_duplicates(texts)
    assert result.keep.tolist() == [True, True, False, False]
    assert result.duplicate_of == [None, None, 0, 0]
    assert result.cluster_id.tolist() == [0, -1, 0, 0]


def test_candidate_below_threshold_is_kept():
    # A quarter of the words rewritten in two runs: the shingles that survive make the pair an LSH candidate, but
    # only 75 % of the words are shared, below the 0.8 threshold.
    base = paragraph(5, 400)
    words = base.split()
    words[100:150] = paragraph(6, 50).split()
    words[300:350] = paragraph(7, 50).split()
    result = near_duplicates([base, " ".join(words)])
    assert result.num_compared == 1 and result.num_similar == 0
    assert result.keep.tolist() == [True, True]
    assert near_duplicates([base, " ".join(words)], threshold=0.7).keep.sum() == 1


def test_unrelated_texts_with_common_words_are_not_compared():
    result = near_duplicates([paragraph(i) for i in range(50)])
    assert result.num_compared == 0 and result.keep.all()


# ---- the dedup key -------------------------------------------------------------------------------------------------

TOOLS_SYSTEM = "You are a function calling AI model. Here are the available tools: <tools> " + " ".join(
    f'{{"type": "function", "function": {{"name": "tool_{i}", "description": "{paragraph(100 + i, 40)}"}}}}'
    for i in range(12)
)


def test_different_questions_with_the_same_tool_list_are_not_merged():
    call = '<tool_call>\n{{"name": "{}", "arguments": {{}}}}\n</tool_call>'
    a = chat("Find flights from Paris to Rome on May 5.", call.format("tool_1"))
    b = chat("What is the stock price of ACME?", call.format("tool_7"))
    a, b = [{"role": "system", "content": TOOLS_SYSTEM}] + a, [{"role": "system", "content": TOOLS_SYSTEM}] + b
    assert near_duplicates([dedup_text(a), dedup_text(b)]).keep.all()
    # Near-miss: keyed on the whole conversation, the shared tool list would merge them.
    whole = ["\n".join(m["content"] for m in conv) for conv in (a, b)]
    assert not near_duplicates(whole).keep.all()


def test_different_questions_about_the_same_documents_are_not_merged():
    documents = "\n\n".join(f"Document:{i}\nTitle: Report {i}\nText: {paragraph(200 + i, 120)}" for i in range(4))
    a = chat(f"CONTEXT:\n{documents}\n\nWhen did the project start?", "It started in <co:1>spring</co>.")
    b = chat(f"Who funded the project?\n\nCONTEXT:\n{documents}", "The <co:2>city council</co> funded it.")
    assert "Document:" not in dedup_text(a) + dedup_text(b)
    assert "When did the project start?" in dedup_text(a) and "Who funded the project?" in dedup_text(b)
    assert near_duplicates([dedup_text(a), dedup_text(b)]).keep.all()


def test_dedup_text_keeps_user_assistant_and_tool_turns_only():
    messages = [
        {"role": "system", "content": "SYSTEM"},
        {"role": "user", "content": "USER"},
        {"role": "assistant", "content": "CALL"},
        {"role": "tool", "content": "RESULT"},
        {"role": "assistant", "content": None},
    ]
    assert dedup_text(messages) == "USER\n\nCALL\n\nRESULT\n\n"


def test_dedup_text_keeps_a_question_that_merely_mentions_a_document():
    messages = chat("Document:1 is attached. Can you summarize it?", "Sure.")
    assert dedup_text(messages).startswith("Document:1 is attached.")


# ---- numbers -------------------------------------------------------------------------------------------------------

SOLUTION = paragraph(300, 120)


def test_questions_with_different_numbers_stay_apart():
    a = chat("What is 17 x 23? Show your work.", f"{SOLUTION} 17 x 23 = 391.")
    b = chat("What is 17 x 24? Show your work.", f"{SOLUTION} 17 x 24 = 408.")
    texts = [dedup_text(a), dedup_text(b)]
    assert prompt_numbers(a) == "17 23" and prompt_numbers(b) == "17 24"
    assert near_duplicates(texts, distinct=[prompt_numbers(a), prompt_numbers(b)]).keep.all()
    assert not near_duplicates(texts).keep.all()  # near-miss: the texts alone are 98 % the same


def test_answers_differing_in_numbers_under_the_same_question_are_duplicates():
    a = chat("What is 17 x 23? Show your work.", f"{SOLUTION} 17 x 23 = 391.")
    b = chat("What is 17 x 23? Show your work.", f"{SOLUTION} 17 x 23 = 381.")
    result = near_duplicates([dedup_text(a), dedup_text(b)], distinct=[prompt_numbers(a), prompt_numbers(b)])
    assert result.keep.tolist() == [True, False]


def test_prompt_numbers_ignore_documents():
    messages = chat("CONTEXT:\nDocument:0\nText: Sales rose 12% in 2023.\n\nHow much did sales rise?", "12%.")
    assert prompt_numbers(messages) == ""


# ---- which row is kept ---------------------------------------------------------------------------------------------

BASE = paragraph(42)


def test_keep_prefers_the_strongest_model():
    texts = [BASE, edit_words(BASE, [3]), edit_words(BASE, [9])]
    result = near_duplicates(texts, model_rank=[2, 0, 1])
    assert result.keep.tolist() == [False, True, False] and result.duplicate_of == [1, None, 1]


def test_keep_ranks_unknown_models_last():
    texts = [BASE, edit_words(BASE, [3])]
    assert near_duplicates(texts, model_rank=[None, 7]).keep.tolist() == [False, True]


def test_keep_prefers_the_longest_then_the_first():
    longer = BASE + " with a closing remark"
    assert near_duplicates([BASE, longer]).keep.tolist() == [False, True]
    assert near_duplicates([edit_words(BASE, [3]), edit_words(BASE, [4])]).keep.tolist() == [True, False]


# ---- determinism, bounds, edge cases -------------------------------------------------------------------------------


def test_same_seed_same_result():
    texts = [paragraph(i % 7) if i % 3 else edit_words(paragraph(i % 7), [i]) for i in range(30)]
    first, second = near_duplicates(texts, seed=3), near_duplicates(texts, seed=3)
    assert (first.keep == second.keep).all() and (first.cluster_id == second.cluster_id).all()
    assert first.duplicate_of == second.duplicate_of
    assert (near_duplicates(texts, seed=4).keep == first.keep).all()  # clear duplicates: any seed finds them


def test_huge_bucket_costs_linear_comparisons():
    texts = [edit_words(BASE, [i % 300]) for i in range(400)]
    result = near_duplicates(texts)
    assert result.num_clusters == 1 and result.keep.sum() == 1
    assert result.num_compared < 2 * len(texts)  # all pairs would be 79,800


def test_bucket_members_failing_the_representative_get_their_own_round():
    texts = [BASE, edit_words(BASE, [1]), paragraph(43), edit_words(paragraph(43), [2])]
    union, verifier = _UnionFind(), _Verifier(dict(enumerate(_word_strings(texts))), 0.8, None)
    _link_group(np.arange(4), union, verifier)
    assert union.find(1) == union.find(0) != union.find(2) == union.find(3)
    assert verifier.num_compared == 4  # rep 0 against 1, 2, 3; then rep 2 against 3


def test_bucket_of_unrelated_rows_stops_after_the_round_limit():
    texts = [paragraph(500 + i) for i in range(30)]
    union, verifier = _UnionFind(), _Verifier(dict(enumerate(_word_strings(texts))), 0.8, None)
    _link_group(np.arange(30), union, verifier)
    assert verifier.num_compared == sum(29 - r for r in range(_MAX_ROUNDS)) < 30 * 29 // 2
    assert verifier.num_similar == 0


def test_texts_without_words_take_no_part():
    result = near_duplicates(["", "", "...", "!!"])
    assert result.keep.all() and (result.cluster_id == -1).all()
    empty = near_duplicates([])
    assert empty.keep.shape == (0,) and empty.duplicate_of == []


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="threshold"):
        near_duplicates(["a"], threshold=0)
    with pytest.raises(ValueError, match="model_rank has 2 entries for 1 texts"):
        near_duplicates(["a"], model_rank=[0, 1])


def test_keep_mask_is_numpy_bool():
    result = near_duplicates([BASE, BASE])
    assert result.keep.dtype == np.bool_ and result.cluster_id.dtype == np.int64
