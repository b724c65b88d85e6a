"""Captions folders: images with one caption each, on disk and as training batches.

A captions folder::

    DIR/
      captions.tsv     one line per image: path (relative to DIR) <TAB> caption
      images/...       the image files (PNG)
      items.jsonl      optional, scenes only: per image {"image", "grid", "items": [...]}
      dataset.json     optional: how the folder was made (generator, split, seed, counts)

:func:`read_captions_folder` reads it, reporting and skipping images that cannot be read;
:class:`CaptionBatches` makes teacher-forcing batches of it, optionally moving each training
image by a few pixels (:func:`random_shift`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from seqlab.text import pad_sequences
from seqlab.vision.images import read_images, write_png

__all__ = [
    "CAPTIONS_FILE",
    "CaptionBatches",
    "CaptionSet",
    "read_caption_lines",
    "random_shift",
    "read_captions_folder",
    "write_captions_folder",
]

CAPTIONS_FILE, ITEMS_FILE, DATASET_FILE = "captions.tsv", "items.jsonl", "dataset.json"


@dataclass
class CaptionSet:
    """Images and their captions, in memory.

    images: uint8 (N, C, S, S); captions: N strings; names: N image paths as the folder lists
    them; items: per image, the scene's items as dicts (``word``, ``place``, ``cell``) or None.
    """

    images: Tensor
    captions: list[str]
    names: list[str]
    items: list[list[dict[str, Any]] | None] = field(default_factory=list)
    grid: int | None = None  # the scenes' grid side, when items are known

    def __len__(self) -> int:
        return len(self.captions)

    def subset(self, index: Sequence[int]) -> CaptionSet:
        """The examples at ``index``, in that order."""
        idx = list(index)
        items = [self.items[i] for i in idx] if self.items else []
        return CaptionSet(self.images[idx], [self.captions[i] for i in idx],
                          [self.names[i] for i in idx], items, self.grid)  # fmt: skip


def read_caption_lines(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """``captions.tsv`` -> (image path, caption) pairs.

    Raises:
        ValueError: naming the file and the 1-based line: an empty line, a line without a
            TAB, an empty path or caption; or a file that is not UTF-8 or has no lines.
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{name}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline
    pairs = []
    for number, line in enumerate(lines, start=1):
        image, tab, caption = line.rstrip("\r").partition("\t")
        if not line.strip():
            raise ValueError(f"{name}: line {number} is empty (expected IMAGE<TAB>CAPTION)")
        if not tab or not image.strip() or not caption.strip():
            raise ValueError(f"{name}: line {number}: expected IMAGE<TAB>CAPTION, got {line!r}")
        pairs.append((image.strip(), caption.strip()))
    if not pairs:
        raise ValueError(f"{name}: no captions")
    return pairs


def read_captions_folder(
    folder: str | os.PathLike[str],
    *,
    mode: str = "auto",
    size: int | None = None,
    on_size: str = "error",
) -> tuple[CaptionSet, list[str]]:
    """Read a captions folder (see the module docstring).

    Args:
        folder: the folder.
        mode: ``"auto"`` | ``"L"`` | ``"RGB"`` (see :mod:`seqlab.vision.images`); with "auto"
            the images must agree (all grey or all colour).
        size: the side every image must have; None = that of the first readable image.
        on_size: an image of another size: ``"error"`` (reported and skipped) or ``"resize"``.

    Returns:
        The readable examples, and one line per image that was skipped.

    Raises:
        ValueError: if there is no captions.tsv, it is malformed, or no image is readable.
    """
    folder = Path(folder)
    if not (folder / CAPTIONS_FILE).is_file():
        raise ValueError(f"{folder}: no {CAPTIONS_FILE} (a captions folder lists IMAGE<TAB>"
                         "CAPTION lines in it)")  # fmt: skip
    pairs = read_caption_lines(folder / CAPTIONS_FILE)
    items_by_name, grid = _read_items(folder)
    paths = [folder / image for image, _ in pairs]
    if size is None:  # the first readable image sets the size
        first, _ = read_images(paths[:50], mode=mode)
        sizes = [im.shape[0] for im in first if im is not None]
        size = sizes[0] if sizes else None
    images, problems = read_images(paths, mode=mode, size=size, on_size=on_size)
    keep = [i for i, im in enumerate(images) if im is not None]
    if not keep:
        raise ValueError(f"{folder}: none of the {len(pairs)} images could be read "
                         f"(first problem: {problems[0]})")  # fmt: skip
    arrays = [images[i] for i in keep]
    channels = {1 if a.ndim == 2 else a.shape[2] for a in arrays}
    if len(channels) > 1:
        raise ValueError(f"{folder}: grey and colour images mixed; convert them to one kind "
                         "(or read them with mode='L' or 'RGB')")  # fmt: skip
    stacked = np.stack(arrays)  # (N, S, S) or (N, S, S, 3)
    stacked = stacked[:, None] if stacked.ndim == 3 else stacked.transpose(0, 3, 1, 2)
    names = [pairs[i][0] for i in keep]
    items = [items_by_name.get(n) for n in names] if items_by_name else []
    return CaptionSet(torch.from_numpy(np.ascontiguousarray(stacked)),
                      [pairs[i][1] for i in keep], names, items, grid), problems  # fmt: skip


def _read_items(folder: Path) -> tuple[dict[str, list[dict[str, Any]]], int | None]:
    path = folder / ITEMS_FILE
    if not path.is_file():
        return {}, None
    found, grid = {}, None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            found[record["image"]] = record["items"]
            grid = int(record["grid"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{path}: line {number}: not an items record ({error})") from None
    return found, grid


def write_captions_folder(
    folder: str | os.PathLike[str],
    images: Sequence[np.ndarray],
    captions: Sequence[str],
    *,
    items: Sequence[Sequence[dict[str, Any]]] | None = None,
    grid: int | None = None,
    record: dict[str, Any] | None = None,
) -> Path:
    """Write images (PNG) and their captions as a captions folder; same inputs, same bytes.

    Raises:
        ValueError: if the lists differ in length or a caption has a TAB or newline.
    """
    if len(images) != len(captions) or (items is not None and len(items) != len(captions)):
        raise ValueError("images, captions (and items) must have one entry per image")
    folder = Path(folder)
    (folder / "images").mkdir(parents=True, exist_ok=True)
    width = max(5, len(str(len(images) - 1)))
    lines, item_lines = [], []
    for i, (image, caption) in enumerate(zip(images, captions)):
        if "\t" in caption or "\n" in caption or not caption.strip():
            raise ValueError(f"caption {i + 1} is empty or has a TAB or newline: {caption!r}")
        name = f"images/{i:0{width}d}.png"
        write_png(folder / name, image)
        lines.append(f"{name}\t{caption}\n")
        if items is not None:
            record_i = {"image": name, "grid": grid, "items": list(items[i])}
            item_lines.append(json.dumps(record_i, ensure_ascii=False) + "\n")
    (folder / CAPTIONS_FILE).write_text("".join(lines), encoding="utf-8")
    if items is not None:
        (folder / ITEMS_FILE).write_text("".join(item_lines), encoding="utf-8")
    if record is not None:
        text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
        (folder / DATASET_FILE).write_text(text, encoding="utf-8")
    return folder


class CaptionBatches:
    """Teacher-forcing batches of images and captions: a callable ``epoch -> batches``.

    Args:
        images: uint8 (N, C, S, S).
        ids: caption word ids per image (no ``<bos>``/``<eos>``).
        batch_size: images per batch.
        bos_id, eos_id, pad_id: the vocabulary's special ids.
        shuffle: a new order every epoch (training); False keeps the given order.
        seed: the shuffle's and the shifts' seed (both are functions of (seed, epoch)).
        shift: move each image by up to this many pixels in x and y (:func:`random_shift`);
            0 = the images as they are (validation).

    Each batch: ``images`` float (B, C, S, S) in [0, 1], ``tgt_in`` (B, T_y) ``<bos>`` y ...,
    ``tgt_out`` (B, T_y) y ... ``<eos>``, padded with ``<pad>``.
    """

    def __init__(
        self,
        images: Tensor,
        ids: Sequence[Sequence[int]],
        batch_size: int,
        *,
        bos_id: int,
        eos_id: int,
        pad_id: int = 0,
        shuffle: bool = False,
        seed: int = 0,
        shift: int = 0,
    ) -> None:
        if len(images) == 0 or len(images) != len(ids):
            raise ValueError(f"{len(images)} images but {len(ids)} captions (need >= 1 each)")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
        self.images = images
        self.tgt_in = [[bos_id, *t] for t in ids]
        self.tgt_out = [[*t, eos_id] for t in ids]
        self.batch_size, self.pad_id = batch_size, pad_id
        if isinstance(shift, bool) or not isinstance(shift, int) or shift < 0:
            raise ValueError(f"shift must be an int >= 0, got {shift!r}")
        self.shuffle, self.seed, self.shift = shuffle, seed, shift

    def __len__(self) -> int:
        return -(-len(self.tgt_in) // self.batch_size)

    def __call__(self, epoch: int) -> Iterator[dict[str, Tensor]]:
        """The batches of one epoch, made one at a time (a float copy of every image at once
        would take 4x the uint8 images' memory)."""
        n = len(self.tgt_in)
        generator = torch.Generator().manual_seed(self.seed + epoch)
        order = torch.randperm(n, generator=generator) if self.shuffle else torch.arange(n)
        for start in range(0, n, self.batch_size):
            idx = order[start : start + self.batch_size].tolist()
            tgt_in, _ = pad_sequences([self.tgt_in[i] for i in idx], pad_id=self.pad_id)
            tgt_out, _ = pad_sequences([self.tgt_out[i] for i in idx], pad_id=self.pad_id)
            images = self.images[idx].float() / 255.0  # (B, C, S, S)
            if self.shift:
                images = random_shift(images, self.shift, generator)  # (B, C, S, S)
            yield {"images": images, "tgt_in": tgt_in, "tgt_out": tgt_out}


def random_shift(images: Tensor, max_shift: int, generator: torch.Generator) -> Tensor:
    """Each image moved by its own random (dy, dx) in [-max_shift, max_shift]^2 pixels.

    The border is replicated into the uncovered strip (the emoji's white, the scenes' black),
    and colours are left alone: for the emoji the skin tone *is* the caption.

    Args:
        images: float (B, C, S, S).
        max_shift: the largest move in pixels, >= 0.
        generator: where the moves come from.

    Returns:
        float (B, C, S, S).
    """
    if max_shift == 0:
        return images
    B, S = images.shape[0], images.shape[-1]
    m = max_shift
    padded = F.pad(images, (m, m, m, m), mode="replicate")  # (B, C, S + 2m, S + 2m)
    dy, dx = torch.randint(0, 2 * m + 1, (2, B), generator=generator).tolist()
    return torch.stack([padded[b, :, dy[b] : dy[b] + S, dx[b] : dx[b] + S] for b in range(B)])
