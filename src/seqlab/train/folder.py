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
import math
import os
import shutil
import tempfile
import threading
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import torch
from torch import nn
from torch.nn.modules.module import (
    register_module_buffer_registration_hook,
    register_module_parameter_registration_hook,
)
from torch.nn.parallel import DistributedDataParallel

from seqlab._atomic import atomic_write_text
from seqlab._config import read_json, upgrade_fields
from seqlab._version import __version__
from seqlab.train.io import (
    read_aliases,
    read_safetensors,
    read_safetensors_header,
    write_safetensors,
)

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
MAX_CONFIG_BYTES = 16_000_000  # a config.json larger than this is not one seqlab wrote
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
        ValueError: if the folder or file is missing, too large, the JSON is invalid or nested
            absurdly deep, or it lacks a string ``task`` / an object ``config``.
    """
    path = Path(path)
    if not path.is_dir():
        raise ValueError(f"model folder {path} does not exist")
    file = path / CONFIG_FILE
    if not file.is_file():
        raise ValueError(f"{path}: missing {CONFIG_FILE}")
    data = read_json(file, max_bytes=MAX_CONFIG_BYTES)
    if not isinstance(data, dict):
        raise ValueError(f"{file}: expected a JSON object, got {type(data).__name__}")
    missing = [key for key in ("task", "config") if key not in data]
    if missing:
        raise ValueError(f"{file}: missing key(s) {', '.join(missing)}")
    if not isinstance(data["task"], str):
        raise ValueError(f"{file}: 'task' must be a string, got {data['task']!r:.80}")
    if not isinstance(data["config"], dict):
        raise ValueError(f"{file}: 'config' must be a JSON object")
    return data


def load_model(
    path: str | os.PathLike, cls: type[M], *, map_location: str | torch.device = "cpu"
) -> M:
    """Rebuild a model of class ``cls`` from a model folder written by :func:`save_model`.

    The folder is untrusted input, checked before anything is built: the folder must hold a
    model of ``cls.task``; every config value must have its field's type (an int is not a bool
    or a float) and pass the config's checks; the weights file's header must agree with its
    size; and the model the config describes, built first on the ``meta`` device (no memory),
    must have exactly the tensors, shapes and dtype kinds the header declares. Only then is
    the model built for real, with ``cls.from_dir(path, config)`` when the class has one (to
    read vocabularies first), else ``cls(config)``, and the weights loaded strictly (see
    :func:`load_weights`). So a folder can never make seqlab allocate more than its weights
    file holds. Never unpickles anything. (Any task's folder: :func:`seqlab.load`.)

    Args:
        path: the model folder.
        cls: the task model class (``task`` and ``config_class`` class attributes).
        map_location: the device to put the model on.

    Returns:
        The model, in eval mode, on ``map_location``.

    Raises:
        ValueError: naming the file and the problem: missing folder or file, invalid JSON,
            another task's model, unknown, missing or mistyped config fields, a weights file
            that lies about its sizes, missing/unexpected weight keys, shape or dtype
            mismatches, NaN or Inf weights.
    """
    path = Path(path)
    data = read_config(path)
    if data["task"] != cls.task:
        raise ValueError(f"{path} holds a {data['task']!r} model, not a {cls.task!r} model")
    config = config_from_dict(cls.config_class, data["config"], source=path / CONFIG_FILE)
    weights = path / WEIGHTS_FILE
    if not weights.is_file():
        raise ValueError(f"{path}: missing {WEIGHTS_FILE}")
    declared, metadata = read_safetensors_header(weights)
    aliases = read_aliases(weights, metadata, declared)
    stored = {**declared, **{alias: declared[target] for alias, target in aliases.items()}}

    def build() -> M:
        return cls.from_dir(path, config) if hasattr(cls, "from_dir") else cls(config)

    expected = _planned_tensors(build, stored, weights)
    problems = _mismatches(expected, stored)
    if problems:
        raise ValueError(f"{weights}: does not fit {cls.__qualname__}: " + "; ".join(problems))
    model = build()
    load_weights(model, weights)
    return model.to(map_location).eval()


# safetensors dtype names of the floating-point types a float parameter may be stored in; they
# are cast to the parameter's dtype on load (load_state_dict copies). Anything else must match.
_FLOAT_DTYPES = {"F64", "F32", "F16", "BF16"}
_DTYPE_NAMES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16",
                torch.bfloat16: "BF16", torch.int64: "I64", torch.int32: "I32", torch.int16: "I16",
                torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL"}  # fmt: skip


def _planned_tensors(build: Any, stored: Mapping[str, tuple], source: Path) -> dict[str, tuple]:
    """{name: (dtype name, shape)} of the model ``build()`` makes, found without memory.

    The model is built on the ``meta`` device (tensors without storage; every task model builds
    there, tests/reliability checks it) while a hook counts the tensors it registers: more than
    twice what the file stores means the config asks for a model far larger than its weights
    (``num_layers = 10**6``), and the build stops there.

    Raises:
        ValueError: naming ``source`` when the config asks for more than the file holds.
    """
    limit = 2 * len(stored) + 16
    count = 0
    owner = threading.get_ident()

    def hook(module: nn.Module, name: str, tensor: Any) -> None:
        nonlocal count
        if tensor is None or threading.get_ident() != owner:
            return
        count += 1
        if count > limit:
            raise _TooLargeError

    handles = [register_module_parameter_registration_hook(hook),
               register_module_buffer_registration_hook(hook)]  # fmt: skip
    try:
        with torch.device("meta"):
            model = build()
    except _TooLargeError:
        raise ValueError(f"{source}: the config asks for more than {limit} tensors, the file "
                         f"stores {len(stored)}: config.json does not belong to these "
                         "weights") from None  # fmt: skip
    except (TypeError, OverflowError, RuntimeError) as error:  # e.g. sizes past 64 bits
        raise ValueError(
            f"{source}: config.json does not describe a model that can be built "
            f"({type(error).__name__}: {str(error).splitlines()[0]})"
        ) from None
    finally:
        for handle in handles:
            handle.remove()
    return {
        name: (_DTYPE_NAMES.get(t.dtype, str(t.dtype)), tuple(t.shape))
        for name, t in model.state_dict().items()
    }


class _TooLargeError(Exception):
    """Raised inside the model's constructor by the registration hook of _planned_tensors."""


def _mismatches(expected: Mapping[str, tuple], stored: Mapping[str, tuple]) -> list[str]:
    """What keeps the stored tensors from loading into the expected ones, as messages."""
    problems = []
    missing = sorted(set(expected) - set(stored))
    unexpected = sorted(set(stored) - set(expected))
    if missing:
        problems.append(f"missing keys {missing}")
    if unexpected:
        problems.append(f"unexpected keys {unexpected}")
    for name in sorted(set(expected) & set(stored)):
        (want_dtype, want_shape), (dtype, shape) = expected[name], stored[name]
        if want_shape != shape:
            problems.append(f"{name}: expected shape {want_shape}, got {shape}")
        if want_dtype in _FLOAT_DTYPES and dtype not in _FLOAT_DTYPES:
            problems.append(f"{name}: dtype {dtype}, expected a float type ({want_dtype})")
        elif want_dtype not in _FLOAT_DTYPES and dtype != want_dtype:
            problems.append(f"{name}: dtype {dtype}, expected {want_dtype}")
    return problems


def load_weights(model: nn.Module, file: str | os.PathLike) -> None:
    """Load a safetensors state_dict into ``model`` strictly.

    Float tensors stored in another float type (F16, BF16, F64) are cast to the parameter's
    dtype; any other dtype must match.

    Raises:
        ValueError: naming the file and the missing keys, unexpected keys,
            ``key: expected shape vs file shape``, a wrong dtype, or a tensor holding NaN or
            Inf.
    """
    file = Path(file)
    tensors = read_safetensors(file)
    expected = model.state_dict()
    problems = _mismatches(
        {k: (_DTYPE_NAMES.get(t.dtype, str(t.dtype)), tuple(t.shape)) for k, t in expected.items()},
        {k: (_DTYPE_NAMES.get(t.dtype, str(t.dtype)), tuple(t.shape)) for k, t in tensors.items()},
    )
    if problems:
        raise ValueError(f"{file}: does not fit {type(model).__qualname__}: " + "; ".join(problems))
    bad = sorted(k for k, t in tensors.items() if t.is_floating_point() and not t.isfinite().all())
    if bad:
        raise ValueError(f"{file}: NaN or Inf values in {', '.join(bad)}")
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
    values = {
        name: _coerce(value, hints.get(name), f"{source}: {config_class.__name__}.{name}")
        for name, value in data.items()
    }
    try:
        return config_class(**values)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{source}: {config_class.__name__}: {error}") from error


def _coerce(value: Any, hint: Any, where: str) -> Any:
    """``value`` as the type ``hint`` names, strictly: an int is not a bool, a float or a str.

    JSON lists become tuples where the field is a tuple, an int becomes a float for a float
    field, and nested dataclasses are rebuilt with :func:`config_from_dict`.

    Raises:
        ValueError: ``where: expected int, got 32.0``.
    """
    if hint is None or hint is Any:
        return value
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise _wrong_type(where, hint.__name__ + " (a JSON object)", value)
        return config_from_dict(hint, value, source=where)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            try:
                return _coerce(value, arg, where)
            except ValueError:
                continue
        raise _wrong_type(where, " or ".join(_type_name(a) for a in args), value)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise _wrong_type(where, "a list", value)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(v, args[0], f"{where}[{i}]") for i, v in enumerate(value))
        if args and len(args) != len(value):
            raise ValueError(f"{where}: expected {len(args)} values, got {len(value)}")
        if not args:
            return tuple(value)
        return tuple(_coerce(v, a, f"{where}[{i}]") for i, (v, a) in enumerate(zip(value, args)))
    if origin is typing.Literal:
        if value not in args or isinstance(value, bool) != any(isinstance(a, bool) for a in args):
            raise _wrong_type(where, " or ".join(map(repr, args)), value)
        return value
    checks = {
        type(None): lambda v: v is None,
        bool: lambda v: isinstance(v, bool),
        int: lambda v: type(v) is int,
        float: lambda v: type(v) in (int, float) and math.isfinite(v),
        str: lambda v: isinstance(v, str),
    }
    if hint in checks:
        if not checks[hint](value):
            raise _wrong_type(where, _type_name(hint), value)
        if hint is int and not -(2**63) <= value < 2**63:
            raise ValueError(f"{where}: {value:.3g} does not fit in 64 bits")
        return float(value) if hint is float else value
    return value


def _type_name(hint: Any) -> str:
    names = {type(None): "null", float: "a finite float", int: "int", bool: "bool", str: "str"}
    return names.get(hint, getattr(hint, "__name__", str(hint)))


def _wrong_type(where: str, expected: str, value: Any) -> ValueError:
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    return ValueError(f"{where}: expected {expected}, got {type(value).__name__} {shown}")
