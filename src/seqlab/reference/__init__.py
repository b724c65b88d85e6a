"""NumPy reference of the notes' recurrent cells, with backpropagation through time written out
step by step, gradient checking and gradient clipping. Imports NumPy only (no torch).

Conventions (shared with ``seqlab.nn``): batch-first, x (B, T, n_x), a (B, T, n_a); parameters
are a dict with the notes' names; every W_g is (n_a, n_a + n_x) on [a_prev, x_t] (a_prev first)
and every b_g is (n_a,).

    a, caches = rnn_forward(x, a0, params)
    dx, da0, grads, da_norms = rnn_backward(da, caches, return_norms=True)
"""

from .clip import clip_by_global_norm, clip_by_value
from .gradcheck import gradient_check, numerical_gradient, relative_error
from .gru import GRUCache, gru_backward, gru_cell_backward, gru_cell_forward, gru_forward
from .lstm import LSTMCache, lstm_backward, lstm_cell_backward, lstm_cell_forward, lstm_forward
from .rnn import RNNCache, rnn_backward, rnn_cell_backward, rnn_cell_forward, rnn_forward, sigmoid

__all__ = [
    "GRUCache",
    "LSTMCache",
    "RNNCache",
    "clip_by_global_norm",
    "clip_by_value",
    "gradient_check",
    "gru_backward",
    "gru_cell_backward",
    "gru_cell_forward",
    "gru_forward",
    "lstm_backward",
    "lstm_cell_backward",
    "lstm_cell_forward",
    "lstm_forward",
    "numerical_gradient",
    "relative_error",
    "rnn_backward",
    "rnn_cell_backward",
    "rnn_cell_forward",
    "rnn_forward",
    "sigmoid",
]
