"""Recurrent cells, layers and architectures of the notes, attention, masks (``seqlab.nn``).

Cells take one step, layers take batch-first sequences ``x: (B, T, n_x)`` and return
``(a, final_state)``; parameters carry the notes' names (``W_u``, ``b_u``, ...).
"""

from seqlab.nn.attention import AdditiveAttention
from seqlab.nn.cells import GRUCell, LSTMCell, RNNCell
from seqlab.nn.heads import (
    EncoderDecoder,
    ManyToMany,
    ManyToOne,
    OneToMany,
    concat_steps,
    last_step,
    pool_steps,
)
from seqlab.nn.masks import lengths_to_mask
from seqlab.nn.recurrent import GRU, LSTM, RNN, reverse_padded
from seqlab.nn.scan import gru_scan, lstm_scan, rnn_scan

__all__ = [
    "RNNCell",
    "GRUCell",
    "LSTMCell",
    "RNN",
    "GRU",
    "LSTM",
    "ManyToMany",
    "ManyToOne",
    "OneToMany",
    "EncoderDecoder",
    "AdditiveAttention",
    "last_step",
    "pool_steps",
    "concat_steps",
    "lengths_to_mask",
    "reverse_padded",
    "rnn_scan",
    "gru_scan",
    "lstm_scan",
]
