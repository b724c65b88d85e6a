"""seqlab.reference.rnn: forward by hand, BPTT vs finite differences and torch autograd."""

import ast
import math
from pathlib import Path

import numpy as np
import pytest
import torch

import seqlab.reference
from seqlab.reference import (
    gradient_check,
    rnn_backward,
    rnn_cell_backward,
    rnn_cell_forward,
    rnn_forward,
)

B, T, n_x, n_a = 2, 5, 3, 4


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def make_params(rng: np.random.Generator, scale: float = 0.5) -> dict[str, np.ndarray]:
    return {"W_a": scale * rng.normal(size=(n_a, n_a + n_x)), "b_a": 0.1 * rng.normal(size=n_a)}


def make_inputs(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x (B, T, n_x), a0 (B, n_a) and the fixed random R of the loss L = sum(a * R)."""
    return rng.normal(size=(B, T, n_x)), rng.normal(size=(B, n_a)), rng.normal(size=(B, T, n_a))


def torch_rnn(x, a0, W_a, b_a, activation):
    """An independent torch version of the notes' equation, for autograd; returns the steps."""
    g = torch.tanh if activation == "tanh" else torch.relu
    a_prev, steps = a0, []
    for t in range(x.shape[1]):
        a_prev = g(torch.cat([a_prev, x[:, t]], dim=1) @ W_a.T + b_a)
        steps.append(a_prev)
    return steps


def test_cell_forward_matches_hand_computation(rng):
    params = make_params(rng)
    x_t, a_prev = rng.normal(size=(B, n_x)), rng.normal(size=(B, n_a))
    a_t, _ = rnn_cell_forward(x_t, a_prev, params)
    W_a, b_a = params["W_a"], params["b_a"]
    for b in range(B):
        for i in range(n_a):
            z = b_a[i]
            z += sum(W_a[i, j] * a_prev[b, j] for j in range(n_a))  # W_aa a<t-1>
            z += sum(W_a[i, n_a + k] * x_t[b, k] for k in range(n_x))  # W_ax x<t>
            assert a_t[b, i] == pytest.approx(math.tanh(z), abs=1e-14)
    a_relu, _ = rnn_cell_forward(x_t, a_prev, params, activation="relu")
    z = a_prev @ W_a[:, :n_a].T + x_t @ W_a[:, n_a:].T + b_a
    np.testing.assert_allclose(a_relu, np.maximum(z, 0.0), atol=1e-14)


def test_forward_shapes(rng):
    x, a0, _ = make_inputs(rng)
    a, caches = rnn_forward(x, a0, make_params(rng))
    assert a.shape == (B, T, n_a)
    assert len(caches) == T
    dx, da0, grads = rnn_backward(np.ones_like(a), caches)
    assert dx.shape == x.shape and da0.shape == a0.shape
    assert {name: g.shape for name, g in grads.items()} == {"W_a": (n_a, n_a + n_x), "b_a": (n_a,)}


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_cell_backward_matches_finite_differences(rng, activation):
    params = make_params(rng)
    x_t, a_prev, R = rng.normal(size=(B, n_x)), rng.normal(size=(B, n_a)), rng.normal(size=(B, n_a))
    _, cache = rnn_cell_forward(x_t, a_prev, params, activation=activation)
    dx_t, da_prev, grads = rnn_cell_backward(R, cache)

    def loss(p):
        a_t, _ = rnn_cell_forward(
            p["x_t"], p["a_prev"], {k: p[k] for k in params}, activation=activation
        )
        return np.sum(a_t * R)

    point = {**params, "x_t": x_t, "a_prev": a_prev}
    errors = gradient_check(loss, point, {**grads, "x_t": dx_t, "a_prev": da_prev})
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_backward_matches_finite_differences(rng, activation):
    params = make_params(rng)
    x, a0, R = make_inputs(rng)
    a, caches = rnn_forward(x, a0, params, activation=activation)
    dx, da0, grads = rnn_backward(R, caches)

    def loss(p):
        a, _ = rnn_forward(p["x"], p["a0"], {k: p[k] for k in params}, activation=activation)
        return np.sum(a * R)

    errors = gradient_check(loss, {**params, "x": x, "a0": a0}, {**grads, "x": dx, "a0": da0})
    assert set(errors) == {"W_a", "b_a", "x", "a0"}
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_forward_and_backward_match_torch_autograd(rng, activation):
    params = make_params(rng)
    x, a0, R = make_inputs(rng)
    a, caches = rnn_forward(x, a0, params, activation=activation)
    dx, da0, grads, da_norms = rnn_backward(R, caches, return_norms=True)

    leaves = {
        k: torch.tensor(v, requires_grad=True) for k, v in {**params, "x": x, "a0": a0}.items()
    }
    steps = torch_rnn(leaves["x"], leaves["a0"], leaves["W_a"], leaves["b_a"], activation)
    for step in steps:
        step.retain_grad()
    (torch.stack(steps, dim=1) * torch.from_numpy(R)).sum().backward()

    np.testing.assert_allclose(a, torch.stack(steps, dim=1).detach().numpy(), rtol=0, atol=1e-10)
    for name, ours in {**grads, "x": dx, "a0": da0}.items():
        np.testing.assert_allclose(ours, leaves[name].grad.numpy(), rtol=1e-10, atol=1e-10)
    # ||dL/da<t>||: the whole gradient reaching a<t>, output plus carried
    torch_norms = [step.grad.norm().item() for step in steps]
    np.testing.assert_allclose(da_norms, torch_norms, rtol=1e-10)


def test_matches_torch_rnn_cell(rng):
    """torch.nn.RNNCell computes tanh(W_ih x + b_ih + W_hh h + b_hh): W_a = [W_hh | W_ih]."""
    params = make_params(rng)
    x_t, a_prev = rng.normal(size=(B, n_x)), rng.normal(size=(B, n_a))
    cell = torch.nn.RNNCell(n_x, n_a).double()
    with torch.no_grad():
        cell.weight_hh.copy_(torch.from_numpy(params["W_a"][:, :n_a]))
        cell.weight_ih.copy_(torch.from_numpy(params["W_a"][:, n_a:]))
        cell.bias_ih.copy_(torch.from_numpy(params["b_a"]))
        cell.bias_hh.zero_()
        expected = cell(torch.from_numpy(x_t), torch.from_numpy(a_prev)).numpy()
    a_t, _ = rnn_cell_forward(x_t, a_prev, params)
    np.testing.assert_allclose(a_t, expected, atol=1e-12)


def test_gradient_vanishes_going_back_in_time(rng):
    """Many-to-one with small weights: ||dL/da<t>|| shrinks at every step back from T."""
    params = make_params(rng, scale=0.2)
    x, a0, _ = make_inputs(rng)
    a, caches = rnn_forward(x, a0, params)
    da = np.zeros_like(a)
    da[:, -1] = 1.0  # the loss looks at a<T> only
    *_, da_norms = rnn_backward(da, caches, return_norms=True)
    assert da_norms[-1] == pytest.approx(np.linalg.norm(da[:, -1]))
    assert np.all(np.diff(da_norms) > 0), da_norms
    assert da_norms[0] < 0.1 * da_norms[-1]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"W_a": np.zeros((n_a, n_a))}, r"params\['W_a'\] must have shape \(4, 7\), got \(4, 4\)"),
        ({"b_a": np.zeros(n_a + 1)}, r"params\['b_a'\] must have shape \(4,\), got \(5,\)"),
        ({"x": np.zeros((B, n_x))}, r"x must be 3-D \(B, T, n_x\), got shape \(2, 3\)"),
        ({"x": np.zeros((B, 0, n_x))}, "at least one time step"),
        ({"a0": np.zeros((B + 1, n_a))}, r"a0 must have shape \(2, 4\).*got \(3, 4\)"),
        ({"a0": np.zeros(n_a)}, r"a0 must be 2-D \(B, n_a\), got shape \(4,\)"),
        ({"x": np.full((B, T, n_x), np.nan)}, "x contains NaN"),
        ({"a0": np.full((B, n_a), np.nan)}, "a0 contains NaN"),
        ({"W_a": np.full((n_a, n_a + n_x), np.nan)}, r"params\['W_a'\] contains NaN"),
        ({"b_a": None}, r"missing \['b_a'\]"),
        ({"W_u": np.zeros((n_a, n_a + n_x))}, r"unexpected \['W_u'\]"),
        ({"activation": "sigmoid"}, "activation must be one of"),
    ],
)
def test_forward_rejects_bad_input(rng, change, message):
    x, a0, _ = make_inputs(rng)
    args = {"x": x, "a0": a0, **make_params(rng), "activation": "tanh"}
    args.update(change)
    params = {k: v for k, v in args.items() if k not in ("x", "a0", "activation") and v is not None}
    with pytest.raises(ValueError, match=message):
        rnn_forward(args["x"], args["a0"], params, activation=args["activation"])


def test_backward_rejects_bad_input(rng):
    x, a0, _ = make_inputs(rng)
    a, caches = rnn_forward(x, a0, make_params(rng))
    with pytest.raises(ValueError, match=r"da must have shape \(2, 5, 4\), got \(2, 4, 4\)"):
        rnn_backward(a[:, 1:], caches)
    with pytest.raises(ValueError, match="da contains NaN"):
        rnn_backward(np.full_like(a, np.nan), caches)
    with pytest.raises(ValueError, match="caches is empty"):
        rnn_backward(a, [])
    with pytest.raises(ValueError, match=r"da_t must have shape \(2, 4\), got \(4,\)"):
        rnn_cell_backward(np.zeros(n_a), caches[0])


def test_forward_and_backward_leave_inputs_untouched(rng):
    params = make_params(rng)
    x, a0, R = make_inputs(rng)
    copies = {k: v.copy() for k, v in {**params, "x": x, "a0": a0, "R": R}.items()}
    _, caches = rnn_forward(x, a0, params)
    rnn_backward(R, caches)
    for name, value in {**params, "x": x, "a0": a0, "R": R}.items():
        np.testing.assert_array_equal(value, copies[name])


def test_reference_package_imports_numpy_only():
    """seqlab.reference must run without torch: only numpy, the stdlib and itself."""
    allowed = {"numpy", "__future__", "collections", "dataclasses", "math", "typing"}
    for path in Path(seqlab.reference.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert roots <= allowed, f"{path.name} imports {roots - allowed}"
