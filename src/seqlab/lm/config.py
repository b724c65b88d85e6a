"""The language model's settings: :class:`LMConfig` (architecture), :class:`LMDataConfig`
(corpus to batches) and the named presets (:data:`PRESETS`).

Standard library only (no torch), so the command line derives its flags from these fields
without importing the model; :mod:`seqlab.lm.model` and :mod:`seqlab.lm.train` re-export them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from seqlab._config import check_fields

__all__ = ["CELL_NAMES", "LMConfig", "LMDataConfig", "PRESETS"]

CELL_NAMES = ("rnn", "gru", "lstm")  # the keys of seqlab.lm.model.CELLS


@dataclass(frozen=True)
class LMConfig:
    """The language model's architecture (the vocabulary lives beside it in vocab.json)."""

    # Removed options, with the value an old config.json must hold for them to load (the
    # behaviour that remains); see seqlab._config.drop_retired.
    RETIRED_FIELDS: ClassVar[dict[str, Any]] = {
        "weight_drop": 0.0,  # DropConnect on W_h (AWD-LSTM): tried on Shakespeare, not adopted
        "tie_weights": False,  # one matrix for the embedding and the softmax: no run used it
    }
    # The valid values of the fields that take one of a few names (--help and errors list them).
    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {
        "level": ("char", "word"),
        "mode": ("stream", "lines"),
        "cell": CELL_NAMES,
    }

    level: str = "char"  # "char" | "word": what one token is
    mode: str = "stream"  # "stream": stateful truncated BPTT | "lines": one sentence per line
    cell: str = "lstm"  # "rnn" | "gru" | "lstm"
    hidden_size: int = 256  # n_a
    num_layers: int = 1  # stacked recurrent layers
    embedding_size: int = 0  # 0 = one-hot input (the notes); else a learned embedding of this size
    dropout: float = 0.0  # on the embeddings, between layers and before the softmax
    vocab_size: int = 0  # V, set from the vocabulary when the model is built

    def __post_init__(self) -> None:
        checks = {
            "level": self.level in self.CHOICES["level"],
            "mode": self.mode in self.CHOICES["mode"],
            "cell": self.cell in CELL_NAMES,
            "hidden_size": self.hidden_size >= 1,
            "num_layers": self.num_layers >= 1,
            "embedding_size": self.embedding_size >= 0,
            "dropout": 0.0 <= self.dropout < 1.0,
            "vocab_size": self.vocab_size >= 0,
        }
        check_fields(self, checks)


@dataclass(frozen=True)
class LMDataConfig:
    """How the corpus becomes batches."""

    # Fields renamed since, old name -> new name: settings written before still load
    # (see seqlab._config.rename_fields).
    RENAMED_FIELDS: ClassVar[dict[str, str]] = {"lower": "lowercase"}

    val_fraction: float = 0.1  # held out for validation (stream: the end; lines: at random)
    batch_size: int = 32  # B: parallel columns (stream) or sentences (lines) per step
    bptt: int = 100  # T: steps of truncated backpropagation through time (stream mode)
    val_batch_size: int | None = None  # validation batch size; None = batch_size
    min_count: int = 1  # keep tokens seen at least this often; the rest become <unk>
    max_vocab: int | None = None  # keep at most this many tokens (most frequent); None = all
    lowercase: bool = False  # lowercase words (word level)
    split_seed: int = 0  # which lines are held out (lines mode)

    def __post_init__(self) -> None:
        checks = {
            "val_fraction": 0.0 <= self.val_fraction < 1.0,
            "batch_size": self.batch_size >= 1,
            "bptt": self.bptt >= 1,
            "val_batch_size": self.val_batch_size is None or self.val_batch_size >= 1,
            "min_count": self.min_count >= 1,
            "max_vocab": self.max_vocab is None or self.max_vocab >= 1,
        }
        check_fields(self, checks)


# 20 minutes of AdamW with warm-up and cosine decay over the time budget (both Shakespeare presets).
_SHAKESPEARE_TRAINER: dict[str, Any] = {
    "lr": 2e-3,
    "epochs": None,
    "max_minutes": 20.0,
    "clip_norm": 1.0,
    "lr_schedule": "cosine",
    "warmup_steps": 50,
    "min_lr_ratio": 0.05,
    "eval_every": 200,
}

# Named settings: {"model": LMConfig fields, "data": LMDataConfig fields, "trainer": ...}.
PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    # The demo: a character LSTM on the dinosaur names, well under a minute on one core.
    "dinos": {
        "model": {"level": "char", "mode": "lines", "cell": "lstm", "hidden_size": 128},
        "data": {"batch_size": 32, "val_fraction": 0.05},
        "trainer": {"lr": 0.01, "epochs": 12, "clip_norm": 1.0, "lr_schedule": "cosine"},
    },
    # Tiny Shakespeare on 2 CPU cores in 20 minutes (BENCHMARKS.md has the measured loss).
    "shakespeare-cpu": {
        "model": {
            "level": "char",
            "mode": "stream",
            "cell": "lstm",
            "hidden_size": 640,
            "embedding_size": 64,
            "dropout": 0.25,
        },
        "data": {"batch_size": 32, "bptt": 100, "val_fraction": 0.1},
        "trainer": _SHAKESPEARE_TRAINER,
    },
    # A larger model for a GPU (not measured here: no GPU was available; see BENCHMARKS.md).
    "shakespeare-gpu": {
        "model": {
            "level": "char",
            "mode": "stream",
            "cell": "lstm",
            "hidden_size": 1024,
            "num_layers": 3,
            "embedding_size": 128,
            "dropout": 0.35,
        },
        "data": {"batch_size": 128, "bptt": 200, "val_fraction": 0.1},
        "trainer": {**_SHAKESPEARE_TRAINER, "warmup_steps": 100},
    },
}
