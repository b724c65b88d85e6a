"""The piano roll as a picture: time across, pitch up (every C named, C4 = middle C).

A matplotlib ``Figure`` built without pyplot (no global figure registry: safe to draw from
several threads); the CLI saves it as PNG, the server sends it to the page.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqlab.music.data import LOWEST_PITCH

__all__ = ["NOTE_NAMES", "note_name", "roll_figure"]

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def note_name(pitch: int) -> str:
    """A MIDI pitch by name, middle C = 60 = C4: 21 -> A0, 69 -> A4, 108 -> C8."""
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


def roll_figure(roll: np.ndarray, *, n_prime: int = 0, title: str = "") -> Any:
    """The piano roll (T, 88) as a matplotlib Figure, the first ``n_prime`` steps (the prime)
    shaded."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(max(6, len(roll) / 10), 4))
    ax = fig.add_subplot(1, 1, 1)
    ax.imshow(
        roll.T,
        origin="lower",
        aspect="auto",
        cmap="Greys",
        interpolation="nearest",
        extent=(0, len(roll), LOWEST_PITCH - 0.5, LOWEST_PITCH + roll.shape[1] - 0.5),
    )
    if n_prime:
        ax.axvspan(0, n_prime, color="tab:blue", alpha=0.15, label="prime")
        ax.legend(loc="upper right")
    ax.set_xlabel("time step (quarter notes)")
    pitches = range(LOWEST_PITCH, LOWEST_PITCH + roll.shape[1])
    cs = [p for p in pitches if p % 12 == 0]
    ax.set_yticks(cs, [note_name(p) for p in cs])
    ax.set_ylabel("pitch")
    ax.set_title(title)
    return fig
