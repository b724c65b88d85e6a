"""Cells against an independent NumPy computation of the notes' equations, one step at a time."""

import numpy as np
import pytest
import torch

from seqlab.nn import GRUCell, LSTMCell, RNNCell

B, n_x, n_a = 2, 3, 4


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def np_params(cell):
    return {k: v.detach().double().numpy() for k, v in cell.named_parameters()}


def concat(a_prev, x_t):
    return np.concatenate([a_prev, x_t], axis=1)


def inputs():
    x_t = torch.randn(B, n_x, dtype=torch.float64)
    a_prev = torch.randn(B, n_a, dtype=torch.float64)
    c_prev = torch.randn(B, n_a, dtype=torch.float64)
    return x_t, a_prev, c_prev


@pytest.mark.parametrize("g", ["tanh", "relu"])
def test_rnn_cell_equation(g):
    cell = RNNCell(n_x, n_a, nonlinearity=g).double()
    x_t, a_prev, _ = inputs()
    P = np_params(cell)
    z = concat(a_prev.numpy(), x_t.numpy()) @ P["W_a"].T + P["b_a"]
    want = np.tanh(z) if g == "tanh" else np.maximum(z, 0)
    np.testing.assert_allclose(cell(x_t, a_prev).detach().numpy(), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("relevance_gate", [True, False])
def test_gru_cell_equation(relevance_gate):
    cell = GRUCell(n_x, n_a, relevance_gate=relevance_gate).double()
    x_t, c_prev, _ = inputs()
    P, c, x = np_params(cell), c_prev.numpy(), x_t.numpy()
    gamma_u = sigmoid(concat(c, x) @ P["W_u"].T + P["b_u"])
    if relevance_gate:
        gamma_r = sigmoid(concat(c, x) @ P["W_r"].T + P["b_r"])
        c_tilde = np.tanh(concat(gamma_r * c, x) @ P["W_c"].T + P["b_c"])
    else:
        assert "W_r" not in P
        c_tilde = np.tanh(concat(c, x) @ P["W_c"].T + P["b_c"])
    want = gamma_u * c_tilde + (1 - gamma_u) * c
    np.testing.assert_allclose(cell(x_t, c_prev).detach().numpy(), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("peephole", [False, True])
def test_lstm_cell_equation(peephole):
    cell = LSTMCell(n_x, n_a, peephole=peephole).double()
    x_t, a_prev, c_prev = inputs()
    P, a, c, x = np_params(cell), a_prev.numpy(), c_prev.numpy(), x_t.numpy()
    z = concat(a, x)
    c_tilde = np.tanh(z @ P["W_c"].T + P["b_c"])
    pu = pf = po = 0.0
    if peephole:
        pu, pf, po = P["p_u"], P["p_f"], P["p_o"]
    gamma_u = sigmoid(z @ P["W_u"].T + pu * c + P["b_u"])
    gamma_f = sigmoid(z @ P["W_f"].T + pf * c + P["b_f"])
    c_t = gamma_u * c_tilde + gamma_f * c
    gamma_o = sigmoid(z @ P["W_o"].T + po * c_t + P["b_o"])
    a_t = gamma_o * np.tanh(c_t)
    got_a, got_c = cell(x_t, (a_prev, c_prev))
    np.testing.assert_allclose(got_a.detach().numpy(), a_t, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got_c.detach().numpy(), c_t, rtol=1e-12, atol=1e-12)


def test_parameter_names_and_shapes():
    expect = {
        RNNCell(n_x, n_a): ["W_a", "b_a"],
        GRUCell(n_x, n_a): ["W_u", "b_u", "W_r", "b_r", "W_c", "b_c"],
        GRUCell(n_x, n_a, relevance_gate=False): ["W_u", "b_u", "W_c", "b_c"],
        LSTMCell(n_x, n_a): ["W_u", "b_u", "W_f", "b_f", "W_c", "b_c", "W_o", "b_o"],
        LSTMCell(n_x, n_a, peephole=True): [
            "W_u",
            "b_u",
            "W_f",
            "b_f",
            "W_c",
            "b_c",
            "W_o",
            "b_o",
            "p_u",
            "p_f",
            "p_o",
        ],  # fmt: skip
    }
    for cell, names in expect.items():
        got = dict(cell.named_parameters())
        assert sorted(got) == sorted(names)
        for name in names:
            want = (n_a, n_a + n_x) if name.startswith("W_") else (n_a,)
            assert tuple(got[name].shape) == want, name


def test_writing_named_weights_changes_the_function():
    cell = GRUCell(n_x, n_a).double()
    x_t, c_prev, _ = inputs()
    before = cell(x_t, c_prev)
    with torch.no_grad():
        cell.W_c.zero_()
        cell.b_c.zero_()
    # with W_c = 0 and b_c = 0, c_tilde = 0 and c_t = (1 - gamma_u) * c_prev
    gamma_u = torch.sigmoid(torch.cat([c_prev, x_t], 1) @ cell.W_u.T + cell.b_u)
    torch.testing.assert_close(cell(x_t, c_prev), (1 - gamma_u) * c_prev)
    assert not torch.allclose(before, cell(x_t, c_prev))
    state = {k: torch.full_like(v, 0.01) for k, v in cell.state_dict().items()}
    cell.load_state_dict(state)
    assert torch.all(cell.W_u == 0.01)


def test_cell_rejects_bad_arguments():
    with pytest.raises(ValueError, match="nonlinearity"):
        RNNCell(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="positive"):
        GRUCell(0, 4)
