"""Gated Recurrent Unit forward and backpropagation through time in NumPy (notes: "Gated
Recurrent Unit (GRU)"; Cho et al. 2014, "On the Properties of Neural Machine Translation").

The full GRU of the notes, with the relevance gate applied BEFORE the matrix product:

    gamma_u = sigmoid(W_u [c_prev, x_t] + b_u)
    gamma_r = sigmoid(W_r [c_prev, x_t] + b_r)
    c_tilde = tanh(W_c [gamma_r * c_prev, x_t] + b_c)
    c_t     = gamma_u * c_tilde + (1 - gamma_u) * c_prev,      a_t = c_t

Gotcha: ``torch.nn.GRU`` differs twice: it applies its reset gate AFTER the product
(r * (W_hn h + b_hn)) and its update gate z plays the role of 1 - gamma_u.

``relevance_gate=False`` gives the simplified GRU the notes start from: no W_r, b_r, and
c_tilde = tanh(W_c [c_prev, x_t] + b_c). Every W_g is (n_a, n_a + n_x) on [c_prev, x_t] (c_prev
first), every b_g is (n_a,). Batch-first: x (B, T, n_x), c (B, T, n_a).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .rnn import (
    Params,
    _bptt,
    _check_caches,
    _check_params,
    _check_sequence,
    _check_step,
    _check_upstream,
    sigmoid,
)

FULL_NAMES = ("W_c", "W_u", "W_r", "b_c", "b_u", "b_r")
SIMPLIFIED_NAMES = ("W_c", "W_u", "b_c", "b_u")


@dataclass(frozen=True)
class GRUCache:
    """What ``gru_cell_backward`` needs from one forward step.

    Attributes:
        concat: [c_prev, x_t], (B, n_a + n_x), input of the gates.
        concat_r: [gamma_r * c_prev, x_t] (or ``concat`` without the relevance gate),
            (B, n_a + n_x), input of c_tilde.
        c_prev: c<t-1>, (B, n_a).
        gamma_u: Update gate, (B, n_a).
        gamma_r: Relevance gate, (B, n_a); ``None`` for the simplified GRU.
        c_tilde: Candidate memory, (B, n_a).
        c_t: New memory c<t> = a<t>, (B, n_a).
        params: The parameters used (not copied).
    """

    concat: np.ndarray
    concat_r: np.ndarray
    c_prev: np.ndarray
    gamma_u: np.ndarray
    gamma_r: np.ndarray | None
    c_tilde: np.ndarray
    c_t: np.ndarray
    params: Params


def gru_cell_forward(
    x_t: np.ndarray, c_prev: np.ndarray, params: Params, *, relevance_gate: bool = True
) -> tuple[np.ndarray, GRUCache]:
    """One GRU step of the notes (full GRU, or simplified with ``relevance_gate=False``).

    Args:
        x_t: Input at step t, (B, n_x).
        c_prev: Memory cell c<t-1> (= a<t-1>), (B, n_a).
        params: ``W_c``, ``W_u``, ``W_r`` (n_a, n_a + n_x) and ``b_c``, ``b_u``, ``b_r`` (n_a,);
            without ``W_r``, ``b_r`` when ``relevance_gate=False``.
        relevance_gate: Use gamma_r (full GRU) or not (simplified GRU).

    Returns:
        ``(c_t, cache)``: c<t> = a<t> (B, n_a) and the cache for ``gru_cell_backward``.

    Raises:
        ValueError: On a wrong shape, a missing or unexpected parameter, or a NaN.
    """
    x_t, c_prev = _check_step(x_t, c_prev, "c_prev")
    names = FULL_NAMES if relevance_gate else SIMPLIFIED_NAMES
    flag = f" (relevance_gate={relevance_gate})"
    _check_params(params, names, c_prev.shape[1], x_t.shape[1], flag=flag)
    p = params

    concat = np.concatenate([c_prev, x_t], axis=1)  # (B, n_a + n_x)
    gamma_u = sigmoid(concat @ p["W_u"].T + p["b_u"])  # (B, n_a)
    gamma_r = sigmoid(concat @ p["W_r"].T + p["b_r"]) if relevance_gate else None  # (B, n_a)
    concat_r = np.concatenate([gamma_r * c_prev, x_t], axis=1) if relevance_gate else concat
    c_tilde = np.tanh(concat_r @ p["W_c"].T + p["b_c"])  # (B, n_a)
    c_t = gamma_u * c_tilde + (1.0 - gamma_u) * c_prev  # (B, n_a)
    cache = GRUCache(concat, concat_r, c_prev, gamma_u, gamma_r, c_tilde, c_t, params)
    return c_t, cache


def gru_cell_backward(dc_t: np.ndarray, cache: GRUCache) -> tuple[np.ndarray, np.ndarray, Params]:
    """Backward of one GRU step, the forward equations in reverse order.

    Args:
        dc_t: dL/dc<t>, everything that reaches c<t> (output and later steps), (B, n_a).
        cache: From ``gru_cell_forward``.

    Returns:
        ``(dx_t, dc_prev, grads)``: dL/dx<t> (B, n_x), dL/dc<t-1> (B, n_a), and this step's
        gradients of every parameter in the cache's ``params``, each of its shape.

    Raises:
        ValueError: If ``dc_t`` does not have the shape of c<t> or holds NaN.
    """
    c = cache
    dc_t = _check_upstream("dc_t", dc_t, c.c_t.shape)
    n_a = c.c_t.shape[1]

    # c_t = gamma_u * c_tilde + (1 - gamma_u) * c_prev
    dc_tilde = dc_t * c.gamma_u  # (B, n_a)
    dgamma_u = dc_t * (c.c_tilde - c.c_prev)  # (B, n_a)
    dc_prev = dc_t * (1.0 - c.gamma_u)  # (B, n_a) the direct path through (1 - gamma_u)
    # c_tilde = tanh(W_c [gamma_r * c_prev, x_t] + b_c)
    dz_c = dc_tilde * (1.0 - c.c_tilde**2)  # (B, n_a)
    dconcat_r = dz_c @ c.params["W_c"]  # (B, n_a + n_x)
    dx_t = dconcat_r[:, n_a:]  # (B, n_x)
    grads = {"W_c": dz_c.T @ c.concat_r, "b_c": dz_c.sum(axis=0)}
    # the gates: gamma_g = sigmoid(W_g [c_prev, x_t] + b_g), sigmoid' = gamma (1 - gamma)
    dz = {"u": dgamma_u * c.gamma_u * (1.0 - c.gamma_u)}  # (B, n_a)
    if c.gamma_r is None:
        dc_prev = dc_prev + dconcat_r[:, :n_a]
    else:
        dc_prev = dc_prev + dconcat_r[:, :n_a] * c.gamma_r
        dgamma_r = dconcat_r[:, :n_a] * c.c_prev  # (B, n_a)
        dz["r"] = dgamma_r * c.gamma_r * (1.0 - c.gamma_r)  # (B, n_a)
    for g, dz_g in dz.items():
        grads[f"W_{g}"] = dz_g.T @ c.concat  # (n_a, n_a + n_x)
        grads[f"b_{g}"] = dz_g.sum(axis=0)  # (n_a,)
        dconcat = dz_g @ c.params[f"W_{g}"]  # (B, n_a + n_x)
        dc_prev = dc_prev + dconcat[:, :n_a]
        dx_t = dx_t + dconcat[:, n_a:]
    return dx_t, dc_prev, grads


def gru_forward(
    x: np.ndarray, c0: np.ndarray, params: Params, *, relevance_gate: bool = True
) -> tuple[np.ndarray, list[GRUCache]]:
    """Run the GRU over a whole sequence, left to right.

    Args:
        x: Inputs, (B, T, n_x), T >= 1.
        c0: Initial memory c<0> (= a<0>), (B, n_a).
        params: As in ``gru_cell_forward``.
        relevance_gate: Full GRU (True) or simplified GRU (False).

    Returns:
        ``(c, caches)``: c<1..T> = a<1..T> as (B, T, n_a) and one cache per step.

    Raises:
        ValueError: On a wrong shape, a missing or unexpected parameter, or a NaN.
    """
    x, c_prev = _check_sequence(x, c0, "c0")
    c_steps, caches = [], []
    for t in range(x.shape[1]):
        c_prev, cache = gru_cell_forward(x[:, t], c_prev, params, relevance_gate=relevance_gate)
        c_steps.append(c_prev)
        caches.append(cache)
    return np.stack(c_steps, axis=1), caches


def gru_backward(
    dc: np.ndarray, caches: Sequence[GRUCache], *, return_norms: bool = False
) -> tuple[np.ndarray, ...]:
    """Backpropagation through time for ``gru_forward``.

    As for the RNN: the gradient reaching c<t> is ``dc[:, t]`` plus the gradient carried back
    from step t + 1, and the shared parameters sum the gradients of every step.

    Args:
        dc: dL/dc<t> (= dL/da<t>) from the outputs at every step, (B, T, n_a).
        caches: From ``gru_forward``.
        return_norms: Also return ||dL/dc<t>|| for every step.

    Returns:
        ``(dx, dc0, grads)``: dL/dx (B, T, n_x), dL/dc<0> (B, n_a) and the gradient of every
        parameter, each of its shape. With ``return_norms=True`` a fourth item ``dc_norms``
        (T,): the Frobenius norm over (B, n_a) of the total gradient reaching c<t>.

    Raises:
        ValueError: If ``caches`` is empty or ``dc`` does not have shape (B, T, n_a) or has NaN.
    """
    _check_caches(caches)
    state_shape = caches[0].c_t.shape
    return _bptt(dc, caches, gru_cell_backward, state_shape, name="dc", return_norms=return_norms)
