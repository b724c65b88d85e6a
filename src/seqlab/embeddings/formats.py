"""Reading word-vector files: word2vec text, word2vec binary and GloVe text.

The parsers behind :meth:`seqlab.embeddings.WordVectors.load`. Text files are memory-mapped and
all their numbers parsed by NumPy's C parser at once; every bad file gets an error that names it
and its 1-based line (text) or vector number (binary).
"""

from __future__ import annotations

import codecs
import mmap
from pathlib import Path

import numpy as np

__all__ = ["read_binary", "read_header", "detect_format", "read_text_vectors"]

_SNIFF_BYTES = 4096  # look this far past the header to tell binary from text


def read_header(data: mmap.mmap, path: Path) -> tuple[int, int] | None:
    """``(V, E)`` if line 1 is two integers, else None."""
    end = data.find(b"\n")
    first = data[: end if end >= 0 else len(data)].removeprefix(codecs.BOM_UTF8).split()
    if len(first) != 2 or not all(token.isdigit() for token in first):
        return None
    n_words, dim = int(first[0]), int(first[1])
    if n_words < 1 or dim < 1:
        raise ValueError(f"{path}: line 1: header says {n_words} words of {dim} dims, no vectors")
    return n_words, dim


def detect_format(data: mmap.mmap, header: tuple[int, int], encoding: str) -> str:
    """After a header: ``"word2vec"`` if line 2 is a word and E numbers, ``"binary"`` if the
    bytes are not text (a control byte, or invalid in ``encoding``), else ``"word2vec"`` (so a
    damaged text file gets text errors)."""
    start = data.find(b"\n") + 1
    sniff = data[start : start + _SNIFF_BYTES]
    fields = sniff.split(b"\n", 1)[0].decode("latin-1").split()  # numbers are ASCII anyway
    if len(fields) == header[1] + 1 and all(_is_number(value) for value in fields[1:]):
        return "word2vec"
    if any(byte < 0x20 and byte not in b"\t\n\r" for byte in sniff):
        return "binary"  # float32 bytes nearly always hold a control byte; text never does
    try:
        codecs.getincrementaldecoder(encoding)().decode(sniff, final=False)
    except UnicodeDecodeError:
        return "binary"
    return "word2vec"


def read_text_vectors(
    data: mmap.mmap,
    path: Path,
    encoding: str,
    limit: int | None,
    *,
    header: tuple[int, int] | None,
) -> tuple[list[str], np.ndarray]:
    """Words and (V, E) vectors of a text file (word2vec with ``header``, GloVe without)."""
    skip = 0 if header is None else 1
    end = len(data)
    if limit is not None:  # stop after the line holding vector number `limit`
        end = _after_line(data, skip + limit)
    lines = _decode(data[:end], path, encoding).split("\n")
    while lines and not lines[-1].strip():
        lines.pop()  # trailing blank lines (the final newline) are fine
    lines = lines[skip:]
    if limit is not None:
        lines = lines[:limit]
    if not lines:
        raise ValueError(f"{path}: is empty (no vectors in it)")
    if header is not None and len(lines) != min(header[0], limit or header[0]):
        raise ValueError(
            f"{path}: line 1: header says {header[0]} words, the file has {len(lines)} lines "
            "of vectors"
        )
    words, rests = [], []
    for line in lines:
        word, _, rest = line.partition(" ")
        words.append(word)
        rests.append(rest)
    dim = header[1] if header is not None else len(rests[0].split())
    if dim < 1:
        raise ValueError(f"{path}: line 1: no numbers after the word {words[0]!r}")
    try:  # NumPy's C parser on all numbers at once; it skips blank lines, _diagnose does not
        vectors = np.loadtxt(rests, dtype=np.float32, comments=None, quotechar=None, ndmin=2)
    except ValueError:
        vectors = None
    if vectors is None or vectors.shape != (len(lines), dim):
        _diagnose(lines, path, dim, first_line=skip + 1, header=header is not None)
    _check_rows(words, vectors, path, unit="line", first=skip + 1)
    return words, vectors


def _after_line(data: mmap.mmap, n_lines: int) -> int:
    """Byte offset just past line ``n_lines`` (or the end of the data)."""
    pos = 0
    for _ in range(n_lines):
        pos = data.find(b"\n", pos) + 1
        if pos == 0:
            return len(data)
    return pos


def _decode(raw: bytes, path: Path, encoding: str) -> str:
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ValueError(
            f"{path}: line {line}: not valid {encoding} (byte 0x{raw[error.start]:02x}); "
            "give its encoding"
        ) from None
    return text.removeprefix("\ufeff")


def _diagnose(lines: list[str], path: Path, dim: int, *, first_line: int, header: bool) -> None:
    """Find the first bad line of a text file and raise its error (the slow path)."""
    where = f" (the header on line 1 says {dim})" if header else " (as on the first line)"
    for n, line in enumerate(lines, start=first_line):
        word, _, rest = line.partition(" ")
        values = rest.split()
        if not line.strip():
            raise ValueError(f"{path}: line {n}: blank line, expected a word and {dim} values")
        if not word:
            raise ValueError(f"{path}: line {n}: starts with a space, expected a word first")
        for value in values:
            if not _is_number(value):
                raise ValueError(f"{path}: line {n}: {value!r} is not a number (word {word!r})")
        if len(values) != dim:
            raise ValueError(f"{path}: line {n}: {len(values)} values, expected {dim}{where}")
    raise ValueError(f"{path}: could not parse the vectors")  # NumPy refused what float() took


def _is_number(value: str) -> bool:
    """What NumPy's parser takes: float() without its "1_000" digit grouping."""
    try:
        float(value)
    except ValueError:
        return False
    return "_" not in value


def _check_rows(
    words: list[str], vectors: np.ndarray, path: Path, *, unit: str, first: int
) -> None:
    """Empty or duplicate words and non-finite values, named by ``unit`` number (line, vector)."""
    if "" in words:
        n = words.index("") + first
        raise ValueError(f"{path}: {unit} {n}: empty word (two spaces, or a space first?)")
    if len(set(words)) != len(words):
        seen: dict[str, int] = {}
        for n, word in enumerate(words, start=first):
            if word in seen:
                raise ValueError(
                    f"{path}: {unit} {n}: duplicate word {word!r} (first on {unit} {seen[word]})"
                )
            seen[word] = n
    finite = np.isfinite(vectors).all(axis=1)
    if not finite.all():
        i = int(np.argmin(finite))
        raise ValueError(
            f"{path}: {unit} {i + first}: vector of {words[i]!r} holds NaN or infinity"
        )


def read_binary(
    data: mmap.mmap, path: Path, encoding: str, limit: int | None, header: tuple[int, int]
) -> tuple[list[str], np.ndarray]:
    """Words and (V, E) vectors of a word2vec binary file.

    Layout after the header line: per word, ``word<space>`` then E little-endian float32;
    the C tool writes a newline after each vector, gensim does not, so newlines before a word
    are skipped.
    """
    n_words, dim = header
    n_read = n_words if limit is None else min(n_words, limit)
    n_bytes = 4 * dim
    words: list[str] = []
    pos = data.find(b"\n") + 1
    # Each vector takes at least a space and E float32, so the file holds at most this many:
    # never allocate rows for more (a header of 10^9 x 10^9 asked for 3.47 EiB); the loop
    # below stops at the first vector the bytes do not hold.
    fits = (len(data) - pos) // (n_bytes + 1)
    vectors = np.empty((min(n_read, fits), dim), dtype=np.float32)  # (V, E)
    for i in range(n_read):
        while data[pos : pos + 1] == b"\n":
            pos += 1
        space = data.find(b" ", pos)
        if space < 0 or space + 1 + n_bytes > len(data):
            raise ValueError(
                f"{path}: truncated binary file: the header says {n_words} vectors of {dim} "
                f"float32, but it ends in vector {i + 1} (byte offset {pos})"
            )
        try:
            words.append(data[pos:space].decode(encoding))
        except UnicodeDecodeError:
            raise ValueError(
                f"{path}: vector {i + 1}: word {data[pos:space]!r} is not valid {encoding}"
            ) from None
        vectors[i] = np.frombuffer(data, dtype="<f4", count=dim, offset=space + 1)
        pos = space + 1 + n_bytes
    if n_read == n_words and data[pos:].strip(b"\r\n"):
        raise ValueError(
            f"{path}: line 1: header says {n_words} vectors of {dim} float32, but more bytes "
            f"follow vector {n_words} (byte offset {pos}); is the count or dimension wrong?"
        )
    _check_rows(words, vectors, path, unit="vector", first=1)
    return words, vectors
