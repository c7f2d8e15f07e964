"""Tiny random Llama checkpoints (with the real Llama 3.1 + ChatML tokenizer) for the eval tests, built once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TINY_SUITE = ROOT / "recipes" / "eval-tiny.yaml"
sys.path.insert(0, str(HERE))  # judge_server is a helper module of these tests, not a package


def save_tiny_model(folder: Path, seed: int) -> Path:
    """A 1-layer, 16-wide Llama with the full 128,256-row vocabulary (the tokenizer's), saved as an export is."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from hermes_data.tokenizer import load_tokenizer

    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=128256, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=512,
                         bos_token_id=128000, eos_token_id=128041, tie_word_embeddings=True)  # fmt: skip
    LlamaForCausalLM(config).save_pretrained(folder)
    load_tokenizer("llama3").save_pretrained(folder)
    return folder


def save_tiny_adapter(base: Path, folder: Path) -> Path:
    """A LoRA adapter on `base` with non-zero B matrices, so the merged model differs from its base."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(3)
    config = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(base), config)
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_checkpoints(tmp_path_factory) -> dict[str, Path]:
    pytest.importorskip("torch")
    root = tmp_path_factory.mktemp("checkpoints")
    first = save_tiny_model(root / "epoch-1", seed=1)
    return {
        "epoch-1": first,
        "epoch-2": save_tiny_model(root / "epoch-2", seed=2),
        "dpo-adapter": save_tiny_adapter(first, root / "dpo-adapter"),
    }
