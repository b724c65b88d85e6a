"""Sentence classification corpora: files of (text, label) pairs, for sentiment and Emojify.

The notes' many-to-one models read a sentence and output one label. The corpora come in a few
plain-text layouts, each read by :func:`read_labelled`::

    tsv       pos<TAB>a gripping film          label first; optional header "label<TAB>text"
              a gripping film<TAB>1            GLUE SST-2: header "sentence<TAB>label"
    sst       1 a gripping film                SST-2 sentence level (Kim 2014): the label is
                                               the first space-separated word
    emojify   "I want to eat\\t",4             Coursera Emojify: CSV without header,
              never talk to me again,3,,       sentence then label; extra fields ignored

A TSV may hold DNA, ``EI<TAB>CCAGGTAAGT`` (header ``label<TAB>sequence``): with
``alphabet="dna"`` every text is checked against the IUPAC letters and upper-cased, a bad
letter named with its line and position (:mod:`seqlab.datasets.dna`, which also reads the UCI
splice-junction file). MR polarity (Pang & Lee 2005) is two files of one text per line,
:func:`read_polarity`.
Labels stay the strings they are in the file; texts are stripped of surrounding whitespace
(Emojify's quoted sentences end with a TAB). Blank lines are skipped. Every line that does not
fit its format raises a ValueError naming the file and the 1-based line number.

Lines are split on ``"\\n"`` only (after :func:`read_text` turned ``"\\r\\n"`` and ``"\\r"``
into it): ``str.splitlines`` would also split on U+0085, which the MR files hold inside
sentences once decoded as Latin-1.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator

from seqlab.datasets.dna import ALPHABETS, check_dna, looks_like_dna
from seqlab.datasets.text import read_text

__all__ = ["EMOJIFY_CLASSES", "FORMATS", "labelled_format", "read_labelled", "read_polarity"]

FORMATS = ("auto", "tsv", "sst", "emojify")
# What the Emojify labels stand for: the course's label_to_emoji (:heart:, :baseball:, :smile:,
# :disappointed:, :fork_and_knife:), by the label its files hold.
EMOJIFY_CLASSES = {"0": "heart", "1": "baseball", "2": "smile", "3": "disappointed",
                   "4": "fork_and_knife"}  # fmt: skip
# TSV header words: which column is the text.
_TEXT_NAMES = {"text", "sentence", "sequence"}


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, line) for every line that is not blank."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield number, line


def _tsv_header(line: str) -> bool | None:
    """For a header line, whether the label column comes first; None if not a header."""
    fields = [f.strip().lower() for f in line.split("\t")]
    if len(fields) == 2 and fields[0] == "label" and fields[1] in _TEXT_NAMES:
        return True
    if len(fields) == 2 and fields[1] == "label" and fields[0] in _TEXT_NAMES:
        return False
    return None


def _csv_fields(line: str) -> list[str] | None:
    """The line read as one CSV record, or None if it is not valid CSV."""
    try:
        return next(csv.reader([line], strict=True))
    except csv.Error:
        return None


def _detect(first: str) -> str:
    """The format of a file from its first non-blank line (see :func:`read_labelled`)."""
    if _tsv_header(first) is not None:
        return "tsv"
    fields = _csv_fields(first)
    if first.startswith('"') and fields is not None and len(fields) >= 2:
        return "emojify"
    if "\t" in first:
        return "tsv"
    if fields is not None and len(fields) >= 2 and fields[0].strip():
        label = fields[1]
        if label and not any(ch.isspace() for ch in label):
            return "emojify"
    return "sst"


def _pair(path: str, number: int, text: str, label: str) -> tuple[int, str, str]:
    """(line number, text, label) stripped, or a ValueError if either is empty."""
    text, label = text.strip(), label.strip()
    if not label:
        raise ValueError(f"{path}: line {number}: empty label")
    if not text:
        raise ValueError(f"{path}: line {number}: label {label!r} has no text")
    return number, text, label


def _read_tsv(path: str, lines: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
    label_first = _tsv_header(lines[0][1])
    if label_first is not None:
        lines = lines[1:]
    else:
        label_first = True
    pairs = []
    for number, line in lines:
        if "\t" not in line:
            shape = "LABEL<TAB>TEXT" if label_first else "TEXT<TAB>LABEL"
            raise ValueError(f"{path}: line {number}: no TAB; expected {shape}")
        if label_first:
            label, text = line.split("\t", 1)
        else:
            text, label = line.rsplit("\t", 1)
        pairs.append(_pair(path, number, text, label))
    return pairs


def _read_sst(path: str, lines: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
    pairs = []
    for number, line in lines:
        label, _, text = line.strip().partition(" ")
        pairs.append(_pair(path, number, text, label))
    return pairs


def _read_emojify(path: str, lines: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
    pairs = []
    for k, (number, line) in enumerate(lines):
        fields = _csv_fields(line)
        if k == 0 and fields and [f.strip().lower() for f in fields[:2]] in _CSV_HEADERS:
            continue  # a header line such as "sentence,label"
        if fields is None:
            raise ValueError(f"{path}: line {number}: not valid CSV (an unclosed quote?)")
        if len(fields) < 2:
            raise ValueError(f"{path}: line {number}: expected SENTENCE,LABEL, found no comma")
        pairs.append(_pair(path, number, fields[0], fields[1]))
    return pairs


_CSV_HEADERS = [["sentence", "label"], ["text", "label"]]
_READERS = {"tsv": _read_tsv, "sst": _read_sst, "emojify": _read_emojify}


def read_labelled(
    path: str | os.PathLike[str],
    *,
    format: str = "auto",
    encoding: str = "utf-8",
    alphabet: str = "any",
) -> list[tuple[str, str]]:
    """Read a file of labelled sentences.

    Args:
        path: the file.
        format: "tsv", "sst", "emojify" (layouts in the module docstring) or "auto". "auto"
            looks at the first non-blank line only and picks the first that fits:
            a TSV header (``label<TAB>text``, ``sentence<TAB>label``, ...) -> tsv; a line that
            opens with a double quote and reads as CSV with two or more fields -> emojify (its
            quoted sentence may hold a TAB); any TAB -> tsv; CSV whose second field is a
            non-empty word with no whitespace right after the first comma (``...again,3,,``)
            -> emojify; anything else -> sst. Tokenized SST text has spaces around commas
            (``a , b``), so it never looks like Emojify's ``sentence,3``.
        encoding: the file's encoding.
        alphabet: "any" (texts as they are), "dna" (every text is a DNA sequence: checked
            against IUPAC, see :func:`seqlab.datasets.dna.check_dna`, and upper-cased) or
            "auto" ("dna" when :func:`~seqlab.datasets.dna.looks_like_dna` says so).

    Returns:
        ``(text, label)`` pairs in file order; labels as written (e.g. ``"1"``, ``"pos"``).

    Raises:
        ValueError: on an unknown format; if the file cannot be read (missing, binary, bad
            encoding, empty: see :func:`read_text`); or, naming the 1-based line, on a line
            that does not fit the format or has an empty label or text, or (alphabet "dna")
            on a letter outside IUPAC, naming the line, the position and the letter.
    """
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; expected one of {list(FORMATS)}")
    if alphabet not in ALPHABETS:
        raise ValueError(f"unknown alphabet {alphabet!r}; expected one of {list(ALPHABETS)}")
    name = str(path)
    lines = list(_lines(read_text(path, encoding=encoding)))
    if format == "auto":
        format = _detect(lines[0][1])  # read_text refuses a file with no text
    rows = _READERS[format](name, lines)
    if not rows:
        raise ValueError(f"{name}: no labelled sentences (only a header)")
    if alphabet == "auto":
        alphabet = "dna" if looks_like_dna(text for _, text, _ in rows) else "any"
    if alphabet == "any":
        return [(text, label) for _, text, label in rows]
    pairs = []
    for number, text, label in rows:
        try:
            pairs.append((check_dna(text), label))
        except ValueError as error:
            raise ValueError(f"{name}: line {number}: {error}") from None
    return pairs


def labelled_format(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> str:
    """The format :func:`read_labelled` with ``format="auto"`` reads the file in.

    Raises:
        ValueError: if the file cannot be read (see :func:`read_text`).
    """
    return _detect(next(_lines(read_text(path, encoding=encoding)))[1])


def read_polarity(
    pos_path: str | os.PathLike[str],
    neg_path: str | os.PathLike[str],
    *,
    encoding: str = "latin-1",
) -> list[tuple[str, str]]:
    """Read the MR sentence-polarity corpus (``rt-polarity.pos`` / ``rt-polarity.neg``).

    Args:
        pos_path: one positive text per line.
        neg_path: one negative text per line.
        encoding: the files' encoding (MR v1.0 is Latin-1).

    Returns:
        ``(text, "pos")`` for every non-blank line of ``pos_path``, then ``(text, "neg")`` for
        those of ``neg_path``; texts stripped.

    Raises:
        ValueError: if a file cannot be read (see :func:`read_text`).
    """
    pairs = []
    for path, label in ((pos_path, "pos"), (neg_path, "neg")):
        text = read_text(path, encoding=encoding)
        pairs += [(line.strip(), label) for _, line in _lines(text)]
    return pairs
