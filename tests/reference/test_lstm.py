"""seqlab.reference.lstm: plain and peephole LSTM by hand, vs finite differences, autograd and
torch.nn.LSTMCell."""

import math

import numpy as np
import pytest
import torch

from seqlab.reference import (
    gradient_check,
    lstm_backward,
    lstm_cell_backward,
    lstm_cell_forward,
    lstm_forward,
)

B, T, n_x, n_a = 2, 5, 3, 4
VARIANTS = [False, True]  # peephole


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(2)


def make_params(rng: np.random.Generator, peephole: bool = False) -> dict[str, np.ndarray]:
    params = {f"W_{g}": 0.5 * rng.normal(size=(n_a, n_a + n_x)) for g in "cufo"}
    params.update({f"b_{g}": 0.1 * rng.normal(size=n_a) for g in "cufo"})
    if peephole:
        params.update({f"p_{g}": 0.5 * rng.normal(size=n_a) for g in "ufo"})
    return params


def make_inputs(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """x (B, T, n_x), a0, c0 (B, n_a), and the fixed random R (B, T, n_a) and S (B, n_a) of the
    loss L = sum(a * R) + sum(c<T> * S)."""
    x, a0, c0 = rng.normal(size=(B, T, n_x)), rng.normal(size=(B, n_a)), rng.normal(size=(B, n_a))
    return x, a0, c0, rng.normal(size=(B, T, n_a)), rng.normal(size=(B, n_a))


def torch_lstm(x, a0, c0, p, peephole):
    """An independent torch version of the notes' LSTM equations; returns a steps and c<T>."""
    zero = torch.zeros(())
    p_u, p_f, p_o = (p["p_u"], p["p_f"], p["p_o"]) if peephole else (zero, zero, zero)
    a_prev, c_prev, steps = a0, c0, []
    for t in range(x.shape[1]):
        h = torch.cat([a_prev, x[:, t]], dim=1)
        c_tilde = torch.tanh(h @ p["W_c"].T + p["b_c"])
        gamma_u = torch.sigmoid(h @ p["W_u"].T + p_u * c_prev + p["b_u"])
        gamma_f = torch.sigmoid(h @ p["W_f"].T + p_f * c_prev + p["b_f"])
        c_prev = gamma_u * c_tilde + gamma_f * c_prev
        gamma_o = torch.sigmoid(h @ p["W_o"].T + p_o * c_prev + p["b_o"])
        a_prev = gamma_o * torch.tanh(c_prev)
        steps.append(a_prev)
    return steps, c_prev


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


@pytest.mark.parametrize("peephole", VARIANTS)
def test_cell_forward_matches_hand_computation(rng, peephole):
    p = make_params(rng, peephole)
    x_t, a_prev, c_prev = (rng.normal(size=(B, k)) for k in (n_x, n_a, n_a))
    a_t, c_t, _ = lstm_cell_forward(x_t, a_prev, c_prev, p, peephole=peephole)

    def affine(g, b, i):  # W_g [a_prev, x_t] + b_g, element by element
        W = p[f"W_{g}"]
        z = p[f"b_{g}"][i] + sum(W[i, j] * a_prev[b, j] for j in range(n_a))
        return z + sum(W[i, n_a + k] * x_t[b, k] for k in range(n_x))

    def peep(g, i, c):
        return p[f"p_{g}"][i] * c if peephole else 0.0

    for b in range(B):
        for i in range(n_a):
            c_tilde = math.tanh(affine("c", b, i))
            gamma_u = sigmoid(affine("u", b, i) + peep("u", i, c_prev[b, i]))
            gamma_f = sigmoid(affine("f", b, i) + peep("f", i, c_prev[b, i]))
            c_new = gamma_u * c_tilde + gamma_f * c_prev[b, i]
            gamma_o = sigmoid(affine("o", b, i) + peep("o", i, c_new))
            assert c_t[b, i] == pytest.approx(c_new, abs=1e-14)
            assert a_t[b, i] == pytest.approx(gamma_o * math.tanh(c_new), abs=1e-14)


@pytest.mark.parametrize("peephole", VARIANTS)
def test_forward_shapes(rng, peephole):
    x, a0, c0, R, _ = make_inputs(rng)
    params = make_params(rng, peephole)
    a, c, caches = lstm_forward(x, a0, c0, params, peephole=peephole)
    assert a.shape == c.shape == (B, T, n_a) and len(caches) == T
    dx, da0, dc0, grads = lstm_backward(R, caches)
    assert dx.shape == x.shape and da0.shape == dc0.shape == (B, n_a)
    assert {k: g.shape for k, g in grads.items()} == {k: v.shape for k, v in params.items()}


@pytest.mark.parametrize("peephole", VARIANTS)
def test_cell_backward_matches_finite_differences(rng, peephole):
    params = make_params(rng, peephole)
    x_t, a_prev, c_prev, R, S = (rng.normal(size=(B, k)) for k in (n_x, n_a, n_a, n_a, n_a))
    _, _, cache = lstm_cell_forward(x_t, a_prev, c_prev, params, peephole=peephole)
    dx_t, da_prev, dc_prev, grads = lstm_cell_backward(R, S, cache)

    def loss(p):
        q = {k: p[k] for k in params}
        a_t, c_t, _ = lstm_cell_forward(p["x_t"], p["a_prev"], p["c_prev"], q, peephole=peephole)
        return np.sum(a_t * R) + np.sum(c_t * S)

    point = {**params, "x_t": x_t, "a_prev": a_prev, "c_prev": c_prev}
    analytic = {**grads, "x_t": dx_t, "a_prev": da_prev, "c_prev": dc_prev}
    errors = gradient_check(loss, point, analytic)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("peephole", VARIANTS)
def test_backward_matches_finite_differences(rng, peephole):
    params = make_params(rng, peephole)
    x, a0, c0, R, S = make_inputs(rng)
    _, _, caches = lstm_forward(x, a0, c0, params, peephole=peephole)
    dx, da0, dc0, grads = lstm_backward(R, caches, dc_last=S)

    def loss(p):
        q = {k: p[k] for k in params}
        a, c, _ = lstm_forward(p["x"], p["a0"], p["c0"], q, peephole=peephole)
        return np.sum(a * R) + np.sum(c[:, -1] * S)

    point = {**params, "x": x, "a0": a0, "c0": c0}
    errors = gradient_check(loss, point, {**grads, "x": dx, "a0": da0, "c0": dc0})
    assert set(errors) == {*params, "x", "a0", "c0"}
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("peephole", VARIANTS)
def test_forward_and_backward_match_torch_autograd(rng, peephole):
    params = make_params(rng, peephole)
    x, a0, c0, R, S = make_inputs(rng)
    a, c, caches = lstm_forward(x, a0, c0, params, peephole=peephole)
    dx, da0, dc0, grads, da_norms = lstm_backward(R, caches, dc_last=S, return_norms=True)

    inputs = {**params, "x": x, "a0": a0, "c0": c0}
    leaves = {k: torch.tensor(v, requires_grad=True) for k, v in inputs.items()}
    steps, c_last = torch_lstm(leaves["x"], leaves["a0"], leaves["c0"], leaves, peephole)
    for step in steps:
        step.retain_grad()
    loss = (torch.stack(steps, dim=1) * torch.from_numpy(R)).sum()
    (loss + (c_last * torch.from_numpy(S)).sum()).backward()

    np.testing.assert_allclose(a, torch.stack(steps, dim=1).detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(c[:, -1], c_last.detach().numpy(), rtol=0, atol=1e-10)
    for name, ours in {**grads, "x": dx, "a0": da0, "c0": dc0}.items():
        np.testing.assert_allclose(ours, leaves[name].grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(da_norms, [s.grad.norm().item() for s in steps], rtol=1e-10)


def test_matches_torch_lstm_cell(rng):
    """torch.nn.LSTMCell stacks the gates as (i, f, g, o) = (gamma_u, gamma_f, c_tilde, gamma_o)
    and splits W into W_ih (on x) and W_hh (on h): W_g = [W_hh_g | W_ih_g]."""
    p = make_params(rng)
    x_t, a_prev, c_prev = (rng.normal(size=(B, k)) for k in (n_x, n_a, n_a))
    W = np.concatenate([p["W_u"], p["W_f"], p["W_c"], p["W_o"]])  # (4 n_a, n_a + n_x)
    cell = torch.nn.LSTMCell(n_x, n_a).double()
    with torch.no_grad():
        cell.weight_hh.copy_(torch.from_numpy(W[:, :n_a]))
        cell.weight_ih.copy_(torch.from_numpy(W[:, n_a:]))
        cell.bias_ih.copy_(
            torch.from_numpy(np.concatenate([p["b_u"], p["b_f"], p["b_c"], p["b_o"]]))
        )
        cell.bias_hh.zero_()
        h, c = cell(torch.from_numpy(x_t), (torch.from_numpy(a_prev), torch.from_numpy(c_prev)))
    a_t, c_t, _ = lstm_cell_forward(x_t, a_prev, c_prev, p)
    np.testing.assert_allclose(a_t, h.numpy(), atol=1e-12)
    np.testing.assert_allclose(c_t, c.numpy(), atol=1e-12)


def test_zero_peepholes_equal_the_plain_lstm(rng):
    params = make_params(rng)
    peep = {**params, "p_u": np.zeros(n_a), "p_f": np.zeros(n_a), "p_o": np.zeros(n_a)}
    x, a0, c0, R, S = make_inputs(rng)
    a, c, caches = lstm_forward(x, a0, c0, params)
    a_p, c_p, caches_p = lstm_forward(x, a0, c0, peep, peephole=True)
    np.testing.assert_array_equal(a, a_p)
    np.testing.assert_array_equal(c, c_p)
    *plain, grads = lstm_backward(R, caches, dc_last=S)
    *with_peep, grads_p = lstm_backward(R, caches_p, dc_last=S)
    for ours, theirs in zip(plain, with_peep):
        np.testing.assert_allclose(ours, theirs, rtol=1e-14, atol=1e-15)
    for name, grad in grads.items():
        np.testing.assert_allclose(grad, grads_p[name], rtol=1e-14, atol=1e-15)


def test_open_forget_gate_carries_the_gradient(rng):
    """gamma_f ~ 1 and gamma_u ~ 0: c<t> = c<t-1>, so dL/dc<T> reaches c<0> intact."""
    params = make_params(rng)
    for g, bias in (("f", 40.0), ("u", -40.0)):
        params[f"W_{g}"][:] = 0.0
        params[f"b_{g}"][:] = bias
    x, a0, c0, _, S = make_inputs(rng)
    _, c, caches = lstm_forward(x, a0, c0, params)
    np.testing.assert_allclose(c, np.repeat(c0[:, None], T, axis=1), atol=1e-14)
    _, _, dc0, _ = lstm_backward(np.zeros((B, T, n_a)), caches, dc_last=S)
    np.testing.assert_allclose(dc0, S, atol=1e-14)


@pytest.mark.parametrize(
    ("peephole", "change", "message"),
    [
        (True, {"p_o": None}, r"missing \['p_o'\]"),
        (False, {"p_u": np.zeros(n_a)}, r"unexpected \['p_u'\]"),
        (True, {"p_f": np.zeros(n_a + n_x)}, r"params\['p_f'\] must have shape \(4,\), got \(7,\)"),
        (False, {"W_o": np.zeros((n_a + n_x, n_a))}, r"must have shape \(4, 7\), got \(7, 4\)"),
        (False, {"x": np.zeros(n_x)}, r"x must be 3-D \(B, T, n_x\), got shape \(3,\)"),
        (False, {"a0": np.zeros((B + 1, n_a))}, r"a0 must have shape \(2, 4\).*got \(3, 4\)"),
        (False, {"c0": np.zeros((B, n_a + 1))}, r"c0 must have shape \(2, 4\), got \(2, 5\)"),
        (False, {"c0": np.full((B, n_a), np.nan)}, "c0 contains NaN"),
        (False, {"x": np.full((B, T, n_x), np.nan)}, "x contains NaN"),
    ],
)
def test_forward_rejects_bad_input(rng, peephole, change, message):
    x, a0, c0, _, _ = make_inputs(rng)
    args = {"x": x, "a0": a0, "c0": c0, **make_params(rng, peephole)}
    args.update(change)
    params = {k: v for k, v in args.items() if k not in ("x", "a0", "c0") and v is not None}
    with pytest.raises(ValueError, match=message):
        lstm_forward(args["x"], args["a0"], args["c0"], params, peephole=peephole)


def test_backward_rejects_bad_input(rng):
    x, a0, c0, R, _ = make_inputs(rng)
    _, _, caches = lstm_forward(x, a0, c0, make_params(rng))
    with pytest.raises(ValueError, match=r"da must have shape \(2, 5, 4\), got \(2, 4\)"):
        lstm_backward(R[:, 0], caches)
    with pytest.raises(ValueError, match=r"dc_last must have shape \(2, 4\), got \(2, 5, 4\)"):
        lstm_backward(R, caches, dc_last=R)
    with pytest.raises(ValueError, match="dc_last contains NaN"):
        lstm_backward(R, caches, dc_last=np.full((B, n_a), np.nan))
    with pytest.raises(ValueError, match="caches is empty"):
        lstm_backward(R, [])
