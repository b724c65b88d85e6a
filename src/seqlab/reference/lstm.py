"""Long Short-Term Memory forward and backpropagation through time in NumPy (notes: "Long Short
Term Memory (LSTM)"; Hochreiter & Schmidhuber 1997, peepholes from Gers & Schmidhuber 2000).

    c_tilde = tanh(W_c [a_prev, x_t] + b_c)
    gamma_u = sigmoid(W_u [a_prev, x_t] + b_u)       (+ p_u * c_prev with peepholes)
    gamma_f = sigmoid(W_f [a_prev, x_t] + b_f)       (+ p_f * c_prev with peepholes)
    c_t     = gamma_u * c_tilde + gamma_f * c_prev
    gamma_o = sigmoid(W_o [a_prev, x_t] + b_o)       (+ p_o * c_t: the output gate sees the NEW c)
    a_t     = gamma_o * tanh(c_t)

gamma_o is computed after c_t so that one order serves both variants. Every W_g is
(n_a, n_a + n_x) on [a_prev, x_t] (a_prev first), every b_g and peephole p_g is (n_a,); the
peepholes are diagonal (elementwise). Batch-first: x (B, T, n_x), a and c (B, T, n_a).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .rnn import (
    Params,
    _accumulate,
    _as_array,
    _check_caches,
    _check_params,
    _check_sequence,
    _check_shape,
    _check_step,
    _check_upstream,
    sigmoid,
)

NAMES = ("W_c", "W_u", "W_f", "W_o", "b_c", "b_u", "b_f", "b_o")
PEEPHOLE_NAMES = NAMES + ("p_u", "p_f", "p_o")


@dataclass(frozen=True)
class LSTMCache:
    """What ``lstm_cell_backward`` needs from one forward step.

    Attributes:
        concat: [a_prev, x_t], (B, n_a + n_x).
        c_prev: c<t-1>, (B, n_a).
        c_tilde, gamma_u, gamma_f, gamma_o: Candidate and gates, each (B, n_a).
        c_t: New memory cell c<t>, (B, n_a).
        a_t: New activation a<t>, (B, n_a).
        params: The parameters used (not copied).
        peephole: Whether the gates looked at the cell.
    """

    concat: np.ndarray
    c_prev: np.ndarray
    c_tilde: np.ndarray
    gamma_u: np.ndarray
    gamma_f: np.ndarray
    gamma_o: np.ndarray
    c_t: np.ndarray
    a_t: np.ndarray
    params: Params
    peephole: bool


def lstm_cell_forward(
    x_t: np.ndarray,
    a_prev: np.ndarray,
    c_prev: np.ndarray,
    params: Params,
    *,
    peephole: bool = False,
) -> tuple[np.ndarray, np.ndarray, LSTMCache]:
    """One LSTM step of the notes.

    Args:
        x_t: Input at step t, (B, n_x).
        a_prev: Activation a<t-1>, (B, n_a).
        c_prev: Memory cell c<t-1>, (B, n_a).
        params: ``W_c``, ``W_u``, ``W_f``, ``W_o`` (n_a, n_a + n_x), ``b_c``, ``b_u``, ``b_f``,
            ``b_o`` (n_a,), and with ``peephole=True`` also ``p_u``, ``p_f``, ``p_o`` (n_a,).
        peephole: Let the gates look at the memory cell.

    Returns:
        ``(a_t, c_t, cache)``: a<t> (B, n_a), c<t> (B, n_a) and the cache for
        ``lstm_cell_backward``.

    Raises:
        ValueError: On a wrong shape, a missing or unexpected parameter, or a NaN.
    """
    x_t, a_prev = _check_step(x_t, a_prev)
    c_prev = _as_array("c_prev", c_prev, 2, "(B, n_a)")
    _check_shape("c_prev", c_prev, a_prev.shape)
    names = PEEPHOLE_NAMES if peephole else NAMES
    _check_params(params, names, a_prev.shape[1], x_t.shape[1], flag=f" (peephole={peephole})")
    p = params
    # without peepholes the p_g * c terms are 0: one set of equations serves both variants
    p_u, p_f, p_o = (p["p_u"], p["p_f"], p["p_o"]) if peephole else (0.0, 0.0, 0.0)

    concat = np.concatenate([a_prev, x_t], axis=1)  # (B, n_a + n_x)
    c_tilde = np.tanh(concat @ p["W_c"].T + p["b_c"])  # (B, n_a)
    gamma_u = sigmoid(concat @ p["W_u"].T + p_u * c_prev + p["b_u"])  # (B, n_a)
    gamma_f = sigmoid(concat @ p["W_f"].T + p_f * c_prev + p["b_f"])  # (B, n_a)
    c_t = gamma_u * c_tilde + gamma_f * c_prev  # (B, n_a)
    gamma_o = sigmoid(concat @ p["W_o"].T + p_o * c_t + p["b_o"])  # (B, n_a)
    a_t = gamma_o * np.tanh(c_t)  # (B, n_a)
    cache = LSTMCache(concat, c_prev, c_tilde, gamma_u, gamma_f, gamma_o, c_t, a_t, p, peephole)
    return a_t, c_t, cache


def lstm_cell_backward(
    da_t: np.ndarray, dc_t: np.ndarray, cache: LSTMCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Params]:
    """Backward of one LSTM step, the forward equations in reverse order.

    Args:
        da_t: dL/da<t> reaching a<t> (output and later steps), (B, n_a).
        dc_t: dL/dc<t> carried back from later steps only (the path through a<t> is added
            here), (B, n_a).
        cache: From ``lstm_cell_forward``.

    Returns:
        ``(dx_t, da_prev, dc_prev, grads)``: dL/dx<t> (B, n_x), dL/da<t-1> (B, n_a),
        dL/dc<t-1> (B, n_a), and this step's gradients of every parameter, each of its shape.

    Raises:
        ValueError: If ``da_t`` or ``dc_t`` does not have the shape of a<t> or holds NaN.
    """
    c = cache
    da_t = _check_upstream("da_t", da_t, c.a_t.shape)
    dc_t = _check_upstream("dc_t", dc_t, c.c_t.shape)
    n_a = c.a_t.shape[1]
    sig_grad = {"u": c.gamma_u * (1.0 - c.gamma_u), "f": c.gamma_f * (1.0 - c.gamma_f)}

    # a_t = gamma_o * tanh(c_t), gamma_o = sigmoid(W_o [a_prev, x_t] + p_o * c_t + b_o)
    tanh_c = np.tanh(c.c_t)  # (B, n_a)
    dz = {"o": da_t * tanh_c * c.gamma_o * (1.0 - c.gamma_o)}  # (B, n_a)
    dc = dc_t + da_t * c.gamma_o * (1.0 - tanh_c**2)  # (B, n_a) total gradient reaching c_t
    if c.peephole:
        dc = dc + dz["o"] * c.params["p_o"]
    # c_t = gamma_u * c_tilde + gamma_f * c_prev
    dz["c"] = dc * c.gamma_u * (1.0 - c.c_tilde**2)  # (B, n_a) through c_tilde = tanh(.)
    dz["u"] = dc * c.c_tilde * sig_grad["u"]  # (B, n_a)
    dz["f"] = dc * c.c_prev * sig_grad["f"]  # (B, n_a)
    dc_prev = dc * c.gamma_f  # (B, n_a)
    grads = {}
    if c.peephole:
        dc_prev = dc_prev + dz["u"] * c.params["p_u"] + dz["f"] * c.params["p_f"]
        grads["p_u"] = (dz["u"] * c.c_prev).sum(axis=0)  # (n_a,)
        grads["p_f"] = (dz["f"] * c.c_prev).sum(axis=0)  # (n_a,)
        grads["p_o"] = (dz["o"] * c.c_t).sum(axis=0)  # (n_a,)
    # every gate and c_tilde: pre-activation W_g [a_prev, x_t] + b_g
    dconcat = np.zeros_like(c.concat)  # (B, n_a + n_x)
    for g, dz_g in dz.items():
        grads[f"W_{g}"] = dz_g.T @ c.concat  # (n_a, n_a + n_x)
        grads[f"b_{g}"] = dz_g.sum(axis=0)  # (n_a,)
        dconcat = dconcat + dz_g @ c.params[f"W_{g}"]
    return dconcat[:, n_a:], dconcat[:, :n_a], dc_prev, grads


def lstm_forward(
    x: np.ndarray, a0: np.ndarray, c0: np.ndarray, params: Params, *, peephole: bool = False
) -> tuple[np.ndarray, np.ndarray, list[LSTMCache]]:
    """Run the LSTM over a whole sequence, left to right.

    Args:
        x: Inputs, (B, T, n_x), T >= 1.
        a0: Initial activation a<0>, (B, n_a).
        c0: Initial memory cell c<0>, (B, n_a).
        params: As in ``lstm_cell_forward``.
        peephole: Let the gates look at the memory cell.

    Returns:
        ``(a, c, caches)``: a<1..T> (B, T, n_a), the WHOLE memory-cell sequence c<1..T>
        (B, T, n_a) (the final cell is ``c[:, -1]``), and one cache per step.

    Raises:
        ValueError: On a wrong shape, a missing or unexpected parameter, or a NaN.
    """
    x, a_prev = _check_sequence(x, a0)
    c_prev = _as_array("c0", c0, 2, "(B, n_a)")
    _check_shape("c0", c_prev, a_prev.shape)
    a_steps, c_steps, caches = [], [], []
    for t in range(x.shape[1]):
        a_prev, c_prev, cache = lstm_cell_forward(
            x[:, t], a_prev, c_prev, params, peephole=peephole
        )
        a_steps.append(a_prev)
        c_steps.append(c_prev)
        caches.append(cache)
    return np.stack(a_steps, axis=1), np.stack(c_steps, axis=1), caches


def lstm_backward(
    da: np.ndarray,
    caches: Sequence[LSTMCache],
    *,
    dc_last: np.ndarray | None = None,
    return_norms: bool = False,
) -> tuple[np.ndarray, ...]:
    """Backpropagation through time for ``lstm_forward``.

    Two gradients are carried back from step t + 1 to step t: one into a<t> (added to
    ``da[:, t]``) and one into c<t>, the memory cell's nearly additive highway that lets the
    LSTM's gradient survive long sequences.

    Args:
        da: dL/da<t> from the outputs at every step, (B, T, n_a).
        caches: From ``lstm_forward``.
        dc_last: dL/dc<T> from a loss on the final memory cell (e.g. an encoder's final state
            handed to a decoder), (B, n_a); ``None`` means zero.
        return_norms: Also return ||dL/da<t>|| for every step.

    Returns:
        ``(dx, da0, dc0, grads)``: dL/dx (B, T, n_x), dL/da<0> (B, n_a), dL/dc<0> (B, n_a) and
        the gradient of every parameter, each of its shape. With ``return_norms=True`` a fifth
        item ``da_norms`` (T,): the Frobenius norm over (B, n_a) of the total gradient reaching
        a<t> (output plus carried).

    Raises:
        ValueError: If ``caches`` is empty, or ``da`` (B, T, n_a) or ``dc_last`` (B, n_a) has
            the wrong shape or a NaN.
    """
    _check_caches(caches)
    (B, n_a), T = caches[0].a_t.shape, len(caches)
    da = _check_upstream("da", da, (B, T, n_a))
    dc_next = np.zeros((B, n_a), dtype=da.dtype) if dc_last is None else dc_last
    dc_next = _check_upstream("dc_last", dc_next, (B, n_a))

    dx_steps, grads, da_norms = [], {}, np.zeros(T)
    da_next = np.zeros((B, n_a), dtype=da.dtype)  # nothing flows back from beyond step T
    for t in reversed(range(T)):
        da_t = da[:, t] + da_next  # (B, n_a) output gradient + carried gradient
        da_norms[t] = np.linalg.norm(da_t)
        dx_t, da_next, dc_next, step_grads = lstm_cell_backward(da_t, dc_next, caches[t])
        dx_steps.append(dx_t)
        _accumulate(grads, step_grads)
    dx = np.stack(dx_steps[::-1], axis=1)  # (B, T, n_x)
    if return_norms:
        return dx, da_next, dc_next, grads, da_norms
    return dx, da_next, dc_next, grads
