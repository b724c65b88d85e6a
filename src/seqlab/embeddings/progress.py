"""What every embedding trainer (Word2Vec, GloVe, NeuralLM) reports while it trains.

``trainer.train(corpus, callbacks=[...], on_progress=...)``: each callback gets one
:class:`EpochStats` at the end of every epoch; ``on_progress(n)`` is told, several times an
epoch, that n more corpus tokens were processed (the CLI turns it into a words/s progress bar).
The loss is the epoch's mean per training example, so it neither accumulates across epochs nor
saturates (gensim's ``get_latest_training_loss`` does both).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Callback", "EpochStats", "ProgressHook"]


@dataclass(frozen=True)
class EpochStats:
    """One finished epoch.

    Attributes:
        epoch: 1-based epoch number.
        loss: mean loss per training example of this epoch (per (center, context) pair for
            word2vec, per non-zero co-occurrence for GloVe, per predicted word for the NPLM).
        words: corpus tokens processed this epoch (before subsampling).
        seconds: wall time of the epoch.
        learning_rate: the learning rate at the end of the epoch.
    """

    epoch: int
    loss: float
    words: int
    seconds: float
    learning_rate: float

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else float("inf")


Callback = Callable[[EpochStats], None]
ProgressHook = Callable[[int], None]
