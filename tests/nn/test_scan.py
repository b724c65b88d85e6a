"""The hand-written BPTT of seqlab.nn.scan against finite differences (torch.autograd.gradcheck)."""

import pytest
import torch

from seqlab.nn import gru_scan, lstm_scan, rnn_scan

B, T, H = 2, 4, 3


def mask_of(lengths):
    return (torch.arange(T) < torch.tensor(lengths).unsqueeze(1)).double().t()  # (T, B)


MASKS = [None, [4, 2]]


def rand(*shape):
    return torch.randn(*shape, dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("lengths", MASKS)
@pytest.mark.parametrize("relu", [False, True])
def test_rnn_scan_gradcheck(lengths, relu):
    mask = None if lengths is None else mask_of(lengths)
    xp, W, a0 = rand(T, B, H), rand(H, H), rand(B, H)
    assert torch.autograd.gradcheck(lambda *a: rnn_scan(*a, mask, relu=relu), (xp, W, a0))


@pytest.mark.parametrize("lengths", MASKS)
@pytest.mark.parametrize("relevance_gate", [True, False])
def test_gru_scan_gradcheck(lengths, relevance_gate):
    G = 3 if relevance_gate else 2
    mask = None if lengths is None else mask_of(lengths)
    xp, W, c0 = rand(T, B, G * H), rand(G * H, H), rand(B, H)
    fn = lambda *a: gru_scan(*a, mask, relevance_gate=relevance_gate)  # noqa: E731
    assert torch.autograd.gradcheck(fn, (xp, W, c0))


@pytest.mark.parametrize("lengths", MASKS)
@pytest.mark.parametrize("peephole", [False, True])
def test_lstm_scan_gradcheck(lengths, peephole):
    mask = None if lengths is None else mask_of(lengths)
    xp, W, a0, c0 = rand(T, B, 4 * H), rand(4 * H, H), rand(B, H), rand(B, H)
    if peephole:
        p = rand(3, H)
        fn = lambda xp, W, a0, c0, p: lstm_scan(xp, W, a0, c0, mask, peephole=p)  # noqa: E731
        assert torch.autograd.gradcheck(fn, (xp, W, a0, c0, p))
    else:
        fn = lambda *a: lstm_scan(*a, mask)  # noqa: E731
        assert torch.autograd.gradcheck(fn, (xp, W, a0, c0))


def test_only_the_final_state_used():
    # Backward with no gradient on the outputs (only the final state) must still work.
    xp, W, c0 = rand(T, B, 3 * H), rand(3 * H, H), rand(B, H)
    _, c_T = gru_scan(xp, W, c0)
    c_T.sum().backward()
    assert xp.grad is not None and torch.isfinite(xp.grad).all()
