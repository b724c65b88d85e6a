"""A piano-roll RNN: polyphonic music modelled with independent sigmoids over the 88 keys.

At step t the model reads the previous step's keys x<t> = roll<t-1> (88 zeros/ones; a zero vector
before the first step), updates a recurrent state a<t> (RNN, GRU or LSTM of seqlab.nn, deep,
with dropout) and gives 88 logits; ŷ<t>_k = sigmoid(logit_k) is the probability that key k
sounds at step t. Keys are independent given the past, so the negative log-likelihood of a step
is the sum of 88 binary cross-entropies; the reported loss is its mean over real time steps
("NLL per time step" of Boulanger-Lewandowski et al. 2012 and Chung et al. 2014, in nats).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqlab.music.config import MusicConfig
from seqlab.music.data import N_KEYS
from seqlab.nn import GRU, LSTM, RNN, lengths_to_mask

__all__ = ["CELLS", "MusicConfig", "PianoRollRNN", "step_nll"]

CELLS = {"rnn": RNN, "gru": GRU, "lstm": LSTM}


def step_nll(logits: Tensor, y: Tensor) -> Tensor:
    """NLL of every step: the sum over the 88 keys of binary cross-entropies.

    logits: (B, T, 88), y: (B, T, 88) 0/1 -> (B, T) nats.
    """
    return F.binary_cross_entropy_with_logits(logits, y, reduction="none").sum(-1)  # (B, T)


class PianoRollRNN(nn.Module):
    """Many-to-many RNN over piano rolls; see the module docstring.

    Args:
        config: the architecture.
    """

    task = "music"  # config.json's "task" (seqlab.TASKS)
    config_class = MusicConfig

    def __init__(self, config: MusicConfig) -> None:
        super().__init__()
        self.config = config
        H = config.hidden_size
        self.rnn = CELLS[config.cell](N_KEYS, H, num_layers=config.num_layers,
                                      dropout=config.dropout)  # fmt: skip
        self.out = nn.Linear(H, N_KEYS)

    def forward(
        self, x: Tensor, state: Any = None, lengths: Tensor | None = None
    ) -> tuple[Tensor, Any]:
        """Logits of every key at every step.

        Args:
            x: (B, T, 88) float, the previous steps (see :func:`seqlab.music.shift_inputs`).
            state: the state to start from, (L, B, H) or (a, c) for the LSTM; None = zeros.
            lengths: (B,) real lengths of padded rows; None = all T.

        Returns:
            logits: (B, T, 88), before the sigmoid.
            state: the final state.
        """
        a, state = self.rnn(x, state, lengths)  # (B, T, H)
        a = F.dropout(a, self.config.dropout, self.training)  # (B, T, H)
        return self.out(a), state  # (B, T, 88)

    # --- the Trainer's protocol -----------------------------------------------------------

    def _nll_sum(self, batch: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
        """Summed NLL over the batch's real steps, and how many real steps there are."""
        logits, _ = self(batch["x"], None, batch["lengths"])  # (B, T, 88)
        mask = lengths_to_mask(batch["lengths"], logits.shape[1]).to(logits.device)  # (B, T)
        nll = step_nll(logits, batch["y"])  # (B, T)
        return (nll * mask).sum(), mask.sum()

    def loss(self, batch: dict[str, Tensor]) -> Tensor:
        """Mean NLL per real time step (nats): sum of the 88 keys' cross-entropies."""
        total, n_steps = self._nll_sum(batch)
        return total / n_steps

    @torch.no_grad()
    def evaluate(self, batch: dict[str, Tensor]) -> dict[str, float]:
        """``{"loss": NLL per time step, "nll_per_step": the same}``."""
        nll = float(self.loss(batch))
        return {"loss": nll, "nll_per_step": nll}

    def count_tokens(self, batch: dict[str, Tensor]) -> int:
        """Real time steps in a batch (what ``loss`` averages over)."""
        return int(batch["lengths"].sum())

    def n_parameters(self) -> int:
        """Trainable parameters (the paper compares models of about equal size)."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)
