"""One tiny model folder of every task in seqlab.TASKS, for the crafted-folder tests."""

from __future__ import annotations

from pathlib import Path

import torch

import seqlab
from seqlab.text import CharTokenizer, Vocabulary, WordTokenizer
from seqlab.train import save_model

WORDS = ["the", "cat", "sat", "on", "mat"]


def tiny_model(task: str) -> torch.nn.Module:
    """A small untrained model of ``task`` with its assets (vocabularies, labels)."""
    torch.manual_seed(0)
    cls = seqlab.task_class(task)
    config_class = cls.config_class
    if task == "lm":
        return cls(config_class(hidden_size=4, num_layers=1), Vocabulary(list("abc")),
                   CharTokenizer())  # fmt: skip
    if task == "classify":
        return cls(config_class(embedding_size=4, hidden_size=3), Vocabulary(WORDS),
                   ["neg", "pos"], WordTokenizer(lower=True))  # fmt: skip
    if task == "tag":
        return cls(config_class(embedding_size=4, hidden_size=3, casing_size=2, crf=True),
                   Vocabulary(WORDS), None, ["O", "B-X", "I-X"])  # fmt: skip
    if task == "seq2seq":
        config = config_class(level="char", embedding_size=4, hidden_size=3, attention_size=3)
        return cls(config, Vocabulary(list("abc")), Vocabulary(list("xyz")), CharTokenizer(),
                   CharTokenizer())  # fmt: skip
    if task in ("speech", "trigger"):
        return cls(config_class(n_features=4, conv_channels=3, hidden_size=3))
    if task == "music":
        return cls(config_class(hidden_size=4))
    if task == "recall":
        return cls(config_class(hidden_size=4, embedding_size=3))
    if task == "caption":  # 16x16 grey images, a 4x4 grid after two conv blocks
        config = config_class(
            cnn_width=2,
            cnn_blocks=2,
            vector_size=4,
            embedding_size=4,
            hidden_size=3,
            attention_size=3,
            image_size=16,
            in_channels=1,
        )
        return cls(config, Vocabulary(WORDS), WordTokenizer(lower=True))
    if task == "activity":  # frames, so that the CNN's weights and buffers are in the folder
        config = config_class(
            hidden_size=3,
            frame_size=4,
            cnn_width=2,
            cnn_blocks=2,
            input="frames",
            in_channels=1,
            image_size=8,
        )
        return cls(config, ["walk", "run"])
    raise AssertionError(f"no tiny model for task {task!r}")


def tiny_folder(task: str, folder: Path) -> Path:
    """``folder`` holding a saved tiny model of ``task``."""
    return save_model(tiny_model(task), folder)
