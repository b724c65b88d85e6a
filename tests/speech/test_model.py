"""seqlab.speech.model: shapes, lengths, the CTC loss vs torch per example, and learning."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from seqlab.speech import greedy_decode
from seqlab.speech.model import CTCConfig, CTCRecognizer, output_lengths


def _small(**kw):
    cfg = dict(n_features=8, n_labels=6, conv_channels=16, hidden_size=16, num_layers=1,
               dropout=0.0)  # fmt: skip
    return CTCRecognizer(CTCConfig(**{**cfg, **kw}))


@pytest.mark.parametrize("subsample", [1, 2, 3])
@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_shapes_and_lengths(subsample, cell):
    model = _small(subsample=subsample, cell=cell)
    x = torch.randn(3, 17, 8)
    lengths = torch.tensor([17, 10, 1])
    log_probs, out_lengths = model(x, lengths)
    T_out = model.conv(x.transpose(1, 2)).shape[-1]
    assert log_probs.shape == (3, T_out, 6)
    assert out_lengths.tolist() == [-(-n // subsample) for n in (17, 10, 1)]
    assert out_lengths[0] == T_out
    torch.testing.assert_close(log_probs.exp().sum(-1), torch.ones(3, T_out))
    assert output_lengths(torch.tensor([0, 1, 4, 5]), 2).tolist() == [0, 1, 2, 3]


def test_loss_is_ctc_per_label():
    torch.manual_seed(0)
    model = _small().eval()
    x = torch.randn(2, 12, 8)
    lengths = torch.tensor([12, 9])
    targets = torch.tensor([[1, 2, 2, 0], [3, 4, 0, 0]])  # padded with 0
    target_lengths = torch.tensor([3, 2])
    batch = dict(features=x, lengths=lengths, targets=targets, target_lengths=target_lengths)
    log_probs, out_lengths = model(x, lengths)
    per_example = [
        F.ctc_loss(log_probs[i, : out_lengths[i]][:, None], targets[i : i + 1, : target_lengths[i]],
                   out_lengths[i : i + 1], target_lengths[i : i + 1], reduction="sum")
        for i in range(2)
    ]  # fmt: skip
    expected = sum(per_example) / 5
    torch.testing.assert_close(model.loss(batch), expected)
    assert model.count_tokens(batch) == 5
    assert model.evaluate(batch)["loss"] == pytest.approx(expected.item(), rel=1e-6)


def test_learns_a_synthetic_transcription_task():
    """Each label shows as its one-hot feature for 3-5 frames, with silence between: learnable."""
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    texts, frames = [], []
    for _ in range(32):
        text = list(rng.integers(1, 6, size=int(rng.integers(2, 5))))
        rows = []
        for label in text:
            rows += [np.eye(8)[label]] * int(rng.integers(3, 6)) + [np.eye(8)[0]] * 2
        texts.append(text)
        frames.append(np.array(rows) + 0.1 * rng.normal(size=(len(rows), 8)))
    T = max(len(f) for f in frames)
    x = torch.zeros(len(frames), T, 8)
    for i, f in enumerate(frames):
        x[i, : len(f)] = torch.tensor(f, dtype=torch.float32)
    lengths = torch.tensor([len(f) for f in frames])
    targets = torch.zeros(len(texts), 4, dtype=torch.long)
    for i, t in enumerate(texts):
        targets[i, : len(t)] = torch.tensor(t)
    batch = dict(features=x, lengths=lengths, targets=targets,
                 target_lengths=torch.tensor([len(t) for t in texts]))  # fmt: skip
    model = _small(hidden_size=32, conv_channels=32)
    opt = torch.optim.Adam(model.parameters(), lr=2e-2)
    first = float(model.loss(batch).detach())
    for _ in range(100):
        opt.zero_grad()
        model.loss(batch).backward()
        opt.step()
    model.eval()
    assert float(model.loss(batch).detach()) < 0.1 * first
    log_probs, out_lengths = model(x, lengths)
    decoded = [greedy_decode(log_probs[i, : out_lengths[i]].detach().numpy()) for i in range(32)]
    assert sum(d == [int(v) for v in t] for d, t in zip(decoded, texts)) >= 29


@pytest.mark.parametrize(("kwargs", "field"), [({"conv_kernel": 4}, "conv_kernel"),
                                               ({"cell": "rnn"}, "cell"),
                                               ({"n_labels": 1}, "n_labels")])  # fmt: skip
def test_config_errors(kwargs, field):
    with pytest.raises(ValueError, match=field):
        CTCConfig(**kwargs)


def test_wrong_feature_shape():
    with pytest.raises(ValueError, match=r"features must be \(B, T, 8\)"):
        _small()(torch.randn(2, 5, 7))
