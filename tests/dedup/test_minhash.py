import random

import numpy as np
import pytest

from hermes_data.dedup.minhash import (
    band_keys,
    buckets,
    candidate_jaccard,
    estimate_jaccard,
    lsh_keys,
    lsh_params,
    signatures,
    word_hashes,
)

WORDS = [f"{a}{b}" for a in ("ka", "lo", "mi", "nu", "pe", "ro", "su", "ti") for b in ("ba", "de", "fi", "go", "hu")]


def random_text(rng: random.Random, num_words: int) -> str:
    return " ".join(rng.choice(WORDS + [f"w{i}" for i in range(2000)]) for _ in range(num_words))


def shingle_jaccard(a: str, b: str, n: int = 5) -> float:
    sets = [{tuple(t.split()[i : i + n]) for i in range(len(t.split()) - n + 1)} for t in (a, b)]
    return len(sets[0] & sets[1]) / len(sets[0] | sets[1])


def test_words_ignore_case_punctuation_and_compatibility_forms():
    hashes, offsets = word_hashes(["Hello, World! (hello) world", "ＨＥＬＬＯ world", "hello_world"])
    first = hashes[offsets[0] : offsets[1]]
    assert len(first) == 4 and first[0] == first[2] and first[1] == first[3]
    assert hashes[offsets[1] : offsets[2]].tolist() == first[:2].tolist()
    assert offsets[3] - offsets[2] == 1  # `_` joins words (identifiers)


def test_words_split_cjk_characters_and_long_words():
    hashes, offsets = word_hashes(["中文字", "supercalifragilisticexpialidocious supercalifragilisticexpialidociouz"])
    assert np.diff(offsets).tolist() == [3, 2]
    assert len(set(hashes.tolist())) == 5


def test_words_of_empty_and_punctuation_only_texts():
    hashes, offsets = word_hashes(["", "...", "a"])
    assert offsets.tolist() == [0, 0, 0, 1]


def test_signature_agreement_tracks_jaccard():
    rng = random.Random(0)
    base = random_text(rng, 400)
    for edit_rate in (0.01, 0.03, 0.08):
        words = base.split()
        for i in rng.sample(range(len(words)), int(edit_rate * len(words))):
            words[i] = "edited"
        other = " ".join(words)
        sig = signatures([base, other], num_perm=256)
        assert abs(estimate_jaccard(sig[0], sig[1]) - shingle_jaccard(base, other)) < 0.08


def test_short_texts_get_full_signatures():
    sig = signatures(["two words", "one two three four five six seven", "", "a"], num_perm=64)
    assert (sig[[0, 1, 3]] < 2**32).all()  # densified: no empty bin left
    assert (sig[2] == 2**32).all()  # no words, no signature


def test_signatures_are_seeded_and_deterministic():
    texts = [random_text(random.Random(i), 60) for i in range(3)]
    assert (signatures(texts, seed=1) == signatures(texts, seed=1)).all()
    assert (signatures(texts, seed=1) != signatures(texts, seed=2)).any()


def test_lsh_params_target_recall_for_word_edits():
    assert candidate_jaccard(0.8, 5) == pytest.approx(0.419, abs=1e-3)
    bands, rows = lsh_params(0.8, 128, 5)
    assert (bands, rows) == (29, 4)
    candidate = lambda j: 1 - (1 - j**rows) ** bands  # noqa: E731
    assert candidate(0.63) > 0.99  # 5 % of the words edited one by one
    assert candidate(0.1) < 0.01  # unrelated texts sharing a few phrases


def test_band_keys_salts_keep_rows_apart():
    sig = signatures(["the same text here for both rows"] * 2, num_perm=16)
    assert (band_keys(sig, 4, 4)[0] == band_keys(sig, 4, 4)[1]).all()
    salted = band_keys(sig, 4, 4, salts=np.array([1, 2], dtype=np.uint64))
    assert not (salted[0] == salted[1]).any()


def test_lsh_keys_do_not_depend_on_batch_size():
    rng = random.Random(3)
    texts = [random_text(rng, rng.randint(1, 80)) for _ in range(40)] + [""]
    params = {"bands": 8, "rows": 4, "num_perm": 32, "ngram": 5, "seed": 0}
    small, has_small = lsh_keys(texts, batch_chars=300, **params)
    large, has_large = lsh_keys(texts, **params)
    assert (small == large).all() and (has_small == has_large).all() and has_small.tolist()[-1] is False


def test_buckets_report_each_pair_and_group_once():
    keys = np.array([[1, 5], [1, 5], [2, 6], [3, 6], [3, 6], [3, 7], [9, 9]], dtype=np.uint64)
    valid = np.array([True, True, True, True, True, True, False])
    pairs, groups = buckets(keys, valid)
    assert pairs.tolist() == [[0, 1]]  # in both bands, reported once
    assert [g.tolist() for g in groups] == [[2, 3, 4], [3, 4, 5]]


def test_buckets_of_nothing():
    pairs, groups = buckets(np.zeros((0, 3), dtype=np.uint64), np.zeros(0, dtype=bool))
    assert pairs.shape == (0, 2) and groups == []
