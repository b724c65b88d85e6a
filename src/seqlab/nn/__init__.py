"""Recurrent cells and layers of the notes, additive attention, masks and readouts (``seqlab.nn``).

Cells take one step, layers take batch-first sequences ``x: (B, T, n_x)`` and return
``(a, final_state)``; parameters carry the notes' names (``W_u``, ``b_u``, ...).
``AdditiveAttention`` is the notes' attention model (energies, softmax, context);
``lengths_to_mask`` marks the real positions of a padded batch; ``last_step``, ``pool_steps``
and ``concat_steps`` read one vector per sequence from a layer's outputs.
"""

from seqlab.nn.attention import AdditiveAttention
from seqlab.nn.cells import GRUCell, LSTMCell, RNNCell
from seqlab.nn.masks import lengths_to_mask
from seqlab.nn.pooling import concat_steps, last_step, pool_steps
from seqlab.nn.recurrent import GRU, LSTM, RNN, reverse_padded
from seqlab.nn.scan import gru_scan, lstm_scan, rnn_scan

__all__ = [
    "RNNCell",
    "GRUCell",
    "LSTMCell",
    "RNN",
    "GRU",
    "LSTM",
    "AdditiveAttention",
    "lengths_to_mask",
    "last_step",
    "pool_steps",
    "concat_steps",
    "reverse_padded",
    "rnn_scan",
    "gru_scan",
    "lstm_scan",
]
