"""Named settings ("presets") of a task: a model config, a data config and a TrainerConfig.

Each task package keeps a ``PRESETS`` table ``{name: {"model": {...}, "data": {...},
"trainer": {...}}}``; :func:`build_configs` turns one entry into the three config objects,
with fields the caller overrides (the CLI's explicit flags, a benchmark's ``--set``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from seqlab._config import upgrade_fields
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
        ValueError: on an unknown preset name (the known ones are listed), an unknown or removed
            field, or an invalid value.
    """
    if name not in presets:
        raise ValueError(f"unknown preset {name!r}; known: {', '.join(sorted(presets))}")
    spec = presets[name]
    return (
        _build(model_class, spec["model"], model, "model"),
        _build(data_class, spec["data"], data, "data"),
        _build(TrainerConfig, spec["trainer"], trainer, "trainer"),
    )


def _build(cls: type, preset: Mapping[str, Any], override: Mapping[str, Any] | None, part: str):
    """``cls`` from the preset's fields with ``override`` on top; a field the class does not
    have (or no longer has: ``RETIRED_FIELDS``) is a ValueError naming it; an old name of a
    renamed field (``RENAMED_FIELDS``) is read as the new one."""
    values = upgrade_fields(cls, {**preset, **(override or {})}, source=f"{part} settings")
    known = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"{part} settings: {cls.__name__} has no field(s) {', '.join(unknown)}; "
                         f"known: {', '.join(sorted(known))}")  # fmt: skip
    return cls(**values)
