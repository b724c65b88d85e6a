"""Pictures for the page: a matplotlib figure -> a ``data:image/png;base64,...`` URL.

The figures are the CLI's own, drawn by the task packages (attention maps, piano rolls,
P(trigger), attention panels); only the destination differs. Some are drawn through pyplot,
whose figure registry is global, so figures are drawn one at a time.
"""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["data_url", "draw"]

_PYPLOT = threading.Lock()  # pyplot's figure registry is not thread-safe


def data_url(data: bytes, mime: str) -> str:
    """``data:MIME;base64,...`` for the page (an <img src> or a download link)."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def draw(make: Callable[[], Any]) -> str:
    """Call ``make()`` (it returns a matplotlib Figure) and return the figure as a PNG data URL."""
    with _PYPLOT:
        fig = make()
        try:
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        finally:
            import matplotlib.pyplot as plt

            plt.close(fig)  # a pyplot figure leaves the registry; another is left alone
    return data_url(buffer.getvalue(), "image/png")
