"""The figures several command groups draw: matplotlib on the Agg backend, PNG files written
atomically, loss curves from a model folder's metrics, piano rolls (drawn by seqlab.music).
matplotlib is imported where a figure is drawn, never at import time (``seqlab --help`` stays
quick)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from seqlab._atomic import atomic_write
from seqlab.cli._common import CLIError, is_main_process

__all__ = ["plot_losses", "plot_roll", "pyplot", "save_figure"]


def pyplot():
    """matplotlib.pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, path: str | os.PathLike[str]) -> Path:
    """Write a matplotlib figure as PNG atomically (temp file + rename); returns the path."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise CLIError(f"folder does not exist: {path.parent}")
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=120, bbox_inches="tight"))
    return path


def plot_losses(
    folder: Path, title: str | None = None, *, ylabel: str = "loss (nats per token)"
) -> Path | None:
    """Training and validation loss over steps from metrics.jsonl -> folder/loss.png (None when
    there is nothing to draw, or on a torchrun rank other than 0)."""
    file = folder / "metrics.jsonl"
    if not file.is_file() or not is_main_process():  # torchrun: rank 0 draws
        return None
    train, val = [], []
    for line in file.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("kind") == "train" and record.get("train_loss") is not None:
            train.append((record["step"], record["train_loss"]))
        elif record.get("kind") == "eval" and record.get("val_loss") is not None:
            val.append((record["step"], record["val_loss"]))
    if not train and not val:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    for points, label, style in ((train, "train", "-"), (val, "validation", "o-")):
        if points:
            ax.plot(*zip(*points), style, label=label, markersize=3)
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.set_title(title or f"Language model: {folder.name}")
    ax.grid(True, alpha=0.3)
    ax.legend()
    path = save_figure(fig, folder / "loss.png")
    plt.close(fig)
    return path


def plot_roll(roll, path: Path, *, n_prime: int, title: str = "") -> Path:
    """The piano roll as a PNG (:func:`seqlab.music.roll_figure`)."""
    from seqlab.music import roll_figure

    return save_figure(roll_figure(roll, n_prime=n_prime, title=title), path)
