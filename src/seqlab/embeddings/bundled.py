"""The word-vector files seqlab ships (see ``seqlab/data/SOURCES.md``): for the demo and docs."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["bundled_paths"]


def bundled_paths() -> dict[str, Path]:
    """``{"vectors": GloVe 6B 50d subset (1,811 words), "corpus": Lee background corpus}``."""
    data = files("seqlab.data")
    return {
        "vectors": Path(str(data.joinpath("glove.6B.50d.demo.txt"))),
        "corpus": Path(str(data.joinpath("lee_background.cor"))),
    }
