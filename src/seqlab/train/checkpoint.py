"""Model folders and resumable training state on disk: safetensors + JSON, never pickle.

A model folder::

    model/
      config.json          {"task", "seqlab_version", "model_class", "config": {...}, **extra}
      model.safetensors    the state_dict; tied weights stored once (aliases in the metadata)
      vocab*.json ...      whatever the model's save_assets(dir) writes

Every file is written atomically: to a temporary file in the same folder, flushed to disk, then
``os.replace``-d over the target, so a crash leaves the old file or the new one, never half of
one. ``config.json`` is written last, so a folder without it was never finished.

A training state folder (``out_dir/last``) has more than one file that must agree with each other,
so it is written whole into ``last.tmp`` and swapped in by :func:`commit_dir`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import random
import shutil
import tempfile
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel

from seqlab._atomic import atomic_write, atomic_write_text
from seqlab._config import drop_retired
from seqlab._version import __version__

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=nn.Module)

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
_ALIASES_KEY = "seqlab.aliases"
_RESERVED = ("task", "seqlab_version", "model_class", "config")


# --- atomic files ---------------------------------------------------------------------------


def atomic_write_json(path: str | os.PathLike, obj: Any) -> None:
    """Write ``obj`` as indented, strict JSON (no NaN/Infinity) to ``path`` atomically."""
    atomic_write_text(path, json.dumps(obj, indent=2, allow_nan=False) + "\n")


def append_jsonl(path: str | os.PathLike, record: Mapping[str, Any]) -> None:
    """Append one JSON line; a single ``write`` on an O_APPEND file, so lines never interleave
    or end up half-written when the process is killed."""
    line = (json.dumps(record, allow_nan=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def commit_dir(staging: Path, final: Path) -> None:
    """Swap a fully written folder ``staging`` in as ``final``.

    ``final`` is renamed to ``final.old`` first (a folder cannot be replaced in one rename), then
    ``staging`` to ``final``; :func:`recover_dir` repairs a crash between the two renames.
    """
    old = final.with_name(final.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)


def recover_dir(final: Path) -> Path | None:
    """Return ``final`` after undoing a crash inside :func:`commit_dir`; None if there is none.

    ``final.tmp`` may be half written and is dropped; ``final.old`` is complete and is put back
    when ``final`` is missing.
    """
    old = final.with_name(final.name + ".old")
    shutil.rmtree(final.with_name(final.name + ".tmp"), ignore_errors=True)
    if not final.exists() and old.exists():
        logger.warning("recovering %s from %s (a save was interrupted)", final, old)
        os.replace(old, final)
    shutil.rmtree(old, ignore_errors=True)
    return final if final.exists() else None


def remove_stale_temp(folder: Path) -> None:
    """Delete the temporary files and folders a killed :func:`atomic_write` or
    :func:`save_model` may leave in ``folder`` (only when no other process writes there)."""
    for path in folder.glob(".*.tmp"):
        path.unlink(missing_ok=True)
    for path in folder.glob(".assets-*"):
        shutil.rmtree(path, ignore_errors=True)


# --- safetensors without shared storage -------------------------------------------------------


def write_safetensors(
    path: str | os.PathLike, tensors: Mapping[str, Tensor], *, metadata: dict | None = None
) -> None:
    """Write tensors to a safetensors file atomically, as contiguous CPU tensors.

    safetensors refuses tensors that share memory, so a tensor that is the very same view as an
    earlier one (tied weights) is stored once and recorded as an alias in the metadata, and a
    different view of shared memory is copied.
    """
    stored: dict[str, Tensor] = {}
    aliases: dict[str, str] = {}
    views: dict[tuple, str] = {}
    storages: set[int] = set()
    for name, t in tensors.items():
        t = t.detach()
        if t.numel() > 0:
            ptr = t.untyped_storage().data_ptr()
            view = (t.device, ptr, t.storage_offset(), tuple(t.shape), t.stride(), t.dtype)
            if view in views:
                aliases[name] = views[view]
                continue
            views[view] = name
            if ptr in storages:
                t = t.clone()
            storages.add(ptr)
        stored[name] = t.to("cpu").contiguous()
    meta = {"format": "pt", **(metadata or {})}
    if aliases:
        meta[_ALIASES_KEY] = json.dumps(aliases, sort_keys=True)
    atomic_write(path, lambda tmp: save_file(stored, str(tmp), metadata=meta))


def read_safetensors(path: str | os.PathLike) -> dict[str, Tensor]:
    """Read a file written by :func:`write_safetensors` (aliases restored) onto the CPU.

    Raises:
        ValueError: if the file is missing or is not a readable safetensors file.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"missing file {path}")
    try:
        with safe_open(str(path), framework="pt", device="cpu") as f:
            metadata = f.metadata() or {}
            tensors = {name: f.get_tensor(name) for name in f.keys()}
        aliases = json.loads(metadata.get(_ALIASES_KEY, "{}"))
    except Exception as error:  # safetensors raises its own error types for a corrupt header
        raise ValueError(f"{path}: not a readable safetensors file ({error})") from error
    for name, target in aliases.items():
        if target not in tensors:
            raise ValueError(f"{path}: alias {name!r} points to missing tensor {target!r}")
        tensors[name] = tensors[target]
    return tensors


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

    Raises:
        ValueError: naming ``source`` and the unknown or missing fields, or a retired field
            (see :func:`seqlab._config.drop_retired`) that does not hold its old default.
    """
    data = drop_retired(config_class, data, source=source)
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


# --- nested state (optimizer, trainer) as JSON + tensors ---------------------------------------


def encode_tree(obj: Any, tensors: dict[str, Tensor], prefix: str) -> Any:
    """Turn nested dicts/lists/tuples of tensors and scalars into JSON data plus named tensors.

    Tensors go into ``tensors`` under ``prefix/...`` and are replaced by ``{"__tensor__": key}``;
    tuples, non-string dict keys and non-finite floats are tagged so :func:`decode_tree` gives
    back the same structure. This is how optimizer state is saved without pickle.
    """
    if isinstance(obj, Tensor):
        tensors[prefix] = obj
        return {"__tensor__": prefix}
    if isinstance(obj, bool) or obj is None or isinstance(obj, (int, str)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else {"__float__": repr(obj)}
    if isinstance(obj, tuple):
        return {"__tuple__": [encode_tree(v, tensors, f"{prefix}/{i}") for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [encode_tree(v, tensors, f"{prefix}/{i}") for i, v in enumerate(obj)]
    if isinstance(obj, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in obj):
            return {k: encode_tree(v, tensors, f"{prefix}/{k}") for k, v in obj.items()}
        return {
            "__items__": [
                [
                    encode_tree(k, tensors, f"{prefix}/k{i}"),
                    encode_tree(v, tensors, f"{prefix}/{k}"),
                ]
                for i, (k, v) in enumerate(obj.items())
            ]
        }
    raise TypeError(f"cannot save {type(obj).__name__} at {prefix!r} without pickle")


def decode_tree(obj: Any, tensors: Mapping[str, Tensor]) -> Any:
    """Inverse of :func:`encode_tree`."""
    if isinstance(obj, list):
        return [decode_tree(v, tensors) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__tensor__" in obj:
        return tensors[obj["__tensor__"]]
    if "__float__" in obj:
        return float(obj["__float__"])
    if "__tuple__" in obj:
        return tuple(decode_tree(v, tensors) for v in obj["__tuple__"])
    if "__items__" in obj:
        return {decode_tree(k, tensors): decode_tree(v, tensors) for k, v in obj["__items__"]}
    return {k: decode_tree(v, tensors) for k, v in obj.items()}


# --- random number generators -----------------------------------------------------------------


def rng_state() -> dict[str, Tensor]:
    """The states of torch (CPU, and CUDA once initialised), NumPy and ``random`` as tensors."""
    _, keys, pos, has_gauss, gauss = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    state = {
        "torch": torch.get_rng_state(),
        "numpy": torch.tensor([*keys.tolist(), pos, has_gauss], dtype=torch.int64),
        "numpy_gauss": torch.tensor([gauss], dtype=torch.float64),
        "python": torch.tensor([version, *internal, gauss_next is not None], dtype=torch.int64),
        "python_gauss": torch.tensor([gauss_next or 0.0], dtype=torch.float64),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.stack(torch.cuda.get_rng_state_all())
    return state


def set_rng_state(state: Mapping[str, Tensor]) -> None:
    """Restore the generators from :func:`rng_state`'s tensors."""
    torch.set_rng_state(state["torch"].to("cpu", torch.uint8))
    numpy = state["numpy"].tolist()
    gauss = float(state["numpy_gauss"][0])
    np.random.set_state(("MT19937", np.array(numpy[:624], dtype=np.uint32), *numpy[624:], gauss))
    python = state["python"].tolist()
    gauss_next = float(state["python_gauss"][0]) if python[-1] else None
    random.setstate((python[0], tuple(python[1:-1]), gauss_next))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(list(state["cuda"].to("cpu", torch.uint8)))
