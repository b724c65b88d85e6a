"""Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 70,000 real 28x28 grey photos of clothing.

Zalando's article photos, 10 classes, the standard split of 60,000 training and 10,000 test
images in four IDX files (``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``). The scene and clip generators
draw their photos from one split, so test scenes and clips show photos never trained on.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from seqlab.vision.images import read_idx

__all__ = ["FASHION_CLASSES", "read_fashion_mnist"]

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")  # fmt: skip
_FILES = {"train": "train", "test": "t10k"}


def read_fashion_mnist(
    root: str | os.PathLike[str], split: str = "train"
) -> tuple[np.ndarray, np.ndarray]:
    """The photos and labels of one split.

    Args:
        root: the folder with the four IDX files (gzipped or not).
        split: ``"train"`` (60,000) or ``"test"`` (10,000).

    Returns:
        images: uint8 (N, 28, 28), white clothing on black; labels: uint8 (N,) in 0..9
        (:data:`FASHION_CLASSES`).

    Raises:
        ValueError: on an unknown split, a missing or bad file (named), or files that disagree.
    """
    if split not in _FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    root = Path(root)
    found = {}
    for kind, dims in (("images", 3), ("labels", 1)):
        stem = f"{_FILES[split]}-{kind}-idx{dims}-ubyte"
        for name in (f"{stem}.gz", stem):
            if (root / name).is_file():
                found[kind] = read_idx(root / name)
                break
        else:
            raise ValueError(f"{root}: no {stem}.gz (Fashion-MNIST {split} {kind})")
    images, labels = found["images"], found["labels"]
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise ValueError(f"{root}: {split} images are {images.dtype} {images.shape}, "
                         "not uint8 (N, 28, 28)")  # fmt: skip
    if labels.shape != (len(images),) or labels.max(initial=0) > 9:
        raise ValueError(f"{root}: {len(images)} {split} images but labels of shape "
                         f"{labels.shape} (values up to {labels.max(initial=0)})")  # fmt: skip
    return images, labels
