"""Settings for training classifiers and taggers: the data configs and the named presets.

The training itself follows the one recipe (:func:`seqlab.train.fit_task`):
:func:`~seqlab.classify.train_classifier.train_classifier` and
:func:`~seqlab.classify.train_tagger.train_tagger`.
"""

from __future__ import annotations

from typing import Any

from seqlab.classify.config import (
    PRESETS,
    ClassifierConfig,
    ClassifierDataConfig,
    TaggerConfig,
    TaggerDataConfig,
)
from seqlab.train import TrainerConfig
from seqlab.train.presets import build_configs

__all__ = ["DATA_FILE", "ClassifierDataConfig", "PRESETS", "TaggerDataConfig", "preset_configs"]

DATA_FILE = "data.json"


def preset_configs(
    name: str,
    *,
    model: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    trainer: dict[str, Any] | None = None,
) -> tuple[Any, Any, TrainerConfig]:
    """The three configs of a preset (a classifier's or a tagger's), with fields overridden.

    Raises:
        ValueError: on an unknown preset name or an invalid override.
    """
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; known: {', '.join(sorted(PRESETS))}")
    tagger = name.startswith("conll")
    classes = (
        (TaggerConfig, TaggerDataConfig) if tagger else (ClassifierConfig, ClassifierDataConfig)
    )
    return build_configs(PRESETS, name, *classes, model=model, data=data, trainer=trainer)
