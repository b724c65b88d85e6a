"""Config validation shared by every ``@dataclass(frozen=True)`` config.

Imports nothing from seqlab, so every package may use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["check_fields", "drop_retired", "rename_fields", "upgrade_fields"]


def check_fields(config: Any, checks: Mapping[str, bool]) -> None:
    """Raise one ValueError naming every field whose check failed, with its value.

    A field that takes one of a few names (listed in the class attribute
    ``CHOICES = {field: (name, ...)}``) is reported with the names it accepts.

    Args:
        config: the dataclass instance (its class name heads the message).
        checks: field name -> whether its value is valid.

    Raises:
        ValueError: ``invalid LMConfig: hidden_size=0, cell='x' (one of 'rnn', 'gru', 'lstm')``
            when any check is False.
    """
    bad = [name for name, ok in checks.items() if not ok]
    if bad:
        choices = getattr(type(config), "CHOICES", {})
        values = ", ".join(f"{name}={getattr(config, name)!r}" + _one_of(choices.get(name))
                           for name in bad)  # fmt: skip
        raise ValueError(f"invalid {type(config).__name__}: {values}")


def _one_of(names: Any) -> str:
    return f" (one of {', '.join(repr(n) for n in names)})" if names else ""


def drop_retired(config_class: type, data: Mapping[str, Any], *, source: Any = "config") -> dict:
    """Saved config data without the fields ``config_class`` no longer has.

    A config class lists the options removed from it in a class attribute
    ``RETIRED_FIELDS = {name: value}``: ``value`` is the setting that behaves as the code does
    now (the old default). Data saved before the removal (a model folder's config.json, a
    trainer_state.json) still loads when it holds that value; any other value names the option.

    Args:
        config_class: the dataclass the data is for.
        data: field name -> value, as read from JSON.
        source: named in the error (e.g. the file).

    Returns:
        ``data`` without the retired fields.

    Raises:
        ValueError: ``model/config.json: ClassifierConfig.static_channel=True: this option was
            removed from seqlab (only static_channel=False loads)``.
    """
    retired = getattr(config_class, "RETIRED_FIELDS", {})
    for name, value in retired.items():
        if name in data and data[name] != value:
            raise ValueError(
                f"{source}: {config_class.__name__}.{name}={data[name]!r}: this option was "
                f"removed from seqlab (only {name}={value!r} loads)"
            )
    return {name: value for name, value in data.items() if name not in retired}


def rename_fields(config_class: type, data: Mapping[str, Any], *, source: Any = "config") -> dict:
    """Saved config data with the fields renamed since it was written under their new names.

    A config class lists its renamed fields in a class attribute
    ``RENAMED_FIELDS = {old_name: new_name}`` (e.g. ``{"n_layers": "num_layers"}``: one name per
    quantity across the library, as torch.nn says ``num_layers``). Data saved before the rename
    (a model folder's config.json, a preset, a benchmark's settings) still loads.

    Args:
        config_class: the dataclass the data is for.
        data: field name -> value, as read from JSON.
        source: named in the error (e.g. the file).

    Returns:
        ``data`` with every old name replaced by its new one (the order kept).

    Raises:
        ValueError: ``model/config.json: MusicConfig has both n_layers (the old name of
            num_layers) and num_layers`` when both spellings are given.
    """
    renamed = getattr(config_class, "RENAMED_FIELDS", {})
    out: dict[str, Any] = {}
    for name, value in data.items():
        new = renamed.get(name, name)
        if new != name and new in data:
            raise ValueError(
                f"{source}: {config_class.__name__} has both {name} (the old name of {new}) "
                f"and {new}"
            )
        out[new] = value
    return out


def upgrade_fields(config_class: type, data: Mapping[str, Any], *, source: Any = "config") -> dict:
    """Saved config data as ``config_class`` reads it now: renamed fields under their new
    names (:func:`rename_fields`), retired fields dropped (:func:`drop_retired`)."""
    return drop_retired(config_class, rename_fields(config_class, data, source=source),
                        source=source)  # fmt: skip
