"""Config validation shared by every ``@dataclass(frozen=True)`` config, and the one reader of
the JSON files seqlab writes beside its models (configs, vocabularies, labels, records).

Imports nothing from seqlab, so every package may use it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "MAX_JSON_BYTES",
    "check_fields",
    "drop_retired",
    "read_json",
    "rename_fields",
    "upgrade_fields",
]

MAX_JSON_BYTES = 256_000_000  # larger than any vocabulary seqlab writes; a bigger file is refused


def read_json(path: str | os.PathLike[str], *, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """Parse a JSON file that seqlab wrote, treating it as untrusted input.

    Args:
        path: the file.
        max_bytes: larger files are refused before they are read.

    Returns:
        The parsed value (its structure is the caller's to check).

    Raises:
        ValueError: naming the file when it is missing, a folder, too large, not UTF-8, not
            JSON, nested too deeply for the parser (``[[[[...]]]]``) or holds an integer of more
            digits than Python converts.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ValueError(
                f"{path}: {size} bytes, more than the {max_bytes} a JSON file may have"
            )
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: is a folder, expected a JSON file") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: invalid JSON (not UTF-8: {error})") from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ValueError(f"{path}: invalid JSON ({type(error).__name__}: {error})") from None


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
