"""Word and character error rates: the edit distance between hypothesis and reference, per word.

WER = (S + D + I) / N over a whole corpus (substitutions, deletions and insertions of the
minimum-edit alignment, N reference words), as jiwer and NIST's sclite compute it: the sums are
taken over all sentences before dividing, so long sentences weigh more. CER is the same over
characters (spaces included, as jiwer's ``cer``). Both are pure functions of plain strings.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

__all__ = ["ErrorRate", "cer", "edit_distance", "error_rate", "wer"]


@dataclass(frozen=True)
class ErrorRate:
    """Corpus-level error counts.

    Attributes:
        rate: (substitutions + deletions + insertions) / reference length.
        substitutions, deletions, insertions: summed over the sentences.
        reference_length: N, reference tokens summed over the sentences.
    """

    rate: float
    substitutions: int
    deletions: int
    insertions: int
    reference_length: int


def edit_distance(ref: Sequence[Hashable], hyp: Sequence[Hashable]) -> tuple[int, int, int]:
    """Minimum-edit alignment of two token sequences: (substitutions, deletions, insertions).

    Levenshtein's dynamic programme, each cell holding (cost, S, D, I). Ties between
    alignments of equal cost are broken in the order match/substitution, deletion, insertion:
    the total (hence the rate) is unique, only its split into S, D and I may differ from
    jiwer's on ties.
    """
    prev = [(j, 0, 0, j) for j in range(len(hyp) + 1)]  # row 0: j insertions
    for i in range(1, len(ref) + 1):
        row = [(i, 0, i, 0)]  # column 0: i deletions
        for j in range(1, len(hyp) + 1):
            c, s, d, n = prev[j - 1]
            same = ref[i - 1] == hyp[j - 1]
            best = (c + (0 if same else 1), s + (0 if same else 1), d, n)
            c, s, d, n = prev[j]
            if c + 1 < best[0]:
                best = (c + 1, s, d + 1, n)
            c, s, d, n = row[j - 1]
            if c + 1 < best[0]:
                best = (c + 1, s, d, n + 1)
            row.append(best)
        prev = row
    _, s, d, n = prev[-1]
    return s, d, n


def error_rate(refs: Sequence[Sequence[Hashable]], hyps: Sequence[Sequence[Hashable]]) -> ErrorRate:
    """Corpus error rate of tokenized hypotheses against tokenized references.

    Raises:
        ValueError: different numbers of sentences, or no reference tokens at all.
    """
    if len(refs) != len(hyps):
        raise ValueError(f"{len(refs)} references but {len(hyps)} hypotheses")
    S = D = I = N = 0
    for ref, hyp in zip(refs, hyps):
        s, d, i = edit_distance(ref, hyp)
        S, D, I, N = S + s, D + d, I + i, N + len(ref)
    if N == 0:
        raise ValueError("the references hold no tokens: the error rate is undefined")
    return ErrorRate((S + D + I) / N, S, D, I, N)


def wer(refs: Sequence[str] | str, hyps: Sequence[str] | str) -> float:
    """Word error rate; words are split on whitespace (jiwer's default transform)."""
    refs, hyps = _as_list(refs), _as_list(hyps)
    return error_rate([r.split() for r in refs], [h.split() for h in hyps]).rate


def cer(refs: Sequence[str] | str, hyps: Sequence[str] | str) -> float:
    """Character error rate; each sentence stripped and its inner whitespace runs made one space."""
    refs, hyps = _as_list(refs), _as_list(hyps)
    return error_rate([list(" ".join(r.split())) for r in refs],
                      [list(" ".join(h.split())) for h in hyps]).rate  # fmt: skip


def _as_list(texts: Sequence[str] | str) -> list[str]:
    return [texts] if isinstance(texts, str) else list(texts)
