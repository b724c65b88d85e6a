"""Atomic file writes: a crash never leaves a half-written file (temp file + fsync + rename).

Shared by model folders (``seqlab.train.folder``), vocabularies (``seqlab.text``) and the
PNGs the CLI draws. Imports nothing from seqlab, so every package may use it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["atomic_write", "atomic_write_text"]


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> None:
    """Create or replace ``path`` atomically.

    Args:
        path: the file to write; its folder must exist.
        write: called with a temporary path in the same folder; it writes the whole content.

    If ``write`` raises (or the process dies) the target keeps its old content and the
    temporary file is removed (on a crash, a hidden ``.NAME.*.tmp`` may remain).
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private to the user
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
