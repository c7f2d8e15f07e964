"""`--dry-run` memory estimate: exact parameter counts on the meta device, sharding, offload and checkpointing."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from transformers import LlamaConfig  # noqa: E402

from hermes_train.memory import GIB, estimate_memory, model_size  # noqa: E402

# Llama 3.1 8B's shape (its config.json); the count is the published parameter total. (70B, 70_553_706_496, takes
# seconds more to build on the meta device and checks nothing new.)
LLAMA31 = {
    "8b": (
        {"hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32},
        8_030_261_248,
    ),
}


def config(name: str) -> LlamaConfig:
    shape, _ = LLAMA31[name]
    return LlamaConfig(vocab_size=128256, num_key_value_heads=8, tie_word_embeddings=False, **shape)


@pytest.mark.parametrize("name", sorted(LLAMA31))
def test_parameter_counts_match_llama_31(name):
    size = model_size(config(name))
    assert size.num_params == LLAMA31[name][1]
    assert size.num_root_params == 2 * 128256 * config(name).hidden_size + config(name).hidden_size


@pytest.fixture(scope="module")
def size():
    return model_size(config("8b"))


def test_states_shard_over_the_world_and_offload_moves_them_to_the_host(size):
    cfg = config("8b")
    on_8 = estimate_memory(cfg, world_size=8, micro_batch_tokens=8192, size=size)
    on_16 = estimate_memory(cfg, world_size=16, micro_batch_tokens=8192, size=size)
    states = on_8.parameters + on_8.gradients + on_8.optimizer
    assert states == pytest.approx(16 * 8_030_261_248 / 8 / GIB)  # 16 bytes per parameter, sharded
    assert on_16.optimizer == pytest.approx(on_8.optimizer / 2)
    assert on_8.gathered == on_16.gathered  # the gathered layers do not shrink with more ranks
    offload = estimate_memory(cfg, world_size=8, micro_batch_tokens=8192, cpu_offload=True, size=size)
    assert offload.host_total == pytest.approx(states)
    assert offload.device_total == pytest.approx(on_8.device_total - states)


def test_activation_checkpointing_and_tokens(size):
    cfg = config("8b")
    kept = estimate_memory(cfg, world_size=8, micro_batch_tokens=8192, size=size)
    full = estimate_memory(cfg, world_size=8, micro_batch_tokens=8192, activation_checkpointing=False, size=size)
    assert full.activations > 5 * kept.activations
    double = estimate_memory(cfg, world_size=8, micro_batch_tokens=16384, size=size)
    assert double.activations == pytest.approx(2 * kept.activations)
    assert 0 < kept.device_total < 80  # an 8B SFT step at 8192 tokens fits an 80 GB GPU on 8 ranks
    assert set(kept.as_dict()) >= {"parameters", "gradients", "optimizer", "activations", "device_total"}
