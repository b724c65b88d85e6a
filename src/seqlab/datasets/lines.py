"""A text file or a pipe, line by line, in memory bounded by a block: the streaming twin of
:func:`seqlab.datasets.read_text`.

``"".join(iter_lines(path))`` equals ``read_text(path)``, and every bad input gets the same
error: a missing file or a folder, a binary file (a NUL byte in the first 64 KiB), bytes that are
not valid in the encoding (with their byte offset), a file with no text in it (raised once the
end shows it). Line endings are normalised to ``"\\n"``, a byte-order mark is dropped. Readers
that keep no more than a line (``seqlab bleu``, ``seqlab lm score --file``) use it, so their
memory does not grow with the file.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["iter_lines"]

BLOCK_BYTES = 1 << 20  # read this much at a time
_SNIFF_BYTES = 1 << 16  # as read_text: a NUL byte this early means a binary file


def iter_lines(
    path: str | os.PathLike[str] | BinaryIO,
    *,
    encoding: str = "utf-8",
    source: str | None = None,
    block_bytes: int | None = None,
) -> Iterator[str]:
    """Yield the lines of a text file (each with its ``"\\n"``, the last one maybe without).

    Args:
        path: the file, or an open binary stream (stdin's buffer).
        encoding: its encoding.
        source: the name in messages (default: the path; ``"stdin"`` for a stream).
        block_bytes: bytes read at a time (memory, not the result); default
            :data:`BLOCK_BYTES`.

    Raises:
        ValueError: as :func:`seqlab.datasets.read_text` does, with the same messages; a file
            with no text raises after its last line.
    """
    block_bytes = block_bytes or BLOCK_BYTES
    if isinstance(path, (str, os.PathLike)):
        path = Path(path)
        if not path.exists():
            raise ValueError(f"{path}: no such file")
        if path.is_dir():
            raise ValueError(f"{path}: is a folder, expected a text file")
        with open(path, "rb") as stream:
            yield from _lines(stream, str(path) if source is None else source, encoding,
                              block_bytes)  # fmt: skip
        return
    yield from _lines(path, source or "stdin", encoding, block_bytes)


def _lines(stream: BinaryIO, source: str, encoding: str, block_bytes: int) -> Iterator[str]:
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    block = stream.read(_SNIFF_BYTES)
    nul = block.find(b"\x00")
    # UTF-16 and UTF-32 text has NUL bytes too; for the other codecs a NUL means binary.
    if nul >= 0 and not codec.startswith(("utf-16", "utf-32")):
        raise ValueError(f"{source}: looks like a binary file (NUL byte at offset {nul}), not text")
    decoder = codecs.getincrementaldecoder(encoding)()
    pending, offset, start, text_seen = "", 0, True, False
    while True:
        final = not block
        buffered = len(decoder.getstate()[0])  # bytes of a character cut by the last block
        try:
            text = decoder.decode(block, final=final)
        except UnicodeDecodeError as error:
            byte = error.object[error.start : error.start + 1].hex()
            raise ValueError(
                f"{source}: not valid {encoding} at byte offset {offset - buffered + error.start} "
                f"(byte 0x{byte}); give its encoding (e.g. latin-1)"
            ) from None
        offset += len(block)
        if start and text:
            text, start = text.removeprefix("\ufeff"), False
        pending += text
        keep = "\r" if pending.endswith("\r") and not final else ""  # maybe half of "\r\n"
        ready = pending[: len(pending) - len(keep)].replace("\r\n", "\n").replace("\r", "\n")
        lines = ready.split("\n")
        pending = lines.pop() + keep
        for line in lines:
            text_seen = text_seen or bool(line.strip())
            yield line + "\n"
        if final:
            break
        block = stream.read(block_bytes)
    if pending:
        text_seen = text_seen or bool(pending.strip())
        yield pending
    if not text_seen:
        raise ValueError(f"{source}: is empty (no text in it)")
