"""Hand-over to TRL and axolotl: the shipped ChatML template marks exactly the tokens `hermes-train` learns.

`apply_chat_template(..., return_assistant_tokens_mask=True)` reads the template's `{% generation %}` spans; TRL's
`assistant_only_loss` and axolotl's `chat_template` datasets train on that mask, so it must equal our labels.
"""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

from datasets import Dataset  # noqa: E402
from transformers import AutoModelForCausalLM, LlamaConfig  # noqa: E402

from hermes_data.markup.tool_calling import render_tool_call, render_tool_response, render_tools_system_prompt  # noqa: E402
from hermes_data.tokenizer import load_tokenizer  # noqa: E402
from hermes_train.tokenize import IGNORE_INDEX, tokenize_record  # noqa: E402

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}

CHATS = [
    [{"role": "user", "content": "Name a prime number."}, {"role": "assistant", "content": "Seven is prime."}],
    [  # system prompt, several turns, an answer starting with a newline (BPE merges it with the scaffold's \n)
        {"role": "system", "content": "You answer in one word."},
        {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "\nParis."},
        {"role": "user", "content": "And of Italy?"},
        {"role": "assistant", "content": "<THINKING>\nItaly's capital.\n</THINKING>\nRome."},
    ],
    [  # tools: the call is learned, the tool response is masked, the final answer learned
        {"role": "system", "content": render_tools_system_prompt([WEATHER])},
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": "Let me check.\n" + render_tool_call("get_weather", {"city": "Paris"})},
        {"role": "tool", "content": render_tool_response("get_weather", {"temp": 21, "sky": "clear"})},
        {"role": "assistant", "content": "It is 21 °C and clear in Paris."},
        {"role": "user", "content": "Thanks!"},
        {"role": "assistant", "content": ""},
    ],
]


@pytest.fixture(scope="module")
def tok():
    return load_tokenizer()


@pytest.mark.parametrize("chat", CHATS, ids=["one_turn", "system_multi_turn", "tools"])
def test_assistant_tokens_mask_equals_our_labels(tok, chat):
    ours = tokenize_record({"id": "x", "messages": chat}, tok, 4096)
    theirs = tok.apply_chat_template(chat, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    assert theirs["input_ids"] == ours["input_ids"]
    learned = [int(label != IGNORE_INDEX) for label in ours["labels"]]
    assert theirs["assistant_masks"] == learned
    assert 0 < sum(learned) < len(learned)
    if any(m["role"] == "tool" for m in chat):  # the tool response's tokens are all masked
        start = tok.decode(ours["input_ids"]).index("<tool_response>")
        assert start > 0 and not all(learned)


def test_markers_render_nothing(tok):
    for chat in CHATS:
        assert "generation" not in tok.apply_chat_template(chat, tokenize=False)


def test_trl_sft_trainer_accepts_the_template_with_assistant_only_loss(tok, tmp_path):
    from trl import SFTConfig, SFTTrainer

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=1,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=tok.pad_token_id,
        tie_word_embeddings=True,
    )
    model = AutoModelForCausalLM.from_config(config)
    dataset = Dataset.from_list([{"messages": chat} for chat in CHATS])
    args = SFTConfig(
        output_dir=str(tmp_path),
        assistant_only_loss=True,
        max_steps=1,
        per_device_train_batch_size=3,
        learning_rate=1e-2,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        dataloader_num_workers=0,
    )
    trainer = SFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tok)
    prepared = trainer.train_dataset
    for row, chat in zip(prepared, CHATS, strict=True):
        ours = tokenize_record({"id": "x", "messages": chat}, tok, 4096)
        assert row["input_ids"] == ours["input_ids"]
        assert row["labels"] == ours["labels"]  # TRL folds the template's assistant mask into labels
    trainer.train()
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    assert losses and all(loss == loss and loss > 0 for loss in losses)
    json.dumps(trainer.state.log_history)  # what a user logs is plain data
