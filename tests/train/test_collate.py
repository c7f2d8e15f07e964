"""Packed rows keep samples apart: a tiny Llama gives each sample the same logits packed as alone (SDPA, no mask)."""

from __future__ import annotations

import pytest

# The training half needs the `train` extra; a data-only install skips this file instead of failing to collect it.
torch = pytest.importorskip("torch")

from transformers import AutoModelForCausalLM, LlamaConfig  # noqa: E402

from hermes_data.tokenizer import load_tokenizer  # noqa: E402
from hermes_train.collate import PackedCollator, PackedRows  # noqa: E402
from hermes_train.packing import pack  # noqa: E402
from hermes_train.tokenize import IGNORE_INDEX, check_model_tokenizer, tokenize_record  # noqa: E402

PAD = 128004

CHATS = [
    [{"role": "user", "content": "Name a prime number."}, {"role": "assistant", "content": "Seven is prime."}],
    [
        {"role": "system", "content": "You answer in one word."},
        {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "Paris."},
        {"role": "user", "content": "And of Italy?"},
        {"role": "assistant", "content": "Rome."},
    ],
    [{"role": "user", "content": "Say hi."}, {"role": "assistant", "content": "Hi there, how can I help you today?"}],
]


@pytest.fixture(scope="module")
def samples() -> list[dict]:
    tok = load_tokenizer()
    return [tokenize_record({"id": str(i), "messages": chat}, tok, 256) for i, chat in enumerate(CHATS)]


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    # The real 128,256-token vocabulary (ids from the Llama 3.1 tokenizer) on a tiny body: fast on CPU.
    config = LlamaConfig(
        vocab_size=128256,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        bos_token_id=128000,
        tie_word_embeddings=True,
    )
    model = AutoModelForCausalLM.from_config(config, attn_implementation="sdpa")
    assert model.config._attn_implementation == "sdpa"
    return model.eval()


def logits(model, **batch) -> torch.Tensor:
    with torch.no_grad():
        return model(**batch, use_cache=False).logits


def alone(model, sample) -> torch.Tensor:
    return logits(model, input_ids=torch.tensor([sample["input_ids"]]))[0]


def test_collator_layout(samples):
    batch = PackedCollator(PAD)([[samples[0], samples[1]], [samples[2]]])
    n0, n1, n2 = (len(s["input_ids"]) for s in samples)
    assert set(batch) == {"input_ids", "labels", "position_ids"}  # no attention mask
    assert batch["input_ids"].shape == (2, n0 + n1)
    assert batch["position_ids"][0].tolist() == list(range(n0)) + list(range(n1))
    pad = n0 + n1 - n2
    assert batch["position_ids"][1].tolist() == list(range(n2)) + list(range(pad))  # padding is its own block
    assert batch["input_ids"][1, n2:].tolist() == [PAD] * pad
    assert batch["labels"][1, n2:].tolist() == [IGNORE_INDEX] * pad
    flat = PackedCollator(PAD, flatten=True)([[samples[0]], [samples[1], samples[2]]])
    assert flat["input_ids"].shape == (1, n0 + n1 + n2)
    with pytest.raises(ValueError, match="pad_to"):
        PackedCollator(PAD, pad_to=n0)([[samples[0], samples[1]]])


def test_packed_logits_equal_each_sample_alone(model, samples):
    check_model_tokenizer(model, load_tokenizer())
    n = [len(s["input_ids"]) for s in samples]
    batch = PackedCollator(PAD, pad_to=sum(n) + 5)([samples])
    packed = logits(model, input_ids=batch["input_ids"], position_ids=batch["position_ids"])[0]
    starts = [0, n[0], n[0] + n[1]]
    for sample, start, length in zip(samples, starts, n, strict=True):
        torch.testing.assert_close(packed[start : start + length], alone(model, sample), atol=1e-5, rtol=1e-4)
    # Near miss: with plain 0..L-1 positions the same row is one long causal sequence, and the later samples see the
    # earlier ones. If this ever passed, the test above would prove nothing.
    plain = logits(model, input_ids=batch["input_ids"], position_ids=torch.arange(sum(n) + 5)[None])[0]
    assert not torch.allclose(plain[n[0] : n[0] + n[1]], alone(model, samples[1]), atol=1e-3)


def test_rows_of_a_batch_and_flattened_bins_match_too(model, samples):
    bins = [[samples[0], samples[2]], [samples[1]]]
    batch = PackedCollator(PAD)(bins)
    out = logits(model, input_ids=batch["input_ids"], position_ids=batch["position_ids"])
    n1 = len(samples[1]["input_ids"])
    torch.testing.assert_close(out[1, :n1], alone(model, samples[1]), atol=1e-5, rtol=1e-4)
    flat = PackedCollator(PAD, flatten=True)(bins)
    out = logits(model, input_ids=flat["input_ids"], position_ids=flat["position_ids"])[0]
    start = len(samples[0]["input_ids"]) + len(samples[2]["input_ids"])
    torch.testing.assert_close(out[start : start + n1], alone(model, samples[1]), atol=1e-5, rtol=1e-4)


def test_packed_loss_is_the_token_weighted_loss_of_the_samples(model, samples):
    # Every sample starts with BOS (label -100), so the shifted loss never asks a sample to predict the next one.
    batch = PackedCollator(PAD)([samples])
    with torch.no_grad():
        packed = model(**batch, use_cache=False).loss
        total, count = 0.0, 0
        for sample in samples:
            labels = torch.tensor([sample["labels"]])
            num = int((labels[:, 1:] != IGNORE_INDEX).sum())
            total += model(input_ids=torch.tensor([sample["input_ids"]]), labels=labels, use_cache=False).loss * num
            count += num
    torch.testing.assert_close(packed, total / count, atol=1e-5, rtol=1e-5)


def test_packed_rows_dataset_feeds_a_dataloader(samples):
    bins = pack([len(s["input_ids"]) for s in samples], 64)
    rows = PackedRows(samples, bins)
    loader = torch.utils.data.DataLoader(rows, batch_size=2, collate_fn=PackedCollator(PAD))
    bos_seen = sum(int((batch["input_ids"] == 128000).sum()) for batch in loader)  # one BOS per sample
    assert len(rows) == len(bins) and bos_seen == len(samples)
