"""Model folders: safetensors + JSON, never pickle.

A model folder::

    model/
      config.json          {"task", "seqlab_version", "model_class", "config": {...}, **extra}
      model.safetensors    the state_dict; tied weights stored once (aliases in the metadata)
      vocab*.json ...      whatever the model's save_assets(dir) writes

Every file is written atomically (:mod:`seqlab.train.io`); ``config.json`` is written last, so a
folder without it was never finished. A folder is untrusted input: its config is checked field
by field before anything is built.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import tempfile
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from seqlab._atomic import atomic_write_text
from seqlab._config import upgrade_fields
from seqlab._version import __version__
from seqlab.train.io import read_safetensors, write_safetensors

__all__ = [
    "CONFIG_FILE",
    "WEIGHTS_FILE",
    "config_from_dict",
    "load_model",
    "load_weights",
    "read_config",
    "save_model",
]

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=nn.Module)

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
_RESERVED = ("task", "seqlab_version", "model_class", "config")


# --- model folders ----------------------------------------------------------------------------


def save_model(
    model: nn.Module, path: str | os.PathLike, *, extra_config: Mapping[str, Any] | None = None
) -> Path:
    """Write ``model`` as a model folder (see the module docstring); every file atomically.

    Args:
        model: a task model (``task``, ``config``; optional ``save_assets(dir)``). A DDP wrapper
            is unwrapped.
        path: the folder; created if missing. Files already there are replaced one by one.
        extra_config: more top-level keys for ``config.json`` (JSON-serialisable); may not use
            the reserved keys task, seqlab_version, model_class, config.

    Returns:
        The folder as a ``Path``.

    Raises:
        ValueError: if the model lacks ``task``/``config`` or ``extra_config`` uses a reserved key.
    """
    if isinstance(model, DistributedDataParallel):
        model = model.module
    if not isinstance(getattr(model, "task", None), str):
        raise ValueError(f"{type(model).__qualname__} has no class attribute task (its name)")
    if not dataclasses.is_dataclass(getattr(model, "config", None)):
        raise ValueError(f"{type(model).__qualname__}.config is not a dataclass instance")
    clash = sorted(set(extra_config or {}) & set(_RESERVED))
    if clash:
        raise ValueError(f"extra_config may not set reserved keys: {', '.join(clash)}")
    config = {
        "task": model.task,
        "seqlab_version": __version__,
        "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
        "config": dataclasses.asdict(model.config),
        **dict(extra_config or {}),
    }
    text = json.dumps(config, indent=2, allow_nan=False) + "\n"  # fail before touching files
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    if hasattr(model, "save_assets"):
        _save_assets(model, path)
    write_safetensors(path / WEIGHTS_FILE, model.state_dict())
    atomic_write_text(path / CONFIG_FILE, text)
    return path


def _save_assets(model: nn.Module, path: Path) -> None:
    # save_assets writes plain files; let it write into a private folder, then move each file
    # into place with os.replace, so the assets are atomic too.
    staging = Path(tempfile.mkdtemp(dir=path, prefix=".assets-"))
    try:
        model.save_assets(staging)
        for file in sorted(p for p in staging.rglob("*") if p.is_file()):
            target = path / file.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(file, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(file, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_config(path: str | os.PathLike) -> dict[str, Any]:
    """Read and check a model folder's ``config.json``.

    Raises:
        ValueError: if the folder or file is missing, the JSON is invalid, or it lacks
            ``task`` / ``config``.
    """
    path = Path(path)
    if not path.is_dir():
        raise ValueError(f"model folder {path} does not exist")
    file = path / CONFIG_FILE
    if not file.is_file():
        raise ValueError(f"{path}: missing {CONFIG_FILE}")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{file}: invalid JSON ({error})") from error
    if not isinstance(data, dict):
        raise ValueError(f"{file}: expected a JSON object, got {type(data).__name__}")
    missing = [key for key in ("task", "config") if key not in data]
    if missing:
        raise ValueError(f"{file}: missing key(s) {', '.join(missing)}")
    if not isinstance(data["config"], dict):
        raise ValueError(f"{file}: 'config' must be a JSON object")
    return data


def load_model(
    path: str | os.PathLike, cls: type[M], *, map_location: str | torch.device = "cpu"
) -> M:
    """Rebuild a model of class ``cls`` from a model folder written by :func:`save_model`.

    The folder must hold a model of ``cls.task``. The model is built with
    ``cls.from_dir(path, config)`` when the class has one (to read vocabularies first), else
    ``cls(config)``; then the weights are loaded strictly. Never unpickles anything. (Any task's
    folder, whatever it holds: :func:`seqlab.load`.)

    Args:
        path: the model folder.
        cls: the task model class (``task`` and ``config_class`` class attributes).
        map_location: the device to put the model on.

    Returns:
        The model, in eval mode, on ``map_location``.

    Raises:
        ValueError: naming the file and the problem: missing folder or file, invalid JSON,
            another task's model, unknown or missing config fields, missing/unexpected weight
            keys, shape mismatches.
    """
    path = Path(path)
    data = read_config(path)
    if data["task"] != cls.task:
        raise ValueError(f"{path} holds a {data['task']!r} model, not a {cls.task!r} model")
    config = config_from_dict(cls.config_class, data["config"], source=path / CONFIG_FILE)
    if not (path / WEIGHTS_FILE).is_file():
        raise ValueError(f"{path}: missing {WEIGHTS_FILE}")
    model = cls.from_dir(path, config) if hasattr(cls, "from_dir") else cls(config)
    load_weights(model, path / WEIGHTS_FILE)
    return model.to(map_location).eval()


def load_weights(model: nn.Module, file: str | os.PathLike) -> None:
    """Load a safetensors state_dict into ``model`` strictly.

    Raises:
        ValueError: naming the file and the missing keys, unexpected keys, or
            ``key: expected shape vs file shape``.
    """
    file = Path(file)
    tensors = read_safetensors(file)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    problems = []
    if missing:
        problems.append(f"missing keys {missing}")
    if unexpected:
        problems.append(f"unexpected keys {unexpected}")
    for name in sorted(set(expected) & set(tensors)):
        if expected[name].shape != tensors[name].shape:
            problems.append(
                f"{name}: expected shape {tuple(expected[name].shape)}, "
                f"got {tuple(tensors[name].shape)}"
            )
    if problems:
        raise ValueError(f"{file}: does not fit {type(model).__qualname__}: " + "; ".join(problems))
    model.load_state_dict(tensors, strict=True)


def config_from_dict(config_class: type, data: Mapping[str, Any], *, source: Any = "config") -> Any:
    """Build a (frozen) dataclass config from JSON data: unknown fields are errors.

    JSON lists become tuples where the field is a tuple, and nested dataclasses are rebuilt.

    Fields renamed since the data was written (the class's ``RENAMED_FIELDS``, e.g. a
    ``config.json`` saved with ``n_layers`` read as ``num_layers``) are read under their new
    names, and retired fields are dropped (:func:`seqlab._config.upgrade_fields`).

    Raises:
        ValueError: naming ``source`` and the unknown or missing fields, or a retired field
            (see :func:`seqlab._config.drop_retired`) that does not hold its old default.
    """
    data = upgrade_fields(config_class, data, source=source)
    fields = {f.name: f for f in dataclasses.fields(config_class) if f.init}
    unknown = sorted(set(data) - set(fields))
    # A field added after the folder was written takes its default, so old folders still load;
    # a field without a default must be present.
    missing = sorted(
        name
        for name, f in fields.items()
        if name not in data
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    )
    if unknown or missing:
        parts = [f"unknown field(s) {unknown}"] if unknown else []
        parts += [f"missing field(s) {missing}"] if missing else []
        raise ValueError(f"{source}: {config_class.__name__}: " + "; ".join(parts))
    try:
        hints = typing.get_type_hints(config_class)
    except Exception:  # unresolvable annotations: take the JSON values as they are
        hints = {}
    values = {name: _coerce(value, hints.get(name), source) for name, value in data.items()}
    try:
        return config_class(**values)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{source}: {config_class.__name__}: {error}") from error


def _coerce(value: Any, hint: Any, source: Any) -> Any:
    if hint is None:
        return value
    if dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return config_from_dict(hint, value, source=source)
    origin = typing.get_origin(hint)
    if origin is tuple and isinstance(value, list):
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(v, args[0], source) for v in value)
        if len(args) == len(value):
            return tuple(_coerce(v, a, source) for v, a in zip(value, args, strict=True))
        return tuple(value)
    if origin is not None and origin is not tuple:  # Union / Optional / X | Y
        for arg in typing.get_args(hint):
            coerced = _coerce(value, arg, source)
            if coerced is not value:
                return coerced
    return value
