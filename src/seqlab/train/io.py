"""Files that never end half-written: atomic JSON and JSON lines, folders swapped in whole, and
safetensors files (tied weights stored once).

Every file is written atomically: to a temporary file in the same folder, flushed to disk, then
``os.replace``-d over the target, so a crash leaves the old file or the new one, never half of
one. A folder whose files must agree with each other (the trainer's ``out_dir/last``) is written
whole into ``last.tmp`` and swapped in by :func:`commit_dir`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from safetensors import safe_open
from safetensors.torch import save_file
from torch import Tensor

from seqlab._atomic import atomic_write, atomic_write_text

__all__ = [
    "append_jsonl",
    "atomic_write_json",
    "atomic_write_text",
    "commit_dir",
    "read_safetensors",
    "recover_dir",
    "remove_stale_temp",
    "write_safetensors",
]

logger = logging.getLogger(__name__)

_ALIASES_KEY = "seqlab.aliases"


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
