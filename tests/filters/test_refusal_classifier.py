"""The classifier method: a tiny DistilBERT saved locally with random weights and a head set by hand, so the
refusal probability is known for every input (plumbing, batching, threshold, label mapping); nothing downloads."""

from __future__ import annotations

import math

import pytest

from hermes_data.errors import HermesError
from hermes_data.filters.refusal_classifier import ClassifierSpec, RefusalClassifier

REPLIES = ["I'm sorry, but I can't help with that.", "Paris is the capital of France.", "Sure!", "No.", "x" * 3000]
LOGIT_OK, LOGIT_REFUSAL = 0.0, 2.0  # the head's bias; its weights are zero, so every input gets these logits
P_REFUSAL = 1 / (1 + math.exp(LOGIT_OK - LOGIT_REFUSAL))  # 0.881


@pytest.fixture(scope="module")
def tiny_classifier(tmp_path_factory):
    import torch
    from transformers import DistilBertConfig, DistilBertForSequenceClassification

    from hermes_data.tokenizer import load_tokenizer

    folder = tmp_path_factory.mktemp("tiny-refusal-classifier")
    tokenizer = load_tokenizer("llama3")
    torch.manual_seed(0)
    config = DistilBertConfig(vocab_size=len(tokenizer), dim=16, hidden_dim=32, n_layers=1, n_heads=2,
                              max_position_embeddings=512, id2label={0: "OK", 1: "REFUSAL"},
                              label2id={"OK": 0, "REFUSAL": 1}, pad_token_id=0)  # fmt: skip
    model = DistilBertForSequenceClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor([LOGIT_OK, LOGIT_REFUSAL]))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_probabilities_follow_the_head_and_the_label_mapping(tiny_classifier):
    refusal = RefusalClassifier(ClassifierSpec(model=str(tiny_classifier), label="refusal"))
    assert refusal.probabilities(REPLIES) == pytest.approx([P_REFUSAL] * len(REPLIES), abs=1e-5)
    assert refusal.predict(REPLIES) == [True] * len(REPLIES)
    ok_label = RefusalClassifier(ClassifierSpec(model=str(tiny_classifier), label="0"))
    assert ok_label.probabilities(REPLIES[:2]) == pytest.approx([1 - P_REFUSAL] * 2, abs=1e-5)
    assert ok_label.predict(REPLIES[:2]) == [False, False]


def test_threshold_decides(tiny_classifier):
    strict = RefusalClassifier(ClassifierSpec(model=str(tiny_classifier), label="REFUSAL", threshold=0.9))
    assert strict.predict(REPLIES) == [False] * len(REPLIES)


@pytest.mark.parametrize("batch_size", [1, 2, 64])
def test_batches_of_any_size_give_one_answer_per_reply(tiny_classifier, batch_size):
    spec = ClassifierSpec(model=str(tiny_classifier), label="REFUSAL", batch_size=batch_size, with_prompt=True)
    got = RefusalClassifier(spec).probabilities(REPLIES, ["Say hi.", None, "Help me.", "Q?", "Long one."])
    assert len(got) == len(REPLIES)
    assert got == pytest.approx([P_REFUSAL] * len(REPLIES), abs=1e-5)


def test_an_unknown_label_is_a_user_error_naming_the_labels(tiny_classifier):
    with pytest.raises(HermesError, match=r"'rejection' is not a label of .*0=OK, 1=REFUSAL"):
        RefusalClassifier(ClassifierSpec(model=str(tiny_classifier), label="rejection"))


def _table(replies):
    import pyarrow as pa

    return pa.table(
        {
            "messages": [
                [{"role": "user", "content": "Say something."}, {"role": "assistant", "content": r}] for r in replies
            ]
        }
    )


def test_build_stage_methods_combine_rules_and_classifier(tiny_classifier):
    import numpy as np

    from hermes_data.build.recipe import FiltersSpec
    from hermes_data.filters.refusals import refusals_stage as _refusals

    replies = ["I'm sorry, but I can't help with that.", "Paris is the capital of France.", "Sure, here it is: 4."]
    table = _table(replies)
    rules_only = _refusals(table)
    every = FiltersSpec(
        refusals={"method": "classifier", "classifier": {"model": str(tiny_classifier), "label": "REFUSAL"}}
    )
    combined = FiltersSpec(
        refusals={
            "method": "rules+classifier",
            "classifier": {"model": str(tiny_classifier), "label": "REFUSAL", "threshold": 0.95, "batch_size": 2},
        }
    )
    assert np.array_equal(~rules_only.keep, [True, False, False])
    assert np.array_equal(~_refusals(table, every.refusals).keep, [True, True, True])  # p=0.88 for every reply
    assert np.array_equal(~_refusals(table, combined.refusals).keep, [True, False, False])  # the model drops none


def test_settings_are_validated_and_the_cache_key_covers_the_detector(tiny_classifier, tmp_path):
    import pydantic

    from hermes_data.build import cache
    from hermes_data.build.recipe import FiltersSpec
    from hermes_data.filters.refusal_config import detector_fingerprint

    assert FiltersSpec(refusals=True).refusals is True and FiltersSpec(refusals=False).refusals is False
    with pytest.raises(pydantic.ValidationError, match="needs a classifier"):
        FiltersSpec(refusals={"method": "classifier"})
    with pytest.raises(pydantic.ValidationError):
        FiltersSpec(refusals={"method": "rules", "thresold": 0.5})

    def hub_settings(refusals):
        return FiltersSpec(refusals=refusals).refusals

    def key(refusals):
        return cache.curated_key({"filters": FiltersSpec(refusals=refusals).model_dump(mode="json")}, ["abc"])

    hub = {"method": "classifier", "classifier": {"model": "NousResearch/Minos-v1", "revision": "a" * 40}}
    other_revision = {"method": "classifier", "classifier": {"model": "NousResearch/Minos-v1", "revision": "b" * 40}}
    assert len({key(True), key(hub), key(other_revision)}) == 3
    local = FiltersSpec(refusals={"method": "classifier", "classifier": {"model": str(tiny_classifier)}}).refusals
    assert detector_fingerprint(local) is not None and detector_fingerprint(hub_settings(hub)) is None
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in tiny_classifier.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    moved = FiltersSpec(refusals={"method": "classifier", "classifier": {"model": str(copy)}}).refusals
    assert detector_fingerprint(moved) == detector_fingerprint(local)
    (copy / "config.json").write_text((copy / "config.json").read_text().replace('"OK"', '"FINE"'))
    assert detector_fingerprint(moved) != detector_fingerprint(local)
