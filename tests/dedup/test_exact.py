import random
import unicodedata

import numpy as np
import pytest

from hermes_data.dedup import exact_duplicates, exact_key, exact_keys, keep_order, normalize_text


def conversation(system: str | None, user: str, assistant: str) -> list[dict]:
    messages = [{"role": "system", "content": system}] if system is not None else []
    return messages + [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]


def test_normalize_text_folds_case_whitespace_and_compatibility_forms():
    assert normalize_text("  Hello\tWORLD\n\n again ") == "hello world again"
    assert normalize_text("Ｈｅｌｌｏ\u00a0ﬁne") == "hello fine"  # full-width letters, NBSP, ligature (NFKC)


def test_normalize_text_keeps_punctuation_and_digits():
    assert normalize_text("2 + 2 = 4.") == "2 + 2 = 4."


def test_normalize_text_fast_ascii_path_matches_the_definition():
    rng = random.Random(0)
    alphabet = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1fabAB.1\u00a0\u2003é"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert normalize_text(text) == " ".join(unicodedata.normalize("NFKC", text).lower().split()), repr(text)


def test_exact_key_ignores_case_and_whitespace():
    a = conversation("You are helpful.", "What is   Python?", "Python is a language.\n")
    b = conversation("you are HELPFUL.", "what is python?", "  Python is a\nlanguage.")
    assert exact_key(a) == exact_key(b)


def test_exact_key_includes_the_system_prompt():
    a = conversation("You are a pirate.", "Hi", "Hello!")
    b = conversation("You are a poet.", "Hi", "Hello!")
    assert exact_key(a) != exact_key(b)
    assert exact_key(a) != exact_key(conversation(None, "Hi", "Hello!"))


def test_exact_key_different_numbers_are_different_rows():
    assert exact_key(conversation(None, "2 + 2?", "4")) != exact_key(conversation(None, "2 + 2?", "5"))


def test_exact_key_turn_boundaries_and_roles_matter():
    a = [{"role": "user", "content": "a b"}, {"role": "assistant", "content": "c"}]
    b = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b c"}]
    c = [{"role": "user", "content": "a b"}, {"role": "tool", "content": "c"}]
    assert len({exact_key(a), exact_key(b), exact_key(c)}) == 3


def test_exact_key_treats_missing_content_as_empty():
    a = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": None}]
    b = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": ""}]
    assert exact_keys([a, b]) == [exact_key(a)] * 2


def test_exact_duplicates_keeps_first_occurrence():
    keep = exact_duplicates(["a", "b", "a", "c", "b", "a"])
    assert keep.tolist() == [True, True, False, True, False, False]


def test_exact_duplicates_prefers_strongest_model_then_longest():
    keys = ["k", "k", "k", "other"]
    assert exact_duplicates(keys, model_rank=[2, 0, 1, None]).tolist() == [False, True, False, True]
    # Unknown models (None) rank below every listed one.
    assert exact_duplicates(keys, model_rank=[None, 5, None, None]).tolist() == [False, True, False, True]
    assert exact_duplicates(keys, lengths=[10, 12, 12, 1]).tolist() == [False, True, False, True]


def test_exact_duplicates_empty_input():
    assert exact_duplicates([]).shape == (0,)


def test_keep_order_rank_then_length_then_input_order():
    position = keep_order(5, model_rank=[1, 0, 0, None, 0], lengths=[100, 5, 9, 1000, 9])
    # row 2 and 4: same rank and length, row 2 seen first; row 1 shorter; row 0 weaker model; row 3 unknown model.
    assert np.argsort(position).tolist() == [2, 4, 1, 0, 3]


def test_keep_order_rejects_misaligned_columns():
    with pytest.raises(ValueError, match="model_rank has 1 entries for 2 rows"):
        keep_order(2, model_rank=[0])
