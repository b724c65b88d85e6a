"""The vanishing-gradient experiment's settings: :class:`RecallConfig` (the recall model) and
:class:`VanishingConfig` (the experiment's budget).

Standard library only (no torch), so the command line derives its flags from these fields
without importing the experiment; :mod:`seqlab.diagnose.vanishing` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RecallConfig", "VanishingConfig"]


@dataclass(frozen=True)
class RecallConfig:
    """A many-to-one recall model."""

    cell: str = "lstm"  # rnn | gru | lstm
    n_symbols: int = 4  # classes to recall; chance accuracy is 1 / n_symbols
    n_distractors: int = 8  # distinct distractor tokens after the first one
    embedding_size: int = 16  # E
    hidden_size: int = 32  # n_a


@dataclass(frozen=True)
class VanishingConfig:
    """The experiment: same budget for every cell."""

    T: int = 50  # distance between the token to recall and the output
    steps: int = 400  # training steps per cell
    batch_size: int = 64  # sequences per step
    lr: float = 0.01  # Adam learning rate
    clip_norm: float = 1.0  # global gradient-norm clipping
    hidden_size: int = 32  # n_a of every cell
    gate_bias: float = 3.0  # initial bias toward remembering: +b on Γf (LSTM), -b on Γu (GRU)
    n_symbols: int = 4  # chance accuracy is 1 / n_symbols
    test_size: int = 1000  # held-out sequences for the accuracy
    seed: int = 0  # data and initialisation

    def __post_init__(self) -> None:
        if self.T < 2:
            raise ValueError(f"T must be at least 2, got {self.T}")
        for name in ("steps", "batch_size", "hidden_size", "test_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.n_symbols < 2:
            raise ValueError(f"n_symbols must be at least 2, got {self.n_symbols}")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}")
