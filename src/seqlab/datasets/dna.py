"""DNA sequences: the IUPAC nucleotide alphabet and the UCI primate splice-junction file.

IUPAC codes (Cornish-Bowden 1985): the four bases ``ACGT`` and the ambiguity codes
``R`` (A/G), ``Y`` (C/T), ``S`` (G/C), ``W`` (A/T), ``K`` (G/T), ``M`` (A/C), ``B`` (not A),
``D`` (not C), ``H`` (not G), ``V`` (not T) and ``N`` (any). Letters are case-insensitive;
sequences are upper-cased. An ambiguity code is kept as its own symbol (the classifier gives it
its own embedding) rather than spread over the bases it stands for: it is rare (in the splice
data 60 of 191,400 nucleotides), and an embedding row can still learn what it means.

The UCI splice-junction file (Towell, Noordewier & Shavlik 1992), ``splice.data``::

    EI,    ATRINS-DONOR-521,               CCAGCTGCATCACAGGAGGCCAGCGAGCAGGTCTGTTCCAAGGGCCTTCGAG...

three comma-separated fields: the class (EI = exon/intron boundary, a donor site; IE =
intron/exon, an acceptor site; N = neither), the instance name, and 60 nucleotides.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from seqlab.datasets.text import read_text

__all__ = ["ALPHABETS", "IUPAC", "check_dna", "looks_like_dna", "read_splice"]

IUPAC = "ACGTRYSWKMBDHVN"  # the bases, then the ambiguity codes
# What a text may hold: "dna" (IUPAC, checked), "any", or "auto" (dna if it looks so).
ALPHABETS = ("auto", "any", "dna")
_IUPAC = frozenset(IUPAC)
SPLICE_CLASSES = ("EI", "IE", "N")


def check_dna(sequence: str) -> str:
    """The sequence upper-cased, or a ValueError naming the first letter outside IUPAC.

    Args:
        sequence: nucleotides, any case.

    Returns:
        ``sequence.upper()``.

    Raises:
        ValueError: "position 17: 'X' is not a DNA letter ..." (1-based), or on an empty
            sequence.
    """
    upper = sequence.upper()
    if not upper:
        raise ValueError("empty DNA sequence")
    for position, letter in enumerate(upper, start=1):
        if letter not in _IUPAC:
            raise ValueError(
                f"position {position}: {sequence[position - 1]!r} is not a DNA letter "
                f"(IUPAC: {IUPAC}, any case)"
            )
    return upper


def looks_like_dna(texts: Iterable[str], *, threshold: float = 0.9) -> bool:
    """Whether texts are DNA: at least ``threshold`` of their non-space characters are ACGT.

    The rule behind ``alphabet="auto"``: English text has about 22% of its letters in ACGT,
    DNA nearly 100% (ambiguity codes and typos are the rest), so 0.9 separates them and still
    calls a DNA file with a few bad letters DNA, so that those letters are reported.
    """
    n_acgt = n_all = 0
    for text in texts:
        for ch in text:
            if not ch.isspace():
                n_all += 1
                n_acgt += ch in "ACGTacgt"
    return n_all > 0 and n_acgt >= threshold * n_all


def read_splice(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> list[tuple[str, str]]:
    """Read the UCI primate splice-junction file (``class, name, sequence`` per line).

    Args:
        path: ``splice.data``.
        encoding: the file's encoding.

    Returns:
        ``(sequence, class)`` pairs in file order (the shape of :func:`read_labelled`), the
        sequence upper-cased; the names are dropped.

    Raises:
        ValueError: naming the file and the 1-based line, on a line without three fields, a
            class other than EI/IE/N, or a letter outside IUPAC (with its position); or if the
            file cannot be read (see :func:`read_text`).
    """
    name = str(path)
    pairs = []
    for number, line in enumerate(read_text(path, encoding=encoding).split("\n"), start=1):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split(",")]
        if len(fields) != 3:
            raise ValueError(
                f"{name}: line {number}: expected CLASS, NAME, SEQUENCE (3 fields), "
                f"found {len(fields)}"
            )
        label, _, sequence = fields
        if label not in SPLICE_CLASSES:
            raise ValueError(
                f"{name}: line {number}: class {label!r} is not one of {list(SPLICE_CLASSES)}"
            )
        try:
            pairs.append((check_dna(sequence), label))
        except ValueError as error:
            raise ValueError(f"{name}: line {number}: {error}") from None
    if not pairs:
        raise ValueError(f"{name}: no sequences")
    return pairs
