"""The architectures of the notes: shapes, pooling over real steps, feeding outputs back."""

import pytest
import torch

from seqlab.nn import GRU, LSTM, RNN, EncoderDecoder, ManyToMany, ManyToOne, OneToMany, last_step

B, T, n_x, n_a, C = 2, 5, 3, 8, 4


def test_many_to_many_shape():
    head = ManyToMany(GRU(n_x, n_a, bidirectional=True), C)
    assert head(torch.randn(B, T, n_x)).shape == (B, T, C)


@pytest.mark.parametrize("pool", ["last", "mean", "max"])
def test_many_to_one_shape_and_padding(pool):
    head = ManyToOne(LSTM(n_x, n_a, bidirectional=True), C, pool=pool).double()
    x = torch.randn(B, T, n_x, dtype=torch.float64)
    lengths = torch.tensor([5, 3])
    logits = head(x, lengths)
    assert logits.shape == (B, C)
    alone = head(x[1:, :3])
    torch.testing.assert_close(logits[1:], alone)


def test_last_step_picks_each_sequences_end():
    a = torch.arange(2 * 4 * 4, dtype=torch.float32).view(2, 4, 4)  # D=2, H=2
    out = last_step(a, torch.tensor([4, 2]), num_directions=2)
    assert out[1].tolist() == [
        a[1, 1, 0].item(),
        a[1, 1, 1].item(),
        a[1, 0, 2].item(),
        a[1, 0, 3].item(),
    ]


def test_one_to_many_feeds_outputs_back():
    model = OneToMany(RNN(6, n_a), vocab_size=10, start_id=0)
    g = torch.Generator().manual_seed(1)
    seqs = model.generate(3, 7, generator=g)
    assert seqs.shape == (3, 7)
    # The sampled sequence has the probability the teacher-forced model gives it: greedy path
    greedy = model.generate(1, 5, greedy=True)
    logits, _ = model(torch.cat([torch.zeros(1, 1, dtype=torch.long), greedy[:, :-1]], 1))
    assert torch.equal(logits.argmax(-1), greedy)
    with pytest.raises(ValueError, match="unidirectional"):
        OneToMany(RNN(6, n_a, bidirectional=True), 10)


@pytest.mark.parametrize("cls", [GRU, LSTM])
def test_encoder_decoder_shapes(cls):
    model = EncoderDecoder(
        cls(n_x, n_a, bidirectional=True, num_layers=2), cls(6, n_a, num_layers=2), 11
    )
    logits = model(torch.randn(B, T, n_x), torch.randint(0, 11, (B, 7)), torch.tensor([5, 2]))
    assert logits.shape == (B, 7, 11)
    with pytest.raises(ValueError, match="same"):
        EncoderDecoder(GRU(n_x, n_a), GRU(6, n_a + 1), 11)
