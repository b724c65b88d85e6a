"""Labelled sequences for activity recognition: video clips (frames) or sensor series.

Two kinds, one container (:class:`SequenceSet`):

- ``"frames"``: a clip is T images, uint8 (T, C, S, S). A clips folder stores each clip as one
  PNG strip of its frames side by side (S x T*S pixels) and ``labels.tsv``::

      DIR/labels.tsv      clips/00000.png <TAB> move left
      DIR/clips/*.png

- ``"series"``: a sensor recording is float32 (T, C), C channels (accelerometer axes, a
  tracked hand's x coordinate, ...), read from ``.ts`` files (:func:`seqlab.datasets.read_ts`);
  lengths may differ.

:class:`SequenceBatches` pads them into batches ``x`` (B, T, ...) with ``lengths`` (B,).
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from seqlab.datasets import read_ts
from seqlab.vision.images import read_images, write_png

__all__ = [
    "LABELS_FILE",
    "SequenceBatches",
    "SequenceSet",
    "read_clips_folder",
    "read_series",
    "stratified_split",
    "write_clips_folder",
]

LABELS_FILE, DATASET_FILE = "labels.tsv", "dataset.json"


@dataclass
class SequenceSet:
    """Sequences with labels.

    kind: ``"frames"`` or ``"series"``; data: per example uint8 (T, C, S, S) frames or float32
    (T, C) values; labels: one str each ("" when unknown); ids: a name for each (the clip's
    path, or ``file:line``).
    """

    kind: str
    data: list[Tensor]
    labels: list[str]
    ids: list[str]

    def __post_init__(self) -> None:
        if self.kind not in ("frames", "series"):
            raise ValueError(f"kind must be 'frames' or 'series', got {self.kind!r}")
        if not (len(self.data) == len(self.labels) == len(self.ids)):
            raise ValueError("data, labels and ids must have one entry per sequence")

    def __len__(self) -> int:
        return len(self.data)

    def subset(self, index: Sequence[int]) -> SequenceSet:
        """The examples at ``index``, in that order."""
        idx = list(index)
        return SequenceSet(self.kind, [self.data[i] for i in idx],
                           [self.labels[i] for i in idx], [self.ids[i] for i in idx])  # fmt: skip

    def shape_fields(self) -> dict[str, Any]:
        """The ActivityConfig fields the data decides: input, in_channels, image_size.

        Raises:
            ValueError: if the examples disagree in channels (or frame size).
        """
        if not self.data:
            raise ValueError("no sequences")
        if self.kind == "series":
            channels = {int(x.shape[1]) for x in self.data}
            if len(channels) > 1:
                raise ValueError(f"series with different numbers of channels: {sorted(channels)}")
            return {"input": "series", "in_channels": channels.pop(), "image_size": 0}
        shapes = {tuple(x.shape[1:]) for x in self.data}
        if len(shapes) > 1:
            raise ValueError(f"clips with different frame shapes: {sorted(shapes)}")
        C, S, _ = shapes.pop()
        return {"input": "frames", "in_channels": C, "image_size": S}


def stratified_split(
    labels: Sequence[str], val_fraction: float, *, seed: int = 0
) -> tuple[list[int], list[int]]:
    """Indices (train, val): ``val_fraction`` of every label's examples (at least one of a
    label with two or more), chosen with ``seed``; each list in input order.

    Raises:
        ValueError: if val_fraction is outside [0, 1).
    """
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    rng = random.Random(seed)
    val: set[int] = set()
    for label in sorted(set(labels)):
        idx = [i for i, y in enumerate(labels) if y == label]
        rng.shuffle(idx)
        k = round(len(idx) * val_fraction)
        if val_fraction > 0 and len(idx) >= 2:
            k = max(k, 1)
        val.update(idx[: min(k, len(idx) - 1)])
    return [i for i in range(len(labels)) if i not in val], sorted(val)


# --- clips folders -------------------------------------------------------------------------------


def write_clips_folder(
    folder: str | os.PathLike[str],
    clips: np.ndarray,
    labels: Sequence[str],
    *,
    record: dict[str, Any] | None = None,
) -> Path:
    """Write clips uint8 (N, T, S, S) (grey) or (N, T, S, S, 3) as PNG strips + labels.tsv.

    The same clips give the same bytes.
    """
    if len(clips) != len(labels):
        raise ValueError(f"{len(clips)} clips but {len(labels)} labels")
    folder = Path(folder)
    (folder / "clips").mkdir(parents=True, exist_ok=True)
    width = max(5, len(str(len(clips) - 1)))
    lines = []
    for i, (clip, label) in enumerate(zip(clips, labels)):
        name = f"clips/{i:0{width}d}.png"
        write_png(folder / name, np.concatenate(list(clip), axis=1))  # (S, T*S[, 3])
        lines.append(f"{name}\t{label}\n")
    (folder / LABELS_FILE).write_text("".join(lines), encoding="utf-8")
    if record is not None:
        text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
        (folder / DATASET_FILE).write_text(text, encoding="utf-8")
    return folder


def _read_label_lines(path: Path) -> list[tuple[str, str]]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{name}: not UTF-8 text ({error.reason})") from None
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        clip, tab, label = line.partition("\t")
        if not line.strip():
            raise ValueError(f"{name}: line {number} is empty (expected CLIP<TAB>LABEL)")
        if not tab or not clip.strip() or not label.strip():
            raise ValueError(f"{name}: line {number}: expected CLIP<TAB>LABEL, got {line!r}")
        pairs.append((clip.strip(), label.strip()))
    if not pairs:
        raise ValueError(f"{name}: no clips")
    return pairs


def read_clips_folder(
    folder: str | os.PathLike[str], *, size: int | None = None, on_size: str = "error"
) -> tuple[SequenceSet, list[str]]:
    """Read a clips folder; a clip that cannot be read is reported and skipped.

    Args:
        folder: the folder (labels.tsv + PNG strips).
        size: the frame side S each clip must have; None = the first clip's height.
        on_size: frames of another size: ``"error"`` (reported, skipped) or ``"resize"``.

    Returns:
        The readable clips (kind "frames"), and one line per skipped clip.

    Raises:
        ValueError: if labels.tsv is missing or malformed, or no clip is readable.
    """
    folder = Path(folder)
    if not (folder / LABELS_FILE).is_file():
        raise ValueError(f"{folder}: no {LABELS_FILE} (a clips folder lists CLIP<TAB>LABEL lines)")
    pairs = _read_label_lines(folder / LABELS_FILE)
    strips, problems = read_images([folder / clip for clip, _ in pairs])
    data, labels, ids = [], [], []
    for (clip, label), strip in zip(pairs, strips):
        if strip is None:
            continue
        try:
            frames = _split_strip(strip, size, on_size, str(folder / clip))
        except ValueError as error:
            problems.append(str(error))
            continue
        if size is None:
            size = frames.shape[-1]
        data.append(frames)
        labels.append(label)
        ids.append(clip)
    if not data:
        raise ValueError(f"{folder}: none of the {len(pairs)} clips could be read "
                         f"(first problem: {problems[0]})")  # fmt: skip
    return SequenceSet("frames", data, labels, ids), problems


def _split_strip(strip: np.ndarray, size: int | None, on_size: str, name: str) -> Tensor:
    """A PNG strip (S, T*S[, 3]) -> uint8 (T, C, size, size)."""
    from seqlab.vision.images import fit_size

    S, W = strip.shape[:2]
    if W % S:
        raise ValueError(f"{name}: a clip strip is S x (T*S) pixels, got {W}x{S}")
    frames = [strip[:, t * S : (t + 1) * S] for t in range(W // S)]
    frames = [fit_size(f, size, on_size=on_size, name=name) for f in frames]
    x = np.stack(frames)  # (T, s, s[, 3])
    x = x[:, None] if x.ndim == 3 else x.transpose(0, 3, 1, 2)
    return torch.from_numpy(np.ascontiguousarray(x))


# --- sensor series -------------------------------------------------------------------------------


def read_series(paths: Sequence[str | os.PathLike[str]]) -> tuple[SequenceSet, list[str]]:
    """Read ``.ts`` files into one set; a bad file is reported and skipped.

    Returns:
        The series of the readable files (kind "series"; ids ``file:n``, n = 1-based example
        number), and one line per skipped file.

    Raises:
        ValueError: if no file is readable, or the files disagree in channels.
    """
    data, labels, ids, problems = [], [], [], []
    for path in paths:
        try:
            ts = read_ts(path)
        except (ValueError, OSError) as error:
            problems.append(str(error) if isinstance(error, ValueError)
                            else f"{path}: {error.strerror or error}")  # fmt: skip
            continue
        for n, (x, y) in enumerate(zip(ts.series, ts.labels), start=1):
            data.append(torch.from_numpy(x))
            labels.append(y)
            ids.append(f"{Path(path).name}:{n}")
    if not data:
        first = problems[0] if problems else "no files given"
        raise ValueError(f"no .ts file could be read (first problem: {first})")
    out = SequenceSet("series", data, labels, ids)
    out.shape_fields()  # the channels must agree
    return out, problems


# --- batches -------------------------------------------------------------------------------------


class SequenceBatches:
    """Padded batches of prepared sequences: a callable ``epoch -> batches``.

    Args:
        prepared: ``{"x": [per example (T_i, ...)], "y": (N,) long}``, as
            ``ActivityRecognizer.prepare`` makes it.
        batch_size: sequences per batch.
        shuffle: a new order every epoch (training).
        augment: series only: scale each channel by N(1, 0.1), add N(0, 0.05) noise and keep a
            random window of 90-100% of the steps (training).
        seed: the order and augmentation depend on (seed, epoch) only.

    Each batch: ``x`` (B, T, C, S, S) float frames in [0, 1] or (B, T, C) series, zero-padded;
    ``lengths`` (B,); ``y`` (B,).
    """

    def __init__(
        self,
        prepared: dict[str, Any],
        batch_size: int,
        *,
        shuffle: bool = False,
        augment: bool = False,
        seed: int = 0,
    ) -> None:
        if not prepared["x"]:
            raise ValueError("no sequences to batch")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
        self.x, self.y = prepared["x"], prepared["y"]
        self.batch_size, self.shuffle, self.augment, self.seed = batch_size, shuffle, augment, seed

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def __call__(self, epoch: int) -> Iterator[dict[str, Tensor]]:
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
        n = len(self.x)
        order = torch.randperm(n, generator=generator) if self.shuffle else torch.arange(n)
        for start in range(0, n, self.batch_size):
            idx = order[start : start + self.batch_size].tolist()
            xs = [self.x[i] for i in idx]
            if self.augment:
                xs = [_augment(x, generator) for x in xs]
            yield {**_pad(xs), "y": self.y[idx]}


def _augment(x: Tensor, generator: torch.Generator) -> Tensor:
    """Scale, jitter and crop one series (T, C) (see :class:`SequenceBatches`)."""
    T, C = x.shape
    scale = 1 + 0.1 * torch.randn(C, generator=generator)
    x = x * scale + 0.05 * torch.randn(x.shape, generator=generator)
    keep = max(2, int(T * (0.9 + 0.1 * float(torch.rand(1, generator=generator)))))
    start = int(torch.randint(0, T - keep + 1, (1,), generator=generator))
    return x[start : start + keep]


def _pad(xs: list[Tensor]) -> dict[str, Tensor]:
    lengths = torch.tensor([len(x) for x in xs])
    T = int(lengths.max())
    out = xs[0].new_zeros((len(xs), T, *xs[0].shape[1:]))
    for i, x in enumerate(xs):
        out[i, : len(x)] = x
    if out.dtype == torch.uint8:
        out = out.float() / 255.0  # frames
    return {"x": out, "lengths": lengths}
