"""The built-in Llama 3.1 tokenizer, ChatML rendering and the token accounting shared by stats and training labels."""

from __future__ import annotations

import random

import pytest

from hermes_data.errors import DataError
from hermes_data.tokenizer import CHAT_TEMPLATE, count_tokens, encode_chatml, load_tokenizer, render_chatml
from hermes_data.tokenizer import llama3 as builtin


@pytest.fixture(scope="module")
def tok():
    # The user's cache (warm after the first run); only test_cache_* use a temporary HERMES_CACHE.
    return load_tokenizer()


def chat(*turns: str) -> list[dict]:
    roles = ["system", "user", "assistant", "user", "assistant", "tool", "assistant"]
    return [{"role": role, "content": text} for role, text in zip(roles, turns, strict=False)]


def plain_ids(tok, text: str) -> list[int]:
    return tok(text, add_special_tokens=False).input_ids


def template_ids(tok, messages: list[dict]) -> list[int]:
    return list(tok.apply_chat_template(messages, tokenize=True, return_dict=False))


# ---------------------------------------------------------------- the vocabulary


def test_hello_world_and_bos(tok):
    assert plain_ids(tok, "Hello world") == [9906, 1917]
    assert tok("Hello world").input_ids == [128000, 9906, 1917]  # as Meta's tokenizer.json: BOS on plain calls


def test_vocabulary_size_and_special_ids(tok):
    assert len(tok) == 128256 and tok.vocab_size == 128000
    ids = {name: tok.convert_tokens_to_ids(name) for name in tok.get_added_vocab()}
    assert tok.bos_token_id == 128000 and tok.eos_token == "<|im_end|>" and tok.pad_token_id == 128004
    assert ids["<|end_of_text|>"] == 128001 and ids["<|eot_id|>"] == 128009 and ids["<|python_tag|>"] == 128010
    assert ids["<|reserved_special_token_2|>"] == 128005 and ids["<|reserved_special_token_247|>"] == 128255
    assert ids["<|im_start|>"] == 128040 and ids["<|im_end|>"] == 128041
    # ChatML replaces the two reserved names of those slots; the vocabulary does not grow.
    assert "<|reserved_special_token_32|>" not in ids and ids["<|reserved_special_token_34|>"] == 128042
    assert sorted(ids.values()) == list(range(128000, 128256))


def test_named_special_ids_agree_with_llama_models(tok):
    from llama_models.llama3.tokenizer import Tokenizer

    reference = Tokenizer.get_instance().special_tokens
    # llama-models lists Llama 3.2 names: <|step_id|> and <|image|> sit on 3.1's reserved 2 and 3; ids still match.
    shared = {name: i for name, i in reference.items() if "reserved" not in name and name in tok.get_added_vocab()}
    assert len(shared) == 8 and {name: tok.convert_tokens_to_ids(name) for name in shared} == shared
    ours = tok.convert_ids_to_tokens([reference["<|step_id|>"], reference["<|image|>"]])
    assert ours == ["<|reserved_special_token_2|>", "<|reserved_special_token_3|>"]


@pytest.mark.parametrize(
    "text",
    [
        "Hello world",
        "  leading spaces\n\n\ttabs and\r\nCRLF  ",
        "I'm sure they'll say it's 12345678 o'clock, DON'T!",
        "def f(x):\n    return x**2  # comment\n",
        "Ünïcödé — 漢字テキスト 🤖🚀 ça va? مرحبا",
        '{"name": "get_weather", "arguments": {"city": "Paris"}}',
    ],
)
def test_bpe_matches_the_tiktoken_reference(tok, text):
    from llama_models.llama3.tokenizer import Tokenizer

    reference = Tokenizer.get_instance().encode(text, bos=False, eos=False)
    assert plain_ids(tok, text) == reference


# ---------------------------------------------------------------- ChatML rendering


def test_chat_template_renders_the_hermes_3_string(tok):
    messages = chat("You are Hermes.", "Hi", "Hello!")
    expected = (
        "<|begin_of_text|><|im_start|>system\nYou are Hermes.<|im_end|>\n"
        "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"
    )
    assert tok.chat_template == CHAT_TEMPLATE
    assert tok.apply_chat_template(messages, tokenize=False) == expected == render_chatml(messages)
    prompt = tok.apply_chat_template(messages[:2], tokenize=False, add_generation_prompt=True)
    assert prompt.endswith("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")


TRICKY = [
    chat("sys", "Hi", "Hello!"),
    chat("", "", ""),  # empty contents
    chat("sys", "q", "\nleading newline"),  # merges with the `\n` after `assistant`
    chat("sys", "q", "\n\n  indented\n", "again", "trailing spaces   "),
    chat("sys", "q", " leading space", "more", "\t\ttabs"),
    chat("sys", "Ünïcödé 🤖 漢字", "réponse — 🚀"),
    chat("sys", "fake <|im_start|>assistant\nturn<|im_end|> inside", "and <|eot_id|> here"),
    [{"role": "user", "content": "no system"}, {"role": "assistant", "content": "ok"}],
    [{"role": "user", "content": "no assistant at all"}],
    chat("sys", "q", "<tool_call>\n{}\n</tool_call>", "", "", '<tool_response>\n{"x": 1}\n</tool_response>', "done"),
]


@pytest.mark.parametrize("messages", TRICKY)
def test_encode_chatml_equals_plain_encoding_and_chat_template(tok, messages):
    ids, mask = encode_chatml(messages, tok)
    assert ids == plain_ids(tok, render_chatml(messages)) == template_ids(tok, messages)
    assert ids[0] == 128000 and ids.count(128000) == 1 and len(mask) == len(ids)


@pytest.mark.parametrize("messages", TRICKY)
def test_count_tokens_equals_the_mask(tok, messages):
    _, mask = encode_chatml(messages, tok)
    assert count_tokens([messages], tok) == [(mask.count(False), mask.count(True))]


def test_loss_mask_decodes_to_assistant_contents_and_their_im_end(tok):
    messages = chat("You are Hermes.", "What is 2+2?", "4", "And 3+3?", "It is 6.\n\nAnything else?")
    ids, mask = encode_chatml(messages, tok)
    learned = tok.decode([i for i, m in zip(ids, mask, strict=True) if m])
    assert learned == "4<|im_end|>It is 6.\n\nAnything else?<|im_end|>"
    # The `\n` after each <|im_end|> and all scaffolding stay input.
    assert [ids[i] for i, m in enumerate(mask) if m].count(128041) == 2 and not mask[-1]


def test_boundary_token_overlapping_content_counts_as_output(tok):
    # "assistant\n" + "\nHi": the pre-tokenizer makes one "\n\n" token straddling scaffold and content.
    ids, mask = encode_chatml(chat("s", "q", "\nHi"), tok)
    learned = [i for i, m in zip(ids, mask, strict=True) if m]
    assert learned == [271, 13347, 128041] and tok.decode(learned[:1]) == "\n\n"
    # A leading space does not merge: the scaffold's "\n" (198) stays input.
    ids, mask = encode_chatml(chat("s", "q", " Hi"), tok)
    assert [i for i, m in zip(ids, mask, strict=True) if m] == [21694, 128041] and 198 in ids[-6:-3]


def test_empty_assistant_content_learns_only_im_end(tok):
    ids, mask = encode_chatml(chat("s", "q", ""), tok)
    assert [i for i, m in zip(ids, mask, strict=True) if m] == [128041]
    assert count_tokens([chat("s", "q")], tok) == [(len(encode_chatml(chat("s", "q"), tok)[0]), 0)]


def test_special_token_strings_inside_content_are_single_tokens(tok):
    # Hugging Face tokenizers split added tokens anywhere in the text; the rendering is the truth, so counts follow.
    ids, mask = encode_chatml(chat("s", "say <|im_end|>", "a <|eot_id|> b"), tok)
    assert ids.count(128041) == 4 and 128009 in ids  # three turns + one in the user text
    learned = [i for i, m in zip(ids, mask, strict=True) if m]
    assert learned == plain_ids(tok, "a <|eot_id|> b") + [128041]


def _random_conversation(rng: random.Random) -> list[dict]:
    pieces = ["\n", "\n\n", " ", "  ", "\t", "word", "Word", "'s", "123456", "🤖", "é", "<|im_end|>", "<PLAN>", "{}"]
    roles = ["system", "user", "assistant", "tool", "assistant", "user", "assistant"]
    return [
        {"role": role, "content": "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))}
        for role in roles[: rng.randint(1, len(roles))]
    ]


def test_random_conversations_mask_exactly_the_tokens_overlapping_assistant_content(tok):
    rng = random.Random(0)
    conversations = [_random_conversation(rng) for _ in range(300)]
    counts = count_tokens(conversations, tok, batch_size=7)
    for messages, (num_input, num_output) in zip(conversations, counts, strict=True):
        text = render_chatml(messages)
        encoding = tok.backend_tokenizer.encode(text, add_special_tokens=False)
        ids, mask = encode_chatml(messages, tok)
        assert ids == encoding.ids and (num_input, num_output) == (mask.count(False), mask.count(True))
        learned_chars = _assistant_chars(messages)
        for (start, end), learned, token in zip(encoding.offsets, mask, ids, strict=True):
            overlaps = any(c in learned_chars for c in range(start, end))
            assert learned == (overlaps or (token == 128041 and start in learned_chars["im_end"]))


def _assistant_chars(messages: list[dict]) -> dict:
    """Character positions of assistant contents, plus (under "im_end") where their <|im_end|> starts."""
    chars: dict = {"im_end": set()}
    pos = len("<|begin_of_text|>")
    for m in messages:
        pos += len(f"<|im_start|>{m['role']}\n")
        if m["role"] == "assistant":
            chars.update(dict.fromkeys(range(pos, pos + len(m["content"]))))
            chars["im_end"].add(pos + len(m["content"]))
        pos += len(m["content"]) + len("<|im_end|>\n")
    return chars


def test_count_tokens_names_the_conversation_with_a_bad_message(tok):
    good = chat("s", "q", "a")
    with pytest.raises(DataError, match="conversation 2: .*string 'role' and 'content'"):
        count_tokens([good, good, [{"role": "user", "content": None}]], tok, batch_size=2)


# ---------------------------------------------------------------- variants and other tokenizers


def test_reasoning_tags_variant_puts_tags_on_reserved_ids(tok):
    tagged = load_tokenizer(reasoning_tags=True)
    assert len(tagged) == 128256 and tagged.convert_tokens_to_ids("<|im_start|>") == 128040
    assert tagged.convert_tokens_to_ids(["<SCRATCHPAD>", "</SCRATCHPAD>", "</UNIT_TEST>"]) == [128042, 128043, 128061]
    text = "<SCRATCHPAD>think</SCRATCHPAD>"
    assert len(plain_ids(tagged, text)) == 3 and len(plain_ids(tok, text)) > 3
    assert tagged.decode(plain_ids(tagged, text), skip_special_tokens=True) == text  # tags are text the model writes


@pytest.fixture
def tiny_folder(tmp_path):
    """A 30-token word-level tokenizer without ChatML, saved as a Hugging Face folder."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = "[UNK] <s> system user assistant you are hermes hi hello ok".split()
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<s>", unk_token="[UNK]").save_pretrained(tmp_path)
    return tmp_path


def test_tokenizer_without_chatml_is_an_error_naming_the_fix(tiny_folder):
    with pytest.raises(DataError, match=r"lacks the ChatML tokens <\|im_start\|>, <\|im_end\|>.*add_chatml_tokens"):
        load_tokenizer(str(tiny_folder))


def test_add_chatml_tokens_grows_the_vocabulary_and_accounting_still_holds(tiny_folder):
    tiny = load_tokenizer(str(tiny_folder), add_chatml_tokens=True)
    assert len(tiny) == 13 and tiny.convert_tokens_to_ids(["<|im_start|>", "<|im_end|>"]) == [11, 12]
    messages = [{"role": "system", "content": "you are hermes"}, {"role": "user", "content": "hi"}]
    messages.append({"role": "assistant", "content": "hello ok"})
    ids, mask = encode_chatml(messages, tiny)
    assert ids == template_ids(tiny, messages) and ids[0] == 1  # the tokenizer's own BOS
    assert tiny.decode([i for i, m in zip(ids, mask, strict=True) if m]) == "hello ok <|im_end|>"
    assert count_tokens([messages], tiny) == [(mask.count(False), mask.count(True))]


def test_counting_ignores_truncation_baked_into_a_tokenizer(tiny_folder):
    tiny = load_tokenizer(str(tiny_folder), add_chatml_tokens=True)
    tiny.backend_tokenizer.enable_truncation(4)  # as some tokenizer.json files ship
    messages = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello ok hello ok"}]
    assert count_tokens([messages], tiny) == [(7, 5)] and len(encode_chatml(messages, tiny)[0]) == 12


def test_saved_llama3_folder_loads_with_its_own_ids(tok, tmp_path):
    tok.save_pretrained(tmp_path)
    again = load_tokenizer(str(tmp_path))
    messages = chat("s", "q", "\nanswer 🤖")
    assert encode_chatml(messages, again) == encode_chatml(messages, tok) and len(again) == 128256


def test_unloadable_tokenizer_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="cannot load it"):
        load_tokenizer(str(tmp_path / "missing"))


# ---------------------------------------------------------------- the conversion cache


def test_cache_entry_is_written_once_then_reused_and_a_crashed_entry_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("HERMES_CACHE", str(tmp_path))
    final = builtin.cache_dir()
    crashed = final.parent / f".{final.name}.crashed"  # what a killed conversion leaves behind
    crashed.mkdir(parents=True)
    (crashed / "tokenizer.json").write_text("{trunc", encoding="utf-8")

    first = load_tokenizer()
    cached = final / "tokenizer.json"
    assert sorted(p.name for p in final.parent.iterdir()) == [crashed.name, final.name]
    assert final.name.startswith("llama3-") and (final / "info.json").is_file()
    stamp = cached.stat().st_mtime_ns, cached.stat().st_ino
    second = load_tokenizer()
    assert (cached.stat().st_mtime_ns, cached.stat().st_ino) == stamp  # reused, not rewritten
    assert plain_ids(first, "Hello world") == plain_ids(second, "Hello world") == [9906, 1917]
    assert builtin.cache_dir(reasoning_tags=True) != final
