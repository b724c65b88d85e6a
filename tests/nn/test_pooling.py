"""The many-to-one readouts: each sequence's last step, mean/max over the real steps only."""

import pytest
import torch

from seqlab.nn import LSTM, last_step, pool_steps

B, T, n_x, n_a = 2, 5, 3, 8


@pytest.mark.parametrize("pool", ["last", "mean", "max"])
def test_pool_steps_shape_and_padding(pool):
    """A padded row pools to what the same sequence gives alone, unpadded."""
    rnn = LSTM(n_x, n_a, bidirectional=True).double()
    x = torch.randn(B, T, n_x, dtype=torch.float64)
    lengths = torch.tensor([5, 3])
    a, _ = rnn(x, lengths=lengths)  # (B, T, 2 * n_a)
    pooled = pool_steps(a, lengths, pool, num_directions=2)
    assert pooled.shape == (B, 2 * n_a)
    alone = pool_steps(rnn(x[1:, :3])[0], None, pool, num_directions=2)
    torch.testing.assert_close(pooled[1:], alone)


def test_pool_steps_rejects_an_unknown_pool():
    with pytest.raises(ValueError, match="pool must be 'last', 'mean' or 'max', got 'sum'"):
        pool_steps(torch.zeros(1, 2, 3), None, "sum")


def test_last_step_picks_each_sequences_end():
    a = torch.arange(2 * 4 * 4, dtype=torch.float32).view(2, 4, 4)  # D=2, H=2
    out = last_step(a, torch.tensor([4, 2]), num_directions=2)
    assert out[1].tolist() == [
        a[1, 1, 0].item(),
        a[1, 1, 1].item(),
        a[1, 0, 2].item(),
        a[1, 0, 3].item(),
    ]
