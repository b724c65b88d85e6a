"""``--set SECTION.FIELD=VALUE``: how every benchmark changes one field of a preset.

    changes = preset_changes(args.set, progress=True)   # {"model": {...}, "data": ..., ...}
    model_cfg, data_cfg, trainer_cfg = preset_configs("dates", **changes)

VALUE is JSON (``3e-3``, ``false``, ``null``, ``"gru"``); ``None`` means null too, and anything
else that is not JSON is kept as a string (``--set model.cell=gru``).
"""

from __future__ import annotations

import json
import sys

SECTIONS = ("model", "data", "trainer")


def preset_changes(items: list[str], *, progress: bool = False) -> dict[str, dict]:
    """The overrides ``preset_configs(name, **changes)`` takes, from ``--set`` items.

    ``progress``: the trainer draws its progress bar when stderr is a terminal.
    """
    changes: dict[str, dict] = {section: {} for section in SECTIONS}
    if progress:
        changes["trainer"]["progress"] = sys.stderr.isatty()
    for item in items:
        key, _, value = item.partition("=")
        section, _, name = key.partition(".")
        if section not in changes or not name:
            raise SystemExit(f"--set {item!r}: expected model|data|trainer.FIELD=VALUE")
        try:
            changes[section][name] = None if value == "None" else json.loads(value)
        except json.JSONDecodeError:
            changes[section][name] = value
    return changes
