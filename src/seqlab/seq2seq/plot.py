"""The attention heat map: which source tokens each output token looked at."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["attention_figure"]


def attention_figure(
    weights: Any, src_tokens: Sequence[str], out_tokens: Sequence[str], *, title: str = ""
) -> Any:
    """A matplotlib Figure of α<t, t'>: output tokens down, source tokens across.

    Args:
        weights: (T_y, T_x) attention weights (a tensor or array); each row sums to 1.
        src_tokens: the T_x source tokens.
        out_tokens: the T_y output tokens (``<eos>`` last when the translation finished).
        title: drawn above the map.

    Raises:
        ValueError: if the shape does not match the token lists.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    w = np.asarray(weights.detach().cpu() if hasattr(weights, "detach") else weights, float)
    if w.ndim != 2 or w.shape != (len(out_tokens), len(src_tokens)):
        raise ValueError(f"attention weights have shape {w.shape}, expected "
                         f"({len(out_tokens)}, {len(src_tokens)}) for the tokens")  # fmt: skip
    width = max(4.0, 0.35 * len(src_tokens) + 2)
    height = max(3.0, 0.35 * len(out_tokens) + 1.5)
    fig = Figure(figsize=(width, height), dpi=110)
    ax = fig.add_subplot(1, 1, 1)
    image = ax.imshow(w, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(src_tokens)), [_show(t) for t in src_tokens], rotation=90)
    ax.set_yticks(range(len(out_tokens)), [_show(t) for t in out_tokens])
    ax.set_xlabel("source x<t'>")
    ax.set_ylabel("output y<t>")
    if title:
        ax.set_title(title)
    fig.colorbar(image, ax=ax, label="α<t, t'>")
    fig.tight_layout()
    return fig


def _show(token: str) -> str:
    return "␣" if token == " " else token
