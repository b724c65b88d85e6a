"""The notes' Emojify task: a sentence -> one of five emoji, on data shipped with seqlab.

``emoji_train.tsv`` / ``emoji_test.tsv`` are Emojify-style sentences written for seqlab (the
course's own files carry no licence) with the course's labels, and ``glove.6B.50d.emoji.txt``
holds the GloVe 6B 50d vectors of their words (see ``seqlab/data/SOURCES.md``).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["EMOJI", "emoji_paths"]

# The Emojify labels.
EMOJI = {
    "0": "\u2764\ufe0f",
    "1": "\u26be",
    "2": "\U0001f604",
    "3": "\U0001f61e",
    "4": "\U0001f374",
}


def emoji_paths() -> dict[str, Path]:
    """The bundled files: ``{"train", "test", "vectors"}`` -> path."""
    data = files("seqlab.data")
    return {
        "train": Path(str(data.joinpath("emoji_train.tsv"))),
        "test": Path(str(data.joinpath("emoji_test.tsv"))),
        "vectors": Path(str(data.joinpath("glove.6B.50d.emoji.txt"))),
    }
