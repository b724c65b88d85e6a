"""Basic RNN forward and backpropagation through time in NumPy (notes: "Recurrent Neural Network
Model", "Backpropagation through time", "Vanishing gradients with RNNs").

One step of the notes' RNN, without the output layer:

    a_t = g(W_a [a_prev, x_t] + b_a),    g in {tanh, relu}

``W_a`` has shape (n_a, n_a + n_x) and multiplies the concatenation ``[a_prev, x_t]`` in that
order (a_prev first), the notes' ``W_a = [W_aa | W_ax]``. Everything is batch-first:
x: (B, T, n_x), a: (B, T, n_a).

The backward pass is written out step by step as in the notes: at step t the gradient reaching
a<t> is the gradient from the loss at step t plus the gradient carried back from step t + 1.
Its norm at every step (``return_norms=True``) makes the vanishing gradient visible.

This module also holds the small helpers (sigmoid, shape and NaN checks) that ``gru`` and
``lstm`` share; the package imports NumPy only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Params = dict[str, np.ndarray]

ACTIVATIONS = ("tanh", "relu")


# ---------------------------------------------------------------------------------------------
# Shared helpers (used by gru.py and lstm.py too)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic sigmoid, written through tanh so large |z| neither overflows nor warns.

    Args:
        z: Any shape, float.

    Returns:
        1 / (1 + exp(-z)), same shape as ``z``.
    """
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _check_finite(name: str, array: np.ndarray) -> None:
    if np.isnan(array).any():
        raise ValueError(f"{name} contains NaN")


def _check_shape(name: str, array: np.ndarray, expected: tuple[int, ...]) -> None:
    if array.shape != expected:
        raise ValueError(f"{name} must have shape {expected}, got {array.shape}")


def _as_array(name: str, array: np.ndarray, ndim: int, shape_doc: str) -> np.ndarray:
    array = np.asarray(array)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D {shape_doc}, got shape {array.shape}")
    _check_finite(name, array)
    return array


def _check_params(
    params: Params, names: Sequence[str], n_a: int, n_x: int, *, flag: str = ""
) -> None:
    """Check that ``params`` holds exactly ``names``, W_* (n_a, n_a + n_x), others (n_a,)."""
    missing = [name for name in names if name not in params]
    unexpected = [name for name in params if name not in names]
    if missing or unexpected:
        raise ValueError(
            f"params must hold exactly {list(names)}{flag}; "
            f"missing {missing}, unexpected {unexpected}"
        )
    for name in names:
        expected = (n_a, n_a + n_x) if name.startswith("W_") else (n_a,)
        value = np.asarray(params[name])
        _check_shape(f"params[{name!r}]", value, expected)
        _check_finite(f"params[{name!r}]", value)


def _check_step(
    x_t: np.ndarray, a_prev: np.ndarray, a_name: str = "a_prev"
) -> tuple[np.ndarray, np.ndarray]:
    """Check one step's inputs: x_t (B, n_x) and a_prev (B, n_a) with the same B."""
    x_t = _as_array("x_t", x_t, 2, "(B, n_x)")
    a_prev = _as_array(a_name, a_prev, 2, "(B, n_a)")
    if a_prev.shape[0] != x_t.shape[0]:
        raise ValueError(
            f"{a_name} must have shape {(x_t.shape[0], a_prev.shape[1])} (batch size of x_t), "
            f"got {a_prev.shape}"
        )
    return x_t, a_prev


def _check_sequence(
    x: np.ndarray, a0: np.ndarray, a_name: str = "a0"
) -> tuple[np.ndarray, np.ndarray]:
    """Check a whole sequence's inputs: x (B, T, n_x) with T >= 1 and a0 (B, n_a)."""
    x = _as_array("x", x, 3, "(B, T, n_x)")
    a0 = _as_array(a_name, a0, 2, "(B, n_a)")
    if x.shape[1] == 0:
        raise ValueError(f"x must have at least one time step, got shape {x.shape}")
    if a0.shape[0] != x.shape[0]:
        raise ValueError(
            f"{a_name} must have shape {(x.shape[0], a0.shape[1])} (batch size of x), "
            f"got {a0.shape}"
        )
    return x, a0


def _check_upstream(name: str, grad: np.ndarray, expected: tuple[int, ...]) -> np.ndarray:
    """Check an incoming gradient (dL/da, dL/dc, ...) against the shape it must have."""
    grad = np.asarray(grad)
    _check_shape(name, grad, expected)
    _check_finite(name, grad)
    return grad


def _accumulate(total: Params, step: Params) -> None:
    """BPTT: the parameters are shared across time, so their gradients add up over the steps."""
    for name, grad in step.items():
        total[name] = total[name] + grad if name in total else grad


def _check_caches(caches: Sequence[object]) -> None:
    if len(caches) == 0:
        raise ValueError("caches is empty: run the forward pass on at least one step first")


def _bptt(
    da: np.ndarray,
    caches: Sequence[object],
    cell_backward: Callable[[np.ndarray, object], tuple[np.ndarray, np.ndarray, Params]],
    state_shape: tuple[int, int],
    *,
    name: str = "da",
    return_norms: bool,
) -> tuple[np.ndarray, ...]:
    """The BPTT loop shared by the RNN and the GRU, whose state is one (B, n_a) array."""
    (B, n_a), T = state_shape, len(caches)
    da = _check_upstream(name, da, (B, T, n_a))

    dx_steps, grads, da_norms = [], {}, np.zeros(T)
    da_next = np.zeros((B, n_a), dtype=da.dtype)  # nothing flows back from beyond step T
    for t in reversed(range(T)):
        da_t = da[:, t] + da_next  # (B, n_a) output gradient + carried gradient
        da_norms[t] = np.linalg.norm(da_t)
        dx_t, da_next, step_grads = cell_backward(da_t, caches[t])
        dx_steps.append(dx_t)
        _accumulate(grads, step_grads)
    dx = np.stack(dx_steps[::-1], axis=1)  # (B, T, n_x)
    return (dx, da_next, grads, da_norms) if return_norms else (dx, da_next, grads)


# ---------------------------------------------------------------------------------------------
# RNN


@dataclass(frozen=True)
class RNNCache:
    """What ``rnn_cell_backward`` needs from one forward step.

    Attributes:
        concat: [a_prev, x_t], (B, n_a + n_x).
        a_t: The step's activation, (B, n_a).
        params: The parameters used (not copied).
        activation: "tanh" or "relu".
    """

    concat: np.ndarray
    a_t: np.ndarray
    params: Params
    activation: str


def rnn_cell_forward(
    x_t: np.ndarray, a_prev: np.ndarray, params: Params, *, activation: str = "tanh"
) -> tuple[np.ndarray, RNNCache]:
    """One RNN step: a_t = g(W_a [a_prev, x_t] + b_a).

    Args:
        x_t: Input at step t, (B, n_x).
        a_prev: Activation a<t-1>, (B, n_a).
        params: ``W_a`` (n_a, n_a + n_x) and ``b_a`` (n_a,).
        activation: g, "tanh" (the notes' default) or "relu".

    Returns:
        ``(a_t, cache)``: a<t> (B, n_a) and the cache for ``rnn_cell_backward``.

    Raises:
        ValueError: On a wrong shape, a NaN, or an unknown activation.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    x_t, a_prev = _check_step(x_t, a_prev)
    _check_params(params, ("W_a", "b_a"), a_prev.shape[1], x_t.shape[1])
    W_a, b_a = params["W_a"], params["b_a"]

    concat = np.concatenate([a_prev, x_t], axis=1)  # (B, n_a + n_x)
    z = concat @ W_a.T + b_a  # (B, n_a)
    a_t = np.tanh(z) if activation == "tanh" else np.maximum(z, 0.0)  # (B, n_a)
    return a_t, RNNCache(concat=concat, a_t=a_t, params=params, activation=activation)


def rnn_cell_backward(da_t: np.ndarray, cache: RNNCache) -> tuple[np.ndarray, np.ndarray, Params]:
    """Backward of one RNN step.

    Args:
        da_t: dL/da<t>, everything that reaches a<t> (output and later steps), (B, n_a).
        cache: From ``rnn_cell_forward``.

    Returns:
        ``(dx_t, da_prev, grads)``: dL/dx<t> (B, n_x), dL/da<t-1> (B, n_a), and
        ``{"W_a": (n_a, n_a + n_x), "b_a": (n_a,)}`` for this step alone.

    Raises:
        ValueError: If ``da_t`` does not have the shape of a<t> or holds NaN.
    """
    a_t, W_a = cache.a_t, cache.params["W_a"]
    da_t = _check_upstream("da_t", da_t, a_t.shape)
    n_a = a_t.shape[1]

    # g'(z) written through a_t: tanh' = 1 - a_t^2, relu' = [z > 0] = [a_t > 0]
    dg = 1.0 - a_t**2 if cache.activation == "tanh" else (a_t > 0.0).astype(a_t.dtype)
    dz = da_t * dg  # (B, n_a)
    grads = {"W_a": dz.T @ cache.concat, "b_a": dz.sum(axis=0)}  # (n_a, n_a + n_x), (n_a,)
    dconcat = dz @ W_a  # (B, n_a + n_x)
    return dconcat[:, n_a:], dconcat[:, :n_a], grads


def rnn_forward(
    x: np.ndarray, a0: np.ndarray, params: Params, *, activation: str = "tanh"
) -> tuple[np.ndarray, list[RNNCache]]:
    """Run the RNN over a whole sequence, left to right.

    Args:
        x: Inputs, (B, T, n_x), T >= 1.
        a0: Initial activation a<0>, (B, n_a).
        params: ``W_a`` (n_a, n_a + n_x) and ``b_a`` (n_a,).
        activation: "tanh" or "relu".

    Returns:
        ``(a, caches)``: a<1..T> as (B, T, n_a) and one cache per step, for ``rnn_backward``.

    Raises:
        ValueError: On a wrong shape, a NaN, or an unknown activation.
    """
    x, a_prev = _check_sequence(x, a0)
    a_steps, caches = [], []
    for t in range(x.shape[1]):
        a_prev, cache = rnn_cell_forward(x[:, t], a_prev, params, activation=activation)
        a_steps.append(a_prev)
        caches.append(cache)
    return np.stack(a_steps, axis=1), caches


def rnn_backward(
    da: np.ndarray, caches: Sequence[RNNCache], *, return_norms: bool = False
) -> tuple[np.ndarray, ...]:
    """Backpropagation through time for ``rnn_forward``.

    Walking from t = T down to 1, the gradient reaching a<t> is ``da[:, t]`` (from the loss at
    step t) plus the gradient carried back from step t + 1; the shared W_a, b_a sum the
    gradients of every step.

    Args:
        da: dL/da<t> from the outputs at every step, (B, T, n_a); zeros where the loss does not
            look at a<t> (e.g. many-to-one: only ``da[:, -1]`` is non-zero).
        caches: From ``rnn_forward``.
        return_norms: Also return ||dL/da<t>|| for every step.

    Returns:
        ``(dx, da0, grads)``: dL/dx (B, T, n_x), dL/da<0> (B, n_a) and
        ``{"W_a": (n_a, n_a + n_x), "b_a": (n_a,)}``. With ``return_norms=True`` a fourth item,
        ``da_norms`` (T,): the Frobenius norm over (B, n_a) of the total gradient reaching
        a<t> (output plus carried), the quantity that vanishes or explodes.

    Raises:
        ValueError: If ``caches`` is empty or ``da`` does not have shape (B, T, n_a) or has NaN.
    """
    _check_caches(caches)
    return _bptt(da, caches, rnn_cell_backward, caches[0].a_t.shape, return_norms=return_norms)
