"""How to train: :class:`TrainerConfig` and the names of the learning-rate schedules.

Standard library only (no torch), so the command line derives its flags from these fields
without importing the training loop; :mod:`seqlab.train.trainer` and
:mod:`seqlab.train.schedule` re-export them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from seqlab._config import check_fields

__all__ = ["SCHEDULES", "TrainerConfig"]

SCHEDULES = ("constant", "cosine", "linear")


@dataclass(frozen=True)
class TrainerConfig:
    """How to train: optimizer, clipping, budgets, validation, checkpoints, logging."""

    # Removed options, with the value an old trainer_state.json must hold for them to resume
    # (the behaviour that remains); see seqlab._config.drop_retired.
    RETIRED_FIELDS: ClassVar[dict[str, Any]] = {
        "ema_decay": None,  # a moving average of the weights: no gain on SST-2
    }
    # The valid values of the fields that take one of a few names (--help and errors list them).
    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {
        "lr_schedule": SCHEDULES,
        "optimizer": ("adamw", "sgd"),
        "device": ("auto", "cpu", "cuda"),
    }

    epochs: int | None = 10  # passes over train_data; None = no limit (then set another budget)
    max_steps: int | None = None  # optimizer steps in all; None = unlimited
    max_minutes: float | None = None  # wall-clock budget, summed over resumes; None = unlimited
    lr: float = 1e-3  # learning rate (the peak, when a schedule is set)
    lr_schedule: str = "constant"  # "constant" | "cosine" | "linear" decay over the budget
    warmup_steps: int = 0  # linear warm-up from 0 to lr over this many steps
    min_lr_ratio: float = 0.0  # the schedule decays to lr * this
    optimizer: str = "adamw"  # "adamw" | "sgd"
    weight_decay: float = 0.0  # decoupled for AdamW, L2 for SGD
    momentum: float = 0.0  # SGD momentum (ignored by AdamW)
    clip_norm: float | None = None  # clip the global gradient L2 norm to this; None = off
    clip_value: float | None = None  # clamp each gradient entry to +-this; None = off
    eval_every: int | None = None  # steps between validations; None = at the end of each epoch
    patience: int | None = None  # stop after this many evaluations without a better val loss
    seed: int = 0  # seeds torch, numpy, random and the per-epoch data order
    device: str = "auto"  # "auto" (CUDA when available) | "cpu" | "cuda"
    checkpoint_every: int | None = None  # steps between out_dir/last saves; None = each epoch
    log_every: int = 50  # steps between train lines in metrics.jsonl
    progress: bool = False  # tqdm progress bar on stderr (rank 0 only)
    shuffle: bool = True  # reshuffle a list (Sequence) of batches each epoch (not a callable's)
    select: str = "loss"  # the weights kept: lowest val loss, highest other val metric, or "last"

    def __post_init__(self) -> None:
        checks = {
            "epochs": self.epochs is None or self.epochs >= 1,
            "max_steps": self.max_steps is None or self.max_steps >= 0,
            "max_minutes": self.max_minutes is None or self.max_minutes >= 0,
            "lr": math.isfinite(self.lr) and self.lr > 0,
            "lr_schedule": self.lr_schedule in SCHEDULES,
            "warmup_steps": self.warmup_steps >= 0,
            "min_lr_ratio": 0.0 <= self.min_lr_ratio <= 1.0,
            "optimizer": self.optimizer in self.CHOICES["optimizer"],
            "weight_decay": self.weight_decay >= 0,
            "momentum": self.momentum >= 0,
            "clip_norm": self.clip_norm is None or self.clip_norm > 0,
            "clip_value": self.clip_value is None or self.clip_value > 0,
            "eval_every": self.eval_every is None or self.eval_every >= 1,
            "patience": self.patience is None or self.patience >= 1,
            "device": self.device in self.CHOICES["device"],
            "checkpoint_every": self.checkpoint_every is None or self.checkpoint_every >= 1,
            "log_every": self.log_every >= 1,
        }
        check_fields(self, checks)
        if self.epochs is None and self.max_steps is None and self.max_minutes is None:
            raise ValueError("TrainerConfig needs a budget: epochs, max_steps or max_minutes")
