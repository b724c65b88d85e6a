"""gradient_flow against the NumPy reference's BPTT norms, and the vanishing experiment."""

import numpy as np
import pytest
import torch

from seqlab.diagnose import (
    RecallConfig,
    RecallModel,
    VanishingConfig,
    gradient_flow,
    make_recall_batch,
    run_vanishing,
)
from seqlab.nn import GRU, LSTM, RNN
from seqlab.reference import (
    gru_backward,
    gru_forward,
    lstm_backward,
    lstm_forward,
    rnn_backward,
    rnn_forward,
)

B, T, n_x, n_a = 3, 6, 2, 4


class Wrapper(torch.nn.Module):
    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn


def np_params(layer):
    return {k: v.detach().numpy() for k, v in layer.cells[0][0].named_parameters()}


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_gradient_flow_equals_numpy_bptt_norms(kind):
    layer = {"rnn": RNN, "gru": GRU, "lstm": LSTM}[kind](n_x, n_a).double()
    x = torch.randn(B, T, n_x, dtype=torch.float64)
    R = torch.randn(B, T, n_a, dtype=torch.float64)  # L = sum(a * R): dL/da<t> gets R<t> too
    norms = gradient_flow(Wrapper(layer), x, loss_fn=lambda m, x: (m.rnn(x)[0] * R).sum())
    P, xn, zeros = np_params(layer), x.numpy(), np.zeros((B, n_a))
    if kind == "rnn":
        _, caches = rnn_forward(xn, zeros, P)
        *_, want = rnn_backward(R.numpy(), caches, return_norms=True)
    elif kind == "gru":
        _, caches = gru_forward(xn, zeros, P)
        *_, want = gru_backward(R.numpy(), caches, return_norms=True)
    else:
        _, _, caches = lstm_forward(xn, zeros, zeros, P)
        *_, want = lstm_backward(R.numpy(), caches, return_norms=True)
    np.testing.assert_allclose(norms.numpy(), want, rtol=1e-10)
    assert layer.impl == "auto" and layer._capture_states is None  # restored


def test_gradient_flow_needs_a_recurrent_layer():
    with pytest.raises(ValueError, match="no seqlab RNN"):
        gradient_flow(torch.nn.Linear(2, 2), None, loss_fn=lambda m, b: m.weight.sum())


def test_rnn_gradient_vanishes_over_distance():
    model = RecallModel(RecallConfig(cell="rnn"))
    batch = make_recall_batch(32, 40, model.config, torch.Generator().manual_seed(0))
    norms = gradient_flow(model, batch)
    assert norms.shape == (40,)
    assert norms[0] < 1e-6 * norms[-1]


def test_recall_batch_puts_the_answer_first():
    config = RecallConfig(n_symbols=3, n_distractors=5)
    batch = make_recall_batch(10, 7, config, torch.Generator().manual_seed(0))
    assert torch.equal(batch["ids"][:, 0], batch["target"])
    assert batch["ids"][:, 1:].min() >= 3 and batch["ids"].max() < 8
    with pytest.raises(ValueError, match="T must be"):
        make_recall_batch(2, 1, config, torch.Generator())


def test_run_vanishing_reports_every_cell():
    results = run_vanishing(VanishingConfig(T=8, steps=3, batch_size=8, test_size=16))
    assert [r.cell for r in results] == ["rnn", "gru", "lstm"]
    for r in results:
        assert 0.0 <= r.accuracy <= 1.0 and len(r.grad_norms) == 8
        assert set(r.to_json()) >= {"cell", "T", "accuracy", "grad_norm_first_step"}


@pytest.mark.slow
def test_gated_cells_beat_the_rnn_on_long_recall():
    results = {r.cell: r for r in run_vanishing(VanishingConfig())}
    assert results["lstm"].accuracy > 0.9
    assert results["gru"].accuracy > 0.9
    assert results["rnn"].accuracy < 0.6
