"""The embedding trainers' settings: :class:`Word2VecConfig` (skip-gram and CBOW),
:class:`GloVeConfig` and :class:`NPLMConfig` (Bengio's neural language model).

Standard library only (no NumPy, Numba or torch), so these settings can be read and checked
without importing the trainers; :mod:`seqlab.embeddings.word2vec`, :mod:`~seqlab.embeddings.glove`
and :mod:`~seqlab.embeddings.nplm` re-export them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from seqlab._config import check_fields

__all__ = ["GloVeConfig", "NPLMConfig", "Word2VecConfig"]


@dataclass(frozen=True)
class Word2VecConfig:
    """word2vec's hyperparameters (gensim's names and defaults)."""

    sg: bool = True  # skip-gram (True) or CBOW (False)
    dim: int = 100  # size of each vector (gensim's vector_size, word2vec.c's -size)
    window: int = 5  # largest distance between target and context word
    negative: int = 5  # negatives k per positive example; 0 turns negative sampling off
    hs: bool = False  # hierarchical softmax over a Huffman tree
    sample: float = 1e-3  # subsampling threshold t for frequent words; 0 keeps all
    ns_exponent: float = 0.75  # noise distribution P(w) ~ count(w)^ns_exponent
    cbow_mean: bool = True  # CBOW averages the context vectors (False: sums them)
    epochs: int = 5  # passes over the corpus
    alpha: float = 0.025  # initial learning rate
    min_alpha: float = 0.0001  # learning rate at the end (linear decay over all epochs)
    threads: int = 2  # worker threads (Hogwild updates; 1 is exactly reproducible)
    seed: int = 1  # weight initialisation and every sampler

    def __post_init__(self) -> None:
        for name in ("dim", "window", "epochs", "threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.negative < 0:
            raise ValueError(f"negative must be >= 0, got {self.negative}")
        if self.negative == 0 and not self.hs:
            raise ValueError("choose an output layer: negative > 0 or hs=True (or both)")
        if not (math.isfinite(self.sample) and self.sample >= 0):
            raise ValueError(f"sample must be >= 0, got {self.sample}")
        if not (math.isfinite(self.alpha) and self.alpha > 0):
            raise ValueError(f"alpha must be a positive number, got {self.alpha}")
        if not (math.isfinite(self.min_alpha) and 0 <= self.min_alpha <= self.alpha):
            raise ValueError(f"min_alpha must be in [0, alpha], got {self.min_alpha}")


@dataclass(frozen=True)
class GloVeConfig:
    """Hyperparameters of :class:`GloVe` (defaults: the paper's and ``glove.c``'s)."""

    dim: int = 100  # E, length of each word vector
    window: int = 10  # symmetric window, the paper's 10 (sec. 4.2); cooccur.c and demo.sh use 15
    x_max: float = 100.0  # counts at or above x_max get full weight f = 1
    alpha: float = 0.75  # exponent of the weighting f(x) = (x / x_max)^alpha
    learning_rate: float = 0.05  # AdaGrad eta, as glove.c's -eta
    epochs: int = 25  # passes over the non-zero co-occurrences
    threads: int = 2  # Hogwild worker threads; 1 makes training deterministic
    seed: int = 0  # seeds the initial weights and every epoch's shuffle
    grad_clip: float = 100.0  # gradient components are clipped to +-grad_clip (glove.c)
    chunk_tokens: int = 1_000_000  # co-occurrence counting memory: tokens counted at a time

    def __post_init__(self) -> None:
        checks = [
            ("dim", self.dim >= 1, "at least 1"),
            ("window", self.window >= 1, "at least 1"),
            ("x_max", 0 < self.x_max < math.inf, "a positive finite number"),
            ("alpha", 0 <= self.alpha < math.inf, "a finite number >= 0"),
            ("learning_rate", 0 < self.learning_rate < math.inf, "a positive finite number"),
            ("epochs", self.epochs >= 1, "at least 1"),
            ("threads", self.threads >= 1, "at least 1"),
            ("seed", self.seed >= 0, "at least 0"),
            ("grad_clip", self.grad_clip > 0, "positive"),
            ("chunk_tokens", self.chunk_tokens >= 1, "at least 1"),
        ]
        for name, ok, need in checks:
            if not ok:
                raise ValueError(f"GloVeConfig.{name} must be {need}, got {getattr(self, name)}")


@dataclass(frozen=True)
class NPLMConfig:
    """The NPLM's architecture and its training (defaults: a small model for course corpora)."""

    dim: int = 100  # E, the embedding size (Bengio's m)
    context: int = 4  # n - 1, how many previous words the model sees
    hidden_size: int = 128  # H, tanh units (Bengio's h)
    direct: bool = False  # Bengio's direct connections W x from the embeddings to the output
    epochs: int = 5  # passes over the corpus
    batch_size: int = 256  # predicted words per Adam step
    learning_rate: float = 1e-3  # Adam's step size, constant
    threads: int = 2  # torch.set_num_threads while training, restored afterwards
    seed: int = 0  # initial weights and the shuffling of windows

    def __post_init__(self) -> None:
        checks = {
            "dim": self.dim >= 1,
            "context": self.context >= 1,
            "hidden_size": self.hidden_size >= 1,
            "epochs": self.epochs >= 1,
            "batch_size": self.batch_size >= 1,
            "learning_rate": math.isfinite(self.learning_rate) and self.learning_rate > 0,
            "threads": self.threads >= 1,
            "seed": self.seed >= 0,
        }
        check_fields(self, checks)
