"""Plain-text corpora: read a file a user hands us, or say exactly why it cannot be read.

A language model trains on "a large corpus of text" (the notes); here that is any text file.
Reading it is where most user errors happen, so each one gets its own message: a missing file,
a binary file (NUL bytes), bytes that are not valid in the encoding (with the byte offset), and
a file with no text in it. Line endings are normalised to ``"\\n"`` and a UTF-8 byte-order mark
is dropped.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

__all__ = ["decode_text", "read_text"]

# Look for NUL bytes in this much of the file: text never has them, binary files nearly always.
_SNIFF_BYTES = 1 << 16


def read_text(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> str:
    """Read a whole text file.

    Args:
        path: the file.
        encoding: its encoding (any codec Python knows, e.g. ``"latin-1"``).

    Returns:
        The text, with ``"\\r\\n"`` and ``"\\r"`` turned into ``"\\n"`` and no byte-order mark.

    Raises:
        ValueError: if the file does not exist or is a folder, holds only whitespace, or
            :func:`decode_text` refuses its bytes.
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path}: no such file")
    if path.is_dir():
        raise ValueError(f"{path}: is a folder, expected a text file")
    text = decode_text(path.read_bytes(), str(path), encoding=encoding)
    if not text.strip():
        raise ValueError(f"{path}: is empty (no text in it)")
    return text


def decode_text(data: bytes, source: str, *, encoding: str = "utf-8") -> str:
    """Bytes from a file or a pipe -> text, or an error that says what is wrong with them.

    Args:
        data: the bytes.
        source: what they came from, for the messages (a path, ``"stdin"``).
        encoding: their encoding.

    Returns:
        The text, with ``"\\r\\n"`` and ``"\\r"`` turned into ``"\\n"`` and no byte-order mark.

    Raises:
        ValueError: if the encoding is unknown, the bytes hold a NUL (binary; UTF-16/32 aside),
            or a byte is invalid in ``encoding`` (the message gives its offset and value).
    """
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    nul = data.find(b"\x00", 0, _SNIFF_BYTES)
    # UTF-16 and UTF-32 text has NUL bytes too; for the other codecs a NUL means binary.
    if nul >= 0 and not codec.startswith(("utf-16", "utf-32")):
        raise ValueError(f"{source}: looks like a binary file (NUL byte at offset {nul}), not text")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        byte = data[error.start : error.start + 1].hex()
        raise ValueError(
            f"{source}: not valid {encoding} at byte offset {error.start} (byte 0x{byte}); "
            "give its encoding (e.g. latin-1)"
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
