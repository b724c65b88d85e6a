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
import math
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
    "read_aliases",
    "read_safetensors",
    "read_safetensors_header",
    "recover_dir",
    "remove_stale_temp",
    "write_safetensors",
]

logger = logging.getLogger(__name__)

_ALIASES_KEY = "seqlab.aliases"
# Bytes per element of every dtype the safetensors format names.
DTYPE_SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "F8_E4M3": 1, "F8_E5M2": 1,
               "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U64": 8, "U32": 4, "U16": 2, "U8": 1,
               "BOOL": 1}  # fmt: skip
_MAX_HEADER = 100_000_000  # bytes; the safetensors library's own limit


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


def read_safetensors_header(path: str | os.PathLike) -> tuple[dict[str, tuple], dict[str, str]]:
    """The tensors a safetensors file declares, checked against its size; no data is read.

    The file is an 8-byte little-endian header length, a JSON header ``{name: {"dtype",
    "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}`` and the data. Every
    declared size is checked against the file's size before anything is allocated, so a header
    that promises more than the file holds is an error, never a large allocation.

    Returns:
        ``{name: (dtype, shape)}`` (dtype as the format names it, e.g. ``"F32"``; shape a
        tuple) and the metadata (str -> str).

    Raises:
        ValueError: naming the file and what is wrong: missing, truncated, a header that is
            not JSON or lies about sizes, an unknown dtype, overlapping or out-of-file data.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"missing file {path}")
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size < 8:
            raise ValueError(f"{path}: not a readable safetensors file (only {size} bytes)")
        n = int.from_bytes(f.read(8), "little")
        if n > min(size - 8, _MAX_HEADER):
            raise ValueError(f"{path}: not a readable safetensors file (its header claims {n} "
                             f"bytes, {size - 8} follow its length)")  # fmt: skip
        raw = f.read(n)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as error:  # RecursionError: absurdly nested JSON
        raise ValueError(f"{path}: not a readable safetensors file ({error})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{path}: not a readable safetensors file (header not a JSON object)")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise ValueError(f"{path}: __metadata__ must map strings to strings")
    tensors, spans = {}, []
    for name, entry in header.items():
        dtype, shape, (begin, end) = _header_entry(path, name, entry)
        numel = math.prod(shape)
        if end - begin != numel * DTYPE_SIZES[dtype]:
            raise ValueError(f"{path}: {name}: shape {list(shape)} of {dtype} needs "
                             f"{numel * DTYPE_SIZES[dtype]} bytes, data_offsets give "
                             f"{end - begin}")  # fmt: skip
        if end > size - 8 - n:
            raise ValueError(f"{path}: {name}: data ends at byte {end} of {size - 8 - n} "
                             "(the file is truncated or its header lies)")  # fmt: skip
        tensors[name] = (dtype, shape)
        spans.append((begin, end, name))
    spans.sort()
    for (_, end, a), (begin, _, b) in zip(spans, spans[1:]):
        if begin < end:
            raise ValueError(f"{path}: tensors {a} and {b} overlap")
    return tensors, metadata


def _header_entry(path: Path, name: str, entry: Any) -> tuple[str, tuple[int, ...], list[int]]:
    def bad(what: str) -> ValueError:
        return ValueError(f"{path}: tensor {name!r}: {what}")

    if not isinstance(entry, dict):
        raise bad("expected a JSON object")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in DTYPE_SIZES:
        raise bad(f"unknown dtype {dtype!r}")
    if not isinstance(shape, list) or not all(_is_count(d) for d in shape):
        raise bad(f"shape must be a list of non-negative integers, got {shape!r}")
    if (not isinstance(offsets, list) or len(offsets) != 2 or not all(map(_is_count, offsets))
            or offsets[0] > offsets[1]):  # fmt: skip
        raise bad(f"data_offsets must be [begin, end] with 0 <= begin <= end, got {offsets!r}")
    return dtype, tuple(shape), offsets


def _is_count(value: Any) -> bool:
    return type(value) is int and value >= 0


def read_safetensors(path: str | os.PathLike) -> dict[str, Tensor]:
    """Read a file written by :func:`write_safetensors` (aliases restored) onto the CPU.

    The header is checked first (:func:`read_safetensors_header`), so a file that lies about
    its sizes is refused before any tensor is allocated.

    Raises:
        ValueError: if the file is missing or is not a readable safetensors file.
    """
    path = Path(path)
    read_safetensors_header(path)
    try:
        with safe_open(str(path), framework="pt", device="cpu") as f:
            metadata = f.metadata() or {}
            tensors = {name: f.get_tensor(name) for name in f.keys()}
    except Exception as error:  # safetensors raises its own error types for a corrupt header
        raise ValueError(f"{path}: not a readable safetensors file ({error})") from error
    for name, target in read_aliases(path, metadata, tensors).items():
        tensors[name] = tensors[target]
    return tensors


def read_aliases(path: Path, metadata: Mapping[str, str], names: Any) -> dict[str, str]:
    """The tied-weight aliases in a file's metadata (alias -> stored name), checked.

    Raises:
        ValueError: if the entry is not a JSON object of names, or an alias points to a tensor
            that ``names`` (the stored tensors) lacks.
    """
    try:
        aliases = json.loads(metadata.get(_ALIASES_KEY, "{}"))
    except (ValueError, RecursionError):
        aliases = None
    if not isinstance(aliases, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()
    ):
        raise ValueError(f"{path}: metadata {_ALIASES_KEY} is not a JSON object of names")
    for name, target in aliases.items():
        if target not in names:
            raise ValueError(f"{path}: alias {name!r} points to missing tensor {target!r}")
    return aliases
