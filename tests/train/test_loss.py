"""Chunked LM-head loss on labelled positions equals the full-logits cross-entropy, values and gradients."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from hermes_train.loss import chunked_lm_loss, labelled_hidden  # noqa: E402
from hermes_train.tokenize import IGNORE_INDEX  # noqa: E402

VOCAB, HIDDEN = 50, 8


def setup(seed: int = 0):
    torch.manual_seed(seed)
    head = torch.nn.Linear(HIDDEN, VOCAB, bias=False)
    hidden = torch.randn(2, 7, HIDDEN, requires_grad=True)
    labels = torch.randint(0, VOCAB, (2, 7))
    labels[0, :3] = IGNORE_INDEX  # a prompt
    labels[1, 4:] = IGNORE_INDEX  # padding
    return head, hidden, labels


def test_labelled_hidden_uses_the_causal_shift():
    hidden = torch.arange(6.0).reshape(1, 6, 1)
    labels = torch.tensor([[IGNORE_INDEX, IGNORE_INDEX, 7, 8, IGNORE_INDEX, 9]])
    states, targets = labelled_hidden(hidden, labels)
    assert states.flatten().tolist() == [1.0, 2.0, 4.0]  # position t predicts token t+1
    assert targets.tolist() == [7, 8, 9]


@pytest.mark.parametrize("chunk_size", [1, 3, 4096])
def test_chunked_loss_equals_full_cross_entropy(chunk_size):
    head, hidden, labels = setup()
    total, count = chunked_lm_loss(hidden, labels, head, chunk_size=chunk_size)
    (total / count).backward()
    grads = hidden.grad.clone(), head.weight.grad.clone()

    head2, hidden2, labels2 = setup()
    logits = head2(hidden2)[:, :-1].reshape(-1, VOCAB)
    reference = torch.nn.functional.cross_entropy(logits, labels2[:, 1:].reshape(-1), ignore_index=IGNORE_INDEX)
    reference.backward()
    assert count == int((labels[:, 1:] != IGNORE_INDEX).sum())
    torch.testing.assert_close(total / count, reference)
    torch.testing.assert_close(grads[0], hidden2.grad)
    torch.testing.assert_close(grads[1], head2.weight.grad)


def test_no_loss_tokens_still_backpropagates_through_the_head():
    head, hidden, labels = setup()
    total, count = chunked_lm_loss(hidden, torch.full_like(labels, IGNORE_INDEX), head)
    total.backward()  # a rank with nothing to learn still joins the backward
    assert count == 0 and total.item() == 0.0
    assert head.weight.grad is not None and not head.weight.grad.any()
