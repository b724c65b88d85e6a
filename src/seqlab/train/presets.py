"""Named settings ("presets") of a task: a model config, a data config and a TrainerConfig.

Each task package keeps a ``PRESETS`` table ``{name: {"model": {...}, "data": {...},
"trainer": {...}}}``; :func:`build_configs` turns one entry into the three config objects,
with fields the caller overrides (the CLI's explicit flags, a benchmark's ``--set``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from seqlab.train.config import TrainerConfig

__all__ = ["build_configs"]


def build_configs(
    presets: Mapping[str, Mapping[str, Mapping[str, Any]]],
    name: str,
    model_class: type,
    data_class: type,
    *,
    model: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    trainer: Mapping[str, Any] | None = None,
) -> tuple[Any, Any, TrainerConfig]:
    """The configs of preset ``name``, each field of ``model``/``data``/``trainer`` overriding.

    Raises:
        ValueError: on an unknown preset name (the known ones are listed) or an invalid value.
    """
    if name not in presets:
        raise ValueError(f"unknown preset {name!r}; known: {', '.join(sorted(presets))}")
    spec = presets[name]
    return (
        model_class(**{**spec["model"], **(model or {})}),
        data_class(**{**spec["data"], **(data or {})}),
        TrainerConfig(**{**spec["trainer"], **(trainer or {})}),
    )
