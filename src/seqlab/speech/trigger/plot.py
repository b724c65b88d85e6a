"""A recording and its detections: the waveform over P(trigger) at every output step, the
threshold dashed, each detection a red line. A matplotlib ``Figure`` built without pyplot
(safe from several threads); the CLI saves it as PNG, the server sends it to the page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["trigger_figure"]


def trigger_figure(
    samples: np.ndarray,
    rate: int,
    probs: np.ndarray,
    step_seconds: float,
    times: Sequence[float],
    threshold: float,
    title: str = "",
) -> Any:
    """The figure of one recording: ``samples`` at ``rate`` Hz, ``probs`` one per output step
    of ``step_seconds``, the detection ``times`` (seconds) and the ``threshold``."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4.5))
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot(np.arange(len(samples)) / rate, samples, lw=0.4, color="0.3")
    top.set_ylabel("waveform")
    top.set_title(str(title))
    bottom.plot(np.arange(len(probs)) * step_seconds, probs, color="tab:blue", label="P(trigger)")
    bottom.axhline(threshold, color="tab:orange", ls="--", lw=1, label=f"threshold {threshold:.2f}")
    bottom.set_ylim(-0.02, 1.02)
    bottom.set_xlabel("seconds")
    for ax in (top, bottom):
        for x in times:
            ax.axvline(x, color="tab:red", lw=1.2)
    bottom.legend(loc="upper right", fontsize=8)
    return fig
