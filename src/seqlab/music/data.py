"""Polyphonic music as piano rolls: the JSB Chorales reader and padded batches.

A piano roll is a (T, 88) array of 0/1: row t says which of the 88 piano keys (MIDI pitches
21..108, A0..C8) sound at time step t (one quarter note in the JSB "quarter" data of
Boulanger-Lewandowski et al. 2012). A step with no key down is a rest.

The model reads step t and predicts step t + 1; the first step is predicted from a zero vector
(silence before the piece), so a piece of T steps gives T predictions::

    x:  0      roll[0]  roll[1]  ...  roll[T-2]        (B, T, 88), zero-padded after T
    y:  roll[0] roll[1] roll[2]  ...  roll[T-1]        (B, T, 88)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from seqlab._config import read_json
from seqlab.text import BucketBatchSampler

__all__ = [
    "LOWEST_PITCH",
    "N_KEYS",
    "SPLITS",
    "RollBatches",
    "pitches_to_roll",
    "read_chorales",
    "roll_to_pitches",
    "shift_inputs",
]

LOWEST_PITCH = 21  # MIDI A0, the piano's lowest key
N_KEYS = 88  # keys 21..108
SPLITS = ("train", "valid", "test")


def pitches_to_roll(steps: Sequence[Sequence[int]], *, where: str = "piece") -> np.ndarray:
    """A list of time steps (each a list of MIDI pitches) -> roll (T, 88) uint8.

    Raises:
        ValueError: naming ``where`` and the step, for an empty piece, a step that is not a
            list, a non-integer pitch or one outside 21..108.
    """
    if not isinstance(steps, list) or not steps:
        raise ValueError(f"{where}: a piece must be a non-empty list of time steps")
    roll = np.zeros((len(steps), N_KEYS), dtype=np.uint8)
    for t, step in enumerate(steps):
        if not isinstance(step, list):
            raise ValueError(f"{where}, step {t}: expected a list of MIDI pitches, got {step!r}")
        for pitch in step:
            if isinstance(pitch, bool) or not isinstance(pitch, int):
                raise ValueError(f"{where}, step {t}: pitch {pitch!r} is not an integer")
            if not LOWEST_PITCH <= pitch < LOWEST_PITCH + N_KEYS:
                raise ValueError(f"{where}, step {t}: pitch {pitch} is outside the piano "
                                 f"(21..108)")  # fmt: skip
            roll[t, pitch - LOWEST_PITCH] = 1
    return roll


def roll_to_pitches(roll: np.ndarray) -> list[list[int]]:
    """roll (T, 88) -> a list of T lists of MIDI pitches (the JSON format)."""
    return [[int(k) + LOWEST_PITCH for k in np.flatnonzero(row)] for row in np.asarray(roll)]


def read_chorales(
    path: str | os.PathLike[str], *, splits: Sequence[str] = SPLITS
) -> dict[str, list[np.ndarray]]:
    """Read a JSB-Chorales-style JSON file: ``{"train": [piece, ...], "valid": ..., "test": ...}``
    where a piece is a list of time steps and a step a list of MIDI pitches.

    Args:
        path: the JSON file.
        splits: the keys that must be there.

    Returns:
        split -> list of piano rolls (T, 88) uint8.

    Raises:
        ValueError: naming the file (and the piece and step) for invalid JSON, a missing split,
            an empty split or piece, or a pitch that is not an integer in 21..108.
    """
    path = Path(path)
    data = read_json(path)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object with keys {', '.join(splits)}")
    missing = [s for s in splits if s not in data]
    if missing:
        raise ValueError(f"{path}: missing split(s) {', '.join(missing)}; "
                         f"found {', '.join(map(str, data)) or 'none'}")  # fmt: skip
    rolls: dict[str, list[np.ndarray]] = {}
    for split in splits:
        pieces = data[split]
        if not isinstance(pieces, list) or not pieces:
            raise ValueError(f"{path}: split {split!r} must be a non-empty list of pieces")
        rolls[split] = [
            pitches_to_roll(p, where=f"{path}: {split} piece {i}") for i, p in enumerate(pieces)
        ]
    return rolls


def shift_inputs(roll: Tensor) -> Tensor:
    """roll (..., T, 88) -> inputs (..., T, 88): a zero step, then every step but the last."""
    return torch.cat([torch.zeros_like(roll[..., :1, :]), roll[..., :-1, :]], dim=-2)


class RollBatches:
    """Padded batches of pieces of similar lengths: a callable ``epoch -> list of batches``.

    A batch is ``{"x": (B, T, 88) float, "y": (B, T, 88) float, "lengths": (B,) long}``; x is
    y shifted one step (see the module docstring); steps past a piece's length are zeros and
    ``lengths`` says where each piece ends.

    Args:
        rolls: piano rolls (T_i, 88).
        batch_size: pieces per batch.
        shuffle: new batches each epoch (training); False keeps one fixed order.
        seed: the shuffle's seed.
    """

    def __init__(
        self,
        rolls: Sequence[np.ndarray],
        batch_size: int,
        *,
        shuffle: bool = False,
        seed: int = 0,
    ) -> None:
        if not rolls:
            raise ValueError("no pieces to batch")
        self.rolls = [torch.as_tensor(np.asarray(r), dtype=torch.float32) for r in rolls]
        self.sampler = BucketBatchSampler([len(r) for r in self.rolls], batch_size,
                                          shuffle=shuffle, seed=seed)  # fmt: skip

    def __len__(self) -> int:
        return len(self.sampler)

    def __call__(self, epoch: int) -> list[dict[str, Any]]:
        self.sampler.set_epoch(epoch)
        return [collate([self.rolls[i] for i in idx]) for idx in self.sampler]


def collate(rolls: Sequence[Tensor]) -> dict[str, Tensor]:
    """Pieces (T_i, 88) -> one padded batch (see :class:`RollBatches`)."""
    lengths = torch.tensor([len(r) for r in rolls], dtype=torch.long)  # (B,)
    y = torch.zeros(len(rolls), int(lengths.max()), N_KEYS)  # (B, T, 88)
    for b, r in enumerate(rolls):
        y[b, : len(r)] = r
    return {"x": shift_inputs(y), "y": y, "lengths": lengths}
