"""Figures of the vision tasks (matplotlib, imported on first use; the CLI saves them as PNG).

- :func:`attention_panels`: Xu et al. (2015)'s figures: the image once per generated word,
  alpha<t> over it (the L grid positions upsampled to the image), the word as the title.
- :func:`confusion_figure`: an activity recogniser's confusion matrix, labels as names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["attention_panels", "confusion_figure"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def attention_panels(
    image: np.ndarray,
    words: Sequence[str],
    alpha: Any,
    *,
    columns: int = 6,
    title: str = "",
):
    """One panel per generated word: the image and where the decoder looked.

    Args:
        image: uint8 (S, S) grey or (S, S, 3) RGB.
        words: the T_y output words (``<eos>`` included if it has a row).
        alpha: (T_y, L) attention weights, L = side^2 grid positions row-major.
        columns: panels per row.
        title: the figure's title (e.g. the caption).

    Returns:
        A matplotlib Figure.

    Raises:
        ValueError: if alpha's rows do not match the words or L is not a square.
    """
    alpha = np.asarray(alpha, dtype=np.float32)
    if alpha.ndim != 2 or alpha.shape[0] != len(words):
        raise ValueError(f"alpha must be (T_y={len(words)}, L), got {alpha.shape}")
    side = int(round(alpha.shape[1] ** 0.5))
    if side * side != alpha.shape[1]:
        raise ValueError(f"L = {alpha.shape[1]} grid positions is not a square")
    S = image.shape[0]
    plt = _pyplot()
    rows = -(-len(words) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.9 * columns, 2.1 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, word, weights in zip(axes.flat, words, alpha):
        grid = weights.reshape(side, side)
        heat = np.kron(grid, np.ones((S // side, S // side), dtype=np.float32))  # nearest up
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=255)
        ax.imshow(heat, cmap="magma", alpha=0.55, vmin=0, vmax=max(float(grid.max()), 1e-6),
                  extent=(-0.5, S - 0.5, S - 0.5, -0.5))  # fmt: skip
        ax.set_title(word, fontsize=10)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def confusion_figure(confusion: Sequence[Sequence[int]], labels: Sequence[str], *, title: str = ""):
    """The confusion matrix (rows: true label, columns: predicted) with counts in the cells."""
    m = np.asarray(confusion)
    plt = _pyplot()
    k = len(labels)
    fig, ax = plt.subplots(figsize=(1.6 + 0.7 * k, 1.2 + 0.6 * k))
    ax.imshow(m, cmap="Blues")
    ax.set_xticks(range(k), labels, rotation=45, ha="right")
    ax.set_yticks(range(k), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(k):
        for j in range(k):
            color = "white" if m[i, j] > m.max() / 2 else "black"
            ax.text(j, i, str(m[i, j]), ha="center", va="center", color=color)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
