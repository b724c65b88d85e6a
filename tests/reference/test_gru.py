"""seqlab.reference.gru: full and simplified GRU by hand, vs finite differences and autograd."""

import math

import numpy as np
import pytest
import torch

from seqlab.reference import (
    gradient_check,
    gru_backward,
    gru_cell_backward,
    gru_cell_forward,
    gru_forward,
)

B, T, n_x, n_a = 2, 5, 3, 4
VARIANTS = [True, False]  # relevance_gate: full GRU, simplified GRU


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1)


def make_params(rng: np.random.Generator, relevance_gate: bool = True) -> dict[str, np.ndarray]:
    gates = "cur" if relevance_gate else "cu"
    params = {f"W_{g}": 0.5 * rng.normal(size=(n_a, n_a + n_x)) for g in gates}
    params.update({f"b_{g}": 0.1 * rng.normal(size=n_a) for g in gates})
    return params


def make_inputs(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x (B, T, n_x), c0 (B, n_a) and the fixed random R of the loss L = sum(c * R)."""
    return rng.normal(size=(B, T, n_x)), rng.normal(size=(B, n_a)), rng.normal(size=(B, T, n_a))


def torch_gru(x, c0, p, relevance_gate):
    """An independent torch version of the notes' GRU equations; returns the steps."""
    c_prev, steps = c0, []
    for t in range(x.shape[1]):
        x_t = x[:, t]
        h = torch.cat([c_prev, x_t], dim=1)
        gamma_u = torch.sigmoid(h @ p["W_u"].T + p["b_u"])
        r_c = torch.sigmoid(h @ p["W_r"].T + p["b_r"]) * c_prev if relevance_gate else c_prev
        c_tilde = torch.tanh(torch.cat([r_c, x_t], dim=1) @ p["W_c"].T + p["b_c"])
        c_prev = gamma_u * c_tilde + (1 - gamma_u) * c_prev
        steps.append(c_prev)
    return steps


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


@pytest.mark.parametrize("relevance_gate", VARIANTS)
def test_cell_forward_matches_hand_computation(rng, relevance_gate):
    p = make_params(rng, relevance_gate)
    x_t, c_prev = rng.normal(size=(B, n_x)), rng.normal(size=(B, n_a))
    c_t, _ = gru_cell_forward(x_t, c_prev, p, relevance_gate=relevance_gate)

    def affine(g, b, i, c_in):  # W_g [c_in, x_t] + b_g, element by element
        W = p[f"W_{g}"]
        z = p[f"b_{g}"][i] + sum(W[i, j] * c_in[j] for j in range(n_a))
        return z + sum(W[i, n_a + k] * x_t[b, k] for k in range(n_x))

    for b in range(B):
        if relevance_gate:
            gamma_r = [sigmoid(affine("r", b, j, c_prev[b])) for j in range(n_a)]
            c_in = [gamma_r[j] * c_prev[b, j] for j in range(n_a)]
        else:
            c_in = list(c_prev[b])
        for i in range(n_a):
            gamma_u = sigmoid(affine("u", b, i, c_prev[b]))
            c_tilde = math.tanh(affine("c", b, i, c_in))
            expected = gamma_u * c_tilde + (1 - gamma_u) * c_prev[b, i]
            assert c_t[b, i] == pytest.approx(expected, abs=1e-14)


@pytest.mark.parametrize("relevance_gate", VARIANTS)
def test_forward_shapes(rng, relevance_gate):
    x, c0, R = make_inputs(rng)
    params = make_params(rng, relevance_gate)
    c, caches = gru_forward(x, c0, params, relevance_gate=relevance_gate)
    assert c.shape == (B, T, n_a) and len(caches) == T
    dx, dc0, grads = gru_backward(R, caches)
    assert dx.shape == x.shape and dc0.shape == c0.shape
    assert {k: g.shape for k, g in grads.items()} == {k: v.shape for k, v in params.items()}


@pytest.mark.parametrize("relevance_gate", VARIANTS)
def test_cell_backward_matches_finite_differences(rng, relevance_gate):
    params = make_params(rng, relevance_gate)
    x_t, c_prev, R = rng.normal(size=(B, n_x)), rng.normal(size=(B, n_a)), rng.normal(size=(B, n_a))
    _, cache = gru_cell_forward(x_t, c_prev, params, relevance_gate=relevance_gate)
    dx_t, dc_prev, grads = gru_cell_backward(R, cache)

    def loss(p):
        q = {k: p[k] for k in params}
        return np.sum(
            gru_cell_forward(p["x_t"], p["c_prev"], q, relevance_gate=relevance_gate)[0] * R
        )

    point = {**params, "x_t": x_t, "c_prev": c_prev}
    errors = gradient_check(loss, point, {**grads, "x_t": dx_t, "c_prev": dc_prev})
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("relevance_gate", VARIANTS)
def test_backward_matches_finite_differences(rng, relevance_gate):
    params = make_params(rng, relevance_gate)
    x, c0, R = make_inputs(rng)
    _, caches = gru_forward(x, c0, params, relevance_gate=relevance_gate)
    dx, dc0, grads = gru_backward(R, caches)

    def loss(p):
        c, _ = gru_forward(
            p["x"], p["c0"], {k: p[k] for k in params}, relevance_gate=relevance_gate
        )
        return np.sum(c * R)

    errors = gradient_check(loss, {**params, "x": x, "c0": c0}, {**grads, "x": dx, "c0": dc0})
    assert set(errors) == {*params, "x", "c0"}
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("relevance_gate", VARIANTS)
def test_forward_and_backward_match_torch_autograd(rng, relevance_gate):
    params = make_params(rng, relevance_gate)
    x, c0, R = make_inputs(rng)
    c, caches = gru_forward(x, c0, params, relevance_gate=relevance_gate)
    dx, dc0, grads, dc_norms = gru_backward(R, caches, return_norms=True)

    leaves = {
        k: torch.tensor(v, requires_grad=True) for k, v in {**params, "x": x, "c0": c0}.items()
    }
    steps = torch_gru(leaves["x"], leaves["c0"], leaves, relevance_gate)
    for step in steps:
        step.retain_grad()
    (torch.stack(steps, dim=1) * torch.from_numpy(R)).sum().backward()

    np.testing.assert_allclose(c, torch.stack(steps, dim=1).detach().numpy(), rtol=0, atol=1e-10)
    for name, ours in {**grads, "x": dx, "c0": dc0}.items():
        np.testing.assert_allclose(ours, leaves[name].grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dc_norms, [s.grad.norm().item() for s in steps], rtol=1e-10)


def test_closed_update_gate_keeps_the_memory(rng):
    """The notes' point: with gamma_u ~ 0 the cell copies c<t-1> forward, so the gradient
    reaching c<0> does not vanish."""
    params = make_params(rng)
    params["W_u"][:] = 0.0
    params["b_u"][:] = -40.0  # gamma_u = sigmoid(-40) ~ 4e-18
    x, c0, _ = make_inputs(rng)
    c, caches = gru_forward(x, c0, params)
    np.testing.assert_allclose(c, np.repeat(c0[:, None], T, axis=1), atol=1e-15)
    dc = np.zeros_like(c)
    dc[:, -1] = 1.0
    _, dc0, _, dc_norms = gru_backward(dc, caches, return_norms=True)
    np.testing.assert_allclose(dc0, 1.0, atol=1e-12)
    np.testing.assert_allclose(dc_norms, dc_norms[-1], rtol=1e-12)


@pytest.mark.parametrize(
    ("relevance_gate", "change", "message"),
    [
        (True, {"W_r": None}, r"missing \['W_r'\]"),
        (False, {"W_r": np.zeros((n_a, n_a + n_x))}, r"unexpected \['W_r'\]"),
        (
            True,
            {"W_c": np.zeros((n_a, n_x))},
            r"params\['W_c'\] must have shape \(4, 7\), got \(4, 3\)",
        ),
        (
            True,
            {"b_u": np.zeros((1, n_a))},
            r"params\['b_u'\] must have shape \(4,\), got \(1, 4\)",
        ),
        (True, {"b_r": np.full(n_a, np.nan)}, r"params\['b_r'\] contains NaN"),
        (True, {"x": np.zeros((B, T, n_x, 1))}, r"x must be 3-D \(B, T, n_x\), got shape"),
        (True, {"c0": np.zeros((B + 1, n_a))}, r"c0 must have shape \(2, 4\).*got \(3, 4\)"),
        (True, {"c0": np.full((B, n_a), np.nan)}, "c0 contains NaN"),
    ],
)
def test_forward_rejects_bad_input(rng, relevance_gate, change, message):
    x, c0, _ = make_inputs(rng)
    args = {"x": x, "c0": c0, **make_params(rng, relevance_gate)}
    args.update(change)
    params = {k: v for k, v in args.items() if k not in ("x", "c0") and v is not None}
    with pytest.raises(ValueError, match=message):
        gru_forward(args["x"], args["c0"], params, relevance_gate=relevance_gate)


def test_backward_rejects_bad_input(rng):
    x, c0, _ = make_inputs(rng)
    c, caches = gru_forward(x, c0, make_params(rng))
    with pytest.raises(ValueError, match=r"dc must have shape \(2, 5, 4\), got \(2, 5, 3\)"):
        gru_backward(c[..., :3], caches)
    with pytest.raises(ValueError, match="caches is empty"):
        gru_backward(c, [])
