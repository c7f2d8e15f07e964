"""The tiktoken path of the built-in Llama 3.1 tokenizer gives the Hugging Face tokenizer's ids and counts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from corpus import FRAGMENTS, PLAIN_FRAGMENTS, SPECIALS, conversations, mixed_texts

from hermes_data.tokenizer import encode_chatml, load_tokenizer, render_chatml
from hermes_data.tokenizer.chatml import count_tokens, count_tokens_hf
from hermes_data.tokenizer.tiktoken_counts import count_rendered, encode, encoding_for


@pytest.fixture(scope="module", params=[False, True], ids=["llama3", "llama3-reasoning"])
def tok(request):
    return load_tokenizer("llama3", reasoning_tags=request.param)


def hf_ids(tok, text: str) -> list[int]:
    return tok.backend_tokenizer.encode(text, add_special_tokens=False).ids


def test_every_fragment_encodes_to_the_hf_ids(tok):
    enc = encoding_for(tok)
    mismatched = [text for text in FRAGMENTS if encode(text, enc).tolist() != hf_ids(tok, text)]
    assert mismatched == []


def test_mixed_texts_and_renderings_encode_to_the_hf_ids(tok):
    enc = encoding_for(tok)
    texts = mixed_texts(1500, seed=1) + [render_chatml(c) for c in conversations(300, seed=2)]
    hf = [e.ids for e in tok.backend_tokenizer.encode_batch(texts, add_special_tokens=False)]
    mismatched = [t for t, ids in zip(texts, hf, strict=True) if encode(t, enc).tolist() != ids]
    assert mismatched == []


def test_renderer_tokens_are_single_ids_inside_text(tok):
    enc = encoding_for(tok)
    for special in ("<|begin_of_text|>", "<|im_start|>", "<|im_end|>"):
        ids = encode(f"before{special}after", enc).tolist()
        assert tok.convert_tokens_to_ids(special) in ids
        assert ids == hf_ids(tok, f"before{special}after")


@pytest.mark.parametrize("fragments", [FRAGMENTS, PLAIN_FRAGMENTS], ids=["with_specials", "plain"])
def test_counts_equal_the_hf_counts_and_the_trainer_mask(tok, fragments):
    convs = conversations(400, seed=3, fragments=fragments)
    counts = count_tokens(convs, tok, batch_size=97)  # batches and thread chunks cut conversations at odd places
    assert counts == count_tokens_hf(convs, tok)
    for conv, (n_in, n_out) in zip(convs[:60], counts, strict=False):
        ids, mask = encode_chatml(conv, tok)
        assert (n_in, n_out) == (len(ids) - sum(mask), sum(mask))


def test_leading_whitespace_of_a_reply_merged_with_the_role_newline_counts_as_output(tok):
    conv = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "\n\nHello"}]
    ids, mask = encode_chatml(conv, tok)
    assert count_tokens([conv], tok) == [(len(ids) - sum(mask), sum(mask))]
    # "assistant\n" + "\n\nHello" splits as "assistant", "\n\n\n", "Hello": the newline run is output, then <|im_end|>.
    assert tok.decode([t for t, m in zip(ids, mask, strict=True) if m]) == "\n\n\nHello<|im_end|>"
    assert count_tokens([conv], tok)[0][1] == 3


def test_threads_and_chunks_do_not_change_the_counts(tok):
    convs = conversations(200, seed=4, fragments=PLAIN_FRAGMENTS) + conversations(50, seed=5)
    texts = [render_chatml(c) for c in convs]
    enc = encoding_for(tok)
    one = count_rendered(texts, convs, enc)
    with ThreadPoolExecutor(3) as pool:
        assert count_rendered(texts, convs, enc, pool=pool, threads=7) == one
    assert one == count_tokens_hf(convs, tok)


def test_only_the_unmodified_builtin_tokenizer_counts_through_tiktoken(tmp_path):
    tok = load_tokenizer("llama3")
    assert encoding_for(tok) is not None
    tok.save_pretrained(tmp_path / "saved")
    assert encoding_for(load_tokenizer(str(tmp_path / "saved"))) is None  # a folder is any HF tokenizer
    grown = load_tokenizer("llama3")
    grown.add_tokens(["<NEW_TAG>"])
    assert encoding_for(grown) is None
    conv = [{"role": "user", "content": "x"}, {"role": "assistant", "content": "a <NEW_TAG> b"}]
    assert count_tokens([conv], grown) == count_tokens_hf([conv], grown)


def test_specials_in_content_are_counted_as_the_hf_tokenizer_does(tok):
    convs = [[{"role": "user", "content": s}, {"role": "assistant", "content": s + " ok"}] for s in SPECIALS]
    assert count_tokens(convs, tok) == count_tokens_hf(convs, tok)
