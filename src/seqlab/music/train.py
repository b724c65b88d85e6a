"""Training a piano-roll RNN on chorales with the one Trainer, and scoring held-out pieces.

:func:`train_music_model` is what ``seqlab music train`` runs. The model folder gets, beside the
Trainer's files, ``data.json``: where the pieces came from (path, SHA-256) and their counts.

The presets follow Chung et al. (2014), Table 1: one layer of 100 tanh units, 46 GRU units or 36
LSTM units, "about 20k parameters" each (here, with 88 inputs and 88 outputs: 27.8k, 22.8k and
21.3k), trained on whole pieces with gradient-norm clipping at 1.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqlab.music.config import PRESETS, MusicDataConfig
from seqlab.music.data import RollBatches
from seqlab.music.model import MusicConfig, PianoRollRNN
from seqlab.train import TaskData, Trained, TrainerConfig, fit_task
from seqlab.train.presets import build_configs

__all__ = [
    "DATA_FILE",
    "MusicDataConfig",
    "PRESETS",
    "nll_per_step",
    "preset_configs",
    "train_music_model",
]

DATA_FILE = "data.json"


def preset_configs(
    name: str,
    *,
    model: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    trainer: dict[str, Any] | None = None,
) -> tuple[MusicConfig, MusicDataConfig, TrainerConfig]:
    """The three configs of a preset, with fields overridden by ``model`` / ``data`` /
    ``trainer``.

    Raises:
        ValueError: on an unknown preset name or an invalid override.
    """
    return build_configs(
        PRESETS, name, MusicConfig, MusicDataConfig, model=model, data=data, trainer=trainer
    )


def train_music_model(
    rolls: dict[str, list[np.ndarray]],
    model_config: MusicConfig,
    data_config: MusicDataConfig,
    trainer_config: TrainerConfig,
    out_dir: str | os.PathLike[str],
    *,
    data_path: str | os.PathLike[str] | None = None,
    callbacks: Sequence[Any] = (),
    resume: bool = False,
    overwrite: bool = False,
) -> Trained[PianoRollRNN]:
    """Train on ``rolls["train"]``, validate on ``rolls["valid"]`` (if there), keep the best.

    Args:
        rolls: split -> piano rolls (T, 88), as :func:`seqlab.music.read_chorales` returns.
        model_config: the architecture.
        data_config: batching.
        trainer_config: optimizer, schedule, budgets, validation.
        out_dir: the model folder.
        data_path: recorded in data.json.
        callbacks: Trainer callbacks.
        resume: continue from ``out_dir/last``.
        overwrite: replace the model already in ``out_dir`` once the new one is complete.

    Returns:
        A :class:`seqlab.train.Trained`; its ``record`` is the data.json record.

    Raises:
        ValueError: if there are no training pieces or a setting is invalid.
    """
    if not rolls.get("train"):
        raise ValueError("no training pieces (the 'train' split is empty)")

    def make_data(model: PianoRollRNN) -> TaskData:
        seed = trainer_config.seed
        train = RollBatches(rolls["train"], data_config.batch_size, shuffle=True, seed=seed)
        val_pieces = rolls.get("valid") or []
        val_b = data_config.val_batch_size or data_config.batch_size
        val = RollBatches(val_pieces, val_b) if val_pieces else None
        record = {
            "path": None if data_path is None else str(Path(data_path).resolve()),
            "sha256": None if data_path is None else _sha256(data_path),
            "train_pieces": len(rolls["train"]),
            "train_steps": sum(len(r) for r in rolls["train"]),
            "val_pieces": len(val_pieces),
            "val_steps": sum(len(r) for r in val_pieces),
            "n_parameters": model.n_parameters(),
        }
        return TaskData(train, val, record)

    return fit_task(lambda _: PianoRollRNN(model_config), make_data, trainer_config, out_dir,
                    record_file=DATA_FILE, callbacks=callbacks, resume=resume,
                    overwrite=overwrite)  # fmt: skip


@torch.no_grad()
def nll_per_step(
    model: PianoRollRNN, rolls: Sequence[np.ndarray], *, batch_size: int = 16
) -> float:
    """The exact mean NLL per time step (nats) of ``rolls``: every step of every piece counts
    once, whatever the batching.

    Raises:
        ValueError: if there are no pieces.
    """
    if not rolls:
        raise ValueError("no pieces to score")
    model.eval()
    device = next(model.parameters()).device
    total, n_steps = 0.0, 0
    for batch in RollBatches(rolls, batch_size)(0):
        batch = {k: v.to(device) for k, v in batch.items()}
        nll_sum, n = model._nll_sum(batch)
        total, n_steps = total + float(nll_sum), n_steps + int(n)
    return total / n_steps


def _sha256(path: str | os.PathLike[str]) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
