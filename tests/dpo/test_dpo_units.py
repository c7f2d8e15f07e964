"""DPO building blocks in one process: the loss against a hand computation, sequence log-probs against the model's own
logits, NEFTune's three properties, the reference (adapter disabled) against a fresh base model, pair tokenization and
the recipe's paper defaults."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

from hermes_data.errors import RecipeError  # noqa: E402
from hermes_train.dpo.config import LLAMA_LINEAR_MODULES, LoRASpec, load_dpo_recipe  # noqa: E402
from hermes_train.dpo.loss import dpo_loss, sequence_logps  # noqa: E402
from hermes_train.dpo.neftune import NEFTune  # noqa: E402
from hermes_train.tokenize import IGNORE_INDEX  # noqa: E402

CONFIG = {"vocab_size": 300, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
          "num_attention_heads": 4, "num_key_value_heads": 2, "tie_word_embeddings": False}  # fmt: skip


def base_model(seed: int = 0):
    from transformers import AutoModelForCausalLM, LlamaConfig

    torch.manual_seed(seed)
    return AutoModelForCausalLM.from_config(LlamaConfig(**CONFIG), attn_implementation="sdpa")


def policy(neftune_alpha: float | None = 5.0, seed: int = 0):
    """An unsharded PolicyWithReference whose adapter is non-zero (so policy and reference differ)."""
    from peft import get_peft_model

    from hermes_train.dpo.model import PolicyWithReference, lora_config

    peft_model = get_peft_model(base_model(seed), lora_config(LoRASpec()))
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.05, generator=torch.Generator().manual_seed(1))
    return PolicyWithReference(peft_model, chunk_size=7, neftune_alpha=neftune_alpha)


def batch():
    """2 pairs: rows of 9, 6 (chosen) and 9, 4 (rejected) real tokens, right-padded to 9; the first 3 are prompt."""
    g = torch.Generator().manual_seed(3)
    lengths = torch.tensor([9, 6, 9, 4])
    input_ids = torch.randint(1, 300, (4, 9), generator=g)
    labels = input_ids.clone()
    labels[:, :3] = IGNORE_INDEX
    for row, length in enumerate(lengths.tolist()):
        input_ids[row, length:] = 0
        labels[row, length:] = IGNORE_INDEX
    return {"input_ids": input_ids, "labels": labels, "lengths": lengths}


# --- loss ---


def test_dpo_loss_matches_a_hand_computation():
    pc, pr = torch.tensor([-10.0, -5.0]), torch.tensor([-12.0, -4.0])
    rc, rr = torch.tensor([-11.0, -5.0]), torch.tensor([-11.0, -5.0])
    losses, chosen, rejected = dpo_loss(pc, pr, rc, rr, beta=0.1)
    # pair 0: rewards 0.1 * (+1) and 0.1 * (-1), margin 0.2; pair 1: rewards 0 and 0.1, margin -0.1
    assert chosen.tolist() == pytest.approx([0.1, 0.0]) and rejected.tolist() == pytest.approx([-0.1, 0.1])
    assert losses.tolist() == pytest.approx([math.log1p(math.exp(-0.2)), math.log1p(math.exp(0.1))], rel=1e-6)
    smoothed, _, _ = dpo_loss(pc, pr, rc, rr, beta=0.1, label_smoothing=0.2)
    expected = 0.8 * math.log1p(math.exp(-0.2)) + 0.2 * math.log1p(math.exp(0.2))
    assert float(smoothed[0]) == pytest.approx(expected, rel=1e-6)


def test_sequence_logps_sum_the_labelled_tokens_of_each_row():
    model, data = base_model(), batch()
    with torch.no_grad():
        hidden = model.model(input_ids=data["input_ids"]).last_hidden_state
        got = sequence_logps(hidden, data["labels"], model.lm_head, chunk_size=5)  # chunks cross rows
        logits = model(input_ids=data["input_ids"]).logits.float()
    expected = []
    for row in range(4):
        total = 0.0
        for t in range(8):
            target = int(data["labels"][row, t + 1])
            if target != IGNORE_INDEX:
                total += float(torch.log_softmax(logits[row, t], -1)[target])
        expected.append(total)
    assert got.tolist() == pytest.approx(expected, rel=1e-5)


# --- NEFTune ---


def test_neftune_noise_is_scaled_by_each_samples_own_length_and_spares_padding():
    embedding = torch.nn.Embedding(10, 16)
    neftune = NEFTune(embedding, alpha=5.0)
    embeds = torch.zeros(2, 400, 16)
    noise = neftune.noise(embeds, torch.tensor([100, 400]))
    for row, length in enumerate([100, 400]):
        bound = 5.0 / math.sqrt(length * 16)
        real = noise[row, :length].abs()
        assert float(real.max()) <= bound and float(real.max()) > 0.99 * bound  # uniform(-1, 1) reaches its bound
        assert float(real.mean()) == pytest.approx(bound / 2, rel=0.05)
    assert not noise[0, 100:].any()  # padding of the short row: no noise (TRL would scale both rows by 400)


def test_neftune_perturbs_only_policy_training_forwards():
    embedding = torch.nn.Embedding(10, 16)
    neftune = NEFTune(embedding, alpha=5.0)
    ids, lengths = torch.tensor([[1, 2, 3]]), torch.tensor([3])
    clean = embedding.weight[ids]
    assert torch.equal(embedding(ids), clean)  # outside policy_forward: the reference forward
    with neftune.policy_forward(lengths):
        assert not torch.equal(embedding(ids), clean)
        embedding.eval()
        assert torch.equal(embedding(ids), clean)  # eval mode: never
    embedding.train()
    assert torch.equal(embedding(ids), clean)


def test_reference_logps_are_bit_identical_with_neftune_on_and_off():
    data = batch()
    with_noise, without = policy(neftune_alpha=5.0), policy(neftune_alpha=None)
    with_noise.train()
    without.train()
    assert torch.equal(with_noise(**data, reference=True), without(**data, reference=True))
    # ... while the same module's policy forward in training mode does carry the noise
    with torch.no_grad():
        assert not torch.equal(with_noise(**data), without(**data))
        with_noise.eval()
        without.eval()
        assert torch.equal(with_noise(**data), without(**data))


def test_reference_is_the_base_model_with_the_adapter_disabled():
    data, model = batch(), policy(neftune_alpha=None)
    fresh = base_model()  # same seed: the weights the adapter was put on
    with torch.no_grad():
        hidden = fresh.model(input_ids=data["input_ids"]).last_hidden_state
        expected = sequence_logps(hidden, data["labels"], fresh.lm_head, chunk_size=7)
        reference = model(**data, reference=True)
        assert not torch.equal(model.eval()(**data), expected)  # the adapter matters...
    assert torch.equal(reference, expected)  # ...and is fully off in the reference pass
    assert sum(1 for p in model.parameters()) == sum(1 for p in fresh.parameters()) + 2 * 7 * 2  # one copy + A, B


# --- data and recipe ---


def test_tokenize_pair_learns_only_the_final_replies():
    from hermes_data.tokenizer import load_tokenizer
    from hermes_train.dpo.data import PairCollator, tokenize_pair

    tok = load_tokenizer("llama3")
    prompt = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
              {"role": "user", "content": "Name a colour."}]  # fmt: skip
    pair = {"id": "p1", "prompt": prompt, "chosen": [{"role": "assistant", "content": "green"}],
            "rejected": [{"role": "assistant", "content": "GREEN, obviously"}]}  # fmt: skip
    row = tokenize_pair(pair, tok, 256)
    assert row["outcome"] == "kept"
    learned = [t for t in row["chosen_labels"] if t != IGNORE_INDEX]
    assert tok.decode(learned) == "green<|im_end|>"  # not the prompt's "Hello!" (SFT would learn it)
    assert tok.decode([t for t in row["rejected_labels"] if t != IGNORE_INDEX]) == "GREEN, obviously<|im_end|>"

    same = {**pair, "rejected": pair["chosen"]}
    assert tokenize_pair(same, tok, 256)["outcome"] == "identical_replies"
    assert tokenize_pair({**pair, "rejected": []}, tok, 256)["outcome"] == "rejected_empty"
    assert tokenize_pair(pair, tok, 20)["outcome"] == "chosen_too_long"

    out = PairCollator(tok.pad_token_id)([row])
    assert out["input_ids"].shape[0] == 2 and out["lengths"].tolist() == [
        len(row["chosen_input_ids"]),
        len(row["rejected_input_ids"]),
    ]
    assert (out["labels"][0, len(row["chosen_input_ids"]) :] == IGNORE_INDEX).all()


def test_recipe_defaults_are_the_papers_and_typos_are_errors(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("name: x\nmodel: {name: some/model}\ndataset: d\noutput: o\n")
    recipe = load_dpo_recipe(path)
    assert (recipe.lora.r, recipe.lora.alpha, recipe.lora.dropout) == (32, 16, 0.05)
    assert tuple(recipe.lora.target_modules) == LLAMA_LINEAR_MODULES
    assert (recipe.dpo.beta, recipe.neftune_alpha) == (0.1, 5.0)
    opt = recipe.optimizer
    assert (opt.lr, opt.warmup_steps, opt.decay) == (3e-6, 9, "linear")
    with pytest.raises(RecipeError, match="lora"):
        load_dpo_recipe(path, {"lora.rank": 8})
