"""seqlab.reference (NumPy, hand-written BPTT) vs seqlab.nn (torch, autograd or its own BPTT).

On copied weights, float64, to 1e-10: forward outputs, final states, gates, and the gradients
of every parameter, of x and of the initial state, for every impl of the layers.
"""

import numpy as np
import pytest
import torch

import seqlab.nn
from seqlab.reference import (
    gru_backward,
    gru_forward,
    lstm_backward,
    lstm_forward,
    rnn_backward,
    rnn_forward,
)

B, T, n_x, n_a = 2, 5, 3, 4
TOL = {"rtol": 1e-10, "atol": 1e-10}

# (kind, flag): seqlab.nn.{kind}Cell and seqlab.nn.{kind}, and the keyword they share with ours
VARIANTS = [
    ("RNN", {"nonlinearity": "tanh"}),
    ("RNN", {"nonlinearity": "relu"}),
    ("GRU", {"relevance_gate": True}),
    ("GRU", {"relevance_gate": False}),
    ("LSTM", {"peephole": False}),
    ("LSTM", {"peephole": True}),
]
IDS = [f"{kind}-{next(iter(flag.values()))}" for kind, flag in VARIANTS]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(4)


def param_names(kind: str, flag: dict) -> list[str]:
    gates = {"RNN": "a", "GRU": "cur" if flag.get("relevance_gate") else "cu", "LSTM": "cufo"}
    names = [f"W_{g}" for g in gates[kind]] + [f"b_{g}" for g in gates[kind]]
    return names + (["p_u", "p_f", "p_o"] if flag.get("peephole") else [])


def make_params(rng: np.random.Generator, kind: str, flag: dict) -> dict[str, np.ndarray]:
    return {
        name: 0.5 * rng.normal(size=(n_a, n_a + n_x) if name.startswith("W_") else n_a)
        for name in param_names(kind, flag)
    }


def copy_into(cell: torch.nn.Module, params: dict[str, np.ndarray]) -> None:
    with torch.no_grad():
        for name, value in params.items():
            getattr(cell, name).copy_(torch.from_numpy(value))


def reference_run(kind, flag, x, a0, c0, params, R):
    """NumPy forward and BPTT for L = sum(a * R): (a, a_T, c_T, grads, dx, da0, dc0)."""
    if kind == "RNN":
        a, caches = rnn_forward(x, a0, params, activation=flag["nonlinearity"])
        dx, da0, grads = rnn_backward(R, caches)
        return a, a[:, -1], None, grads, dx, da0, None
    if kind == "GRU":
        a, caches = gru_forward(x, a0, params, **flag)
        dx, da0, grads = gru_backward(R, caches)
        return a, a[:, -1], None, grads, dx, da0, None
    a, c, caches = lstm_forward(x, a0, c0, params, **flag)
    dx, da0, dc0, grads = lstm_backward(R, caches)
    return a, a[:, -1], c[:, -1], grads, dx, da0, dc0


@pytest.mark.parametrize(("kind", "flag"), VARIANTS, ids=IDS)
def test_cell_step_matches_reference(rng, kind, flag):
    params = make_params(rng, kind, flag)
    x, a0, c0, R = (rng.normal(size=s) for s in ((B, 1, n_x), (B, n_a), (B, n_a), (B, 1, n_a)))
    a, _, c_last, grads, dx, da0, dc0 = reference_run(kind, flag, x, a0, c0, params, R)

    cell = getattr(seqlab.nn, f"{kind}Cell")(n_x, n_a, **flag).double()
    copy_into(cell, params)
    x_t, a_prev, c_prev = (torch.tensor(v, requires_grad=True) for v in (x[:, 0], a0, c0))
    if kind == "LSTM":
        a_t, c_t = cell(x_t, (a_prev, c_prev))
        np.testing.assert_allclose(c_t.detach().numpy(), c_last, **TOL)
    else:
        a_t = cell(x_t, a_prev)
    np.testing.assert_allclose(a_t.detach().numpy(), a[:, 0], **TOL)

    (a_t * torch.from_numpy(R[:, 0])).sum().backward()
    for name, grad in grads.items():
        np.testing.assert_allclose(getattr(cell, name).grad.numpy(), grad, **TOL, err_msg=name)
    np.testing.assert_allclose(x_t.grad.numpy(), dx[:, 0], **TOL)
    np.testing.assert_allclose(a_prev.grad.numpy(), da0, **TOL)
    if kind == "LSTM":
        np.testing.assert_allclose(c_prev.grad.numpy(), dc0, **TOL)


def layer_impls(kind: str, flag: dict) -> list[str]:
    fused = kind == "RNN" or (kind == "LSTM" and not flag["peephole"])
    return ["auto", "loop", "scan"] + (["kernel"] if fused else [])


@pytest.mark.parametrize(
    ("kind", "flag", "impl"),
    [(kind, flag, impl) for kind, flag in VARIANTS for impl in layer_impls(kind, flag)],
    ids=[f"{i}-{impl}" for i, (k, f) in zip(IDS, VARIANTS) for impl in layer_impls(k, f)],
)
def test_layer_matches_reference(rng, kind, flag, impl):
    params = make_params(rng, kind, flag)
    x, a0, c0, R = (rng.normal(size=s) for s in ((B, T, n_x), (B, n_a), (B, n_a), (B, T, n_a)))
    a, a_last, c_last, grads, dx, da0, dc0 = reference_run(kind, flag, x, a0, c0, params, R)

    layer = getattr(seqlab.nn, kind)(n_x, n_a, impl=impl, **flag).double()
    cell = layer.cells[0][0]
    copy_into(cell, params)
    x_, a0_, c0_ = (
        torch.tensor(v[None] if v.ndim == 2 else v, requires_grad=True) for v in (x, a0, c0)
    )
    state = (a0_, c0_) if kind == "LSTM" else a0_
    out, final = layer(x_, state)

    np.testing.assert_allclose(out.detach().numpy(), a, **TOL)
    if kind == "LSTM":
        np.testing.assert_allclose(final[0][0].detach().numpy(), a_last, **TOL)
        np.testing.assert_allclose(final[1][0].detach().numpy(), c_last, **TOL)
    else:
        np.testing.assert_allclose(final[0].detach().numpy(), a_last, **TOL)

    (out * torch.from_numpy(R)).sum().backward()
    for name, grad in grads.items():
        np.testing.assert_allclose(getattr(cell, name).grad.numpy(), grad, **TOL, err_msg=name)
    np.testing.assert_allclose(x_.grad.numpy(), dx, **TOL)
    np.testing.assert_allclose(a0_.grad[0].numpy(), da0, **TOL)
    if kind == "LSTM":
        np.testing.assert_allclose(c0_.grad[0].numpy(), dc0, **TOL)


@pytest.mark.parametrize(("kind", "flag"), VARIANTS[2:], ids=IDS[2:])
def test_layer_gates_match_reference_caches(rng, kind, flag):
    """return_gates=True (loop impl) exposes the gates; they equal the reference's caches."""
    params = make_params(rng, kind, flag)
    x, a0, c0 = (rng.normal(size=s) for s in ((B, T, n_x), (B, n_a), (B, n_a)))
    if kind == "GRU":
        _, caches = gru_forward(x, a0, params, **flag)
    else:
        _, _, caches = lstm_forward(x, a0, c0, params, **flag)

    layer = getattr(seqlab.nn, kind)(n_x, n_a, **flag).double()
    copy_into(layer.cells[0][0], params)
    state = torch.from_numpy(a0[None])
    state = (state, torch.from_numpy(c0[None])) if kind == "LSTM" else state
    with torch.no_grad():
        _, _, gates = layer(torch.from_numpy(x), state, return_gates=True)
    for name, values in gates[0][0].items():
        if name == "c":
            name = "c_t"
        ours = np.stack([getattr(cache, name) for cache in caches], axis=1)  # (B, T, n_a)
        np.testing.assert_allclose(values.numpy(), ours, **TOL, err_msg=name)
