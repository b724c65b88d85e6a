"""CTC decoding (Graves et al. 2006): greedy collapse and prefix beam search with a language model.

The notes: the network emits a character or a blank at every frame; the output is read by
collapsing repeated characters not separated by a blank and then dropping the blanks
("ttt_h_eee___ ___qqq" -> "the q"). Many frame paths give the same text, so the probability of
a text is the sum over its paths; greedy decoding takes the best path, prefix beam search keeps
the ``beam_size`` best texts (prefixes) and sums their paths exactly (Hannun et al. 2014):

    p_b(l, t)  = (p_b(l, t-1) + p_nb(l, t-1)) y_blank(t)           paths of l ending in a blank
    p_nb(l, t) = p_nb(l, t-1) y_last(t) + p_b(l', t-1) y_last(t)    ... ending in l's last label
                 + (p_b + p_nb)(l', t-1) y_last(t) if l' ends differently   (l = l' + last)

An optional character language model adds ``lm_weight`` log P_lm(l) + ``insertion_bonus`` |l|
to a prefix's score (it ranks the beams; the returned ``log_prob`` stays the CTC probability).
All in log space, on NumPy arrays: plain data in, plain data out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Hypothesis", "collapse", "greedy_decode", "prefix_beam_search"]

NEG_INF = -np.inf

# log P_lm(next label | prefix) for every label: prefix (tuple of label ids) -> float (C,)
CharLM = Callable[[tuple[int, ...]], np.ndarray]


@dataclass(frozen=True)
class Hypothesis:
    """One decoded text.

    Attributes:
        labels: the label ids after collapsing (no blanks).
        log_prob: log P_ctc(labels | audio), summed over every frame path that collapses to it.
        score: what the beams were ranked by:
            log_prob + lm_weight log P_lm(labels) + insertion_bonus |labels|.
    """

    labels: tuple[int, ...]
    log_prob: float
    score: float


def collapse(path: Sequence[int], blank: int = 0) -> list[int]:
    """Merge runs of the same label, then drop blanks: [t,t,_,h,_,e,e] -> [t,h,e]."""
    out: list[int] = []
    previous = None
    for label in path:
        if label != previous and label != blank:
            out.append(int(label))
        previous = label
    return out


def greedy_decode(log_probs: np.ndarray, blank: int = 0) -> list[int]:
    """Best-path decoding: the most likely label of each frame, collapsed.

    Args:
        log_probs: float (T, C) per-frame log-probabilities (or probabilities: only argmax counts).
        blank: the blank's label id.
    """
    log_probs = _check(log_probs, blank)
    return collapse(np.argmax(log_probs, axis=1).tolist(), blank)


def prefix_beam_search(
    log_probs: np.ndarray,
    *,
    beam_size: int = 8,
    blank: int = 0,
    lm: CharLM | None = None,
    lm_weight: float = 0.5,
    insertion_bonus: float = 0.0,
    top: int | None = None,
) -> list[Hypothesis]:
    """CTC prefix beam search.

    Args:
        log_probs: float (T, C) per-frame log-probabilities (log-softmax output).
        beam_size: prefixes kept after every frame.
        blank: the blank's label id.
        lm: optional character LM, ``lm(prefix) -> (C,)`` log-probabilities of the next label.
        lm_weight, insertion_bonus: alpha and beta of the shallow-fusion score.
        top: how many hypotheses to return (default: all in the final beam).

    Returns:
        Hypotheses, best score first.

    Raises:
        ValueError: a log_probs array that is not (T, C) finite-or--inf, a bad blank or beam size.
    """
    if beam_size < 1:
        raise ValueError(f"beam_size must be at least 1, got {beam_size}")
    log_probs = _check(log_probs, blank)
    T, C = log_probs.shape
    lm_cache: dict[tuple[int, ...], float] = {(): 0.0}

    def lm_score(prefix: tuple[int, ...]) -> float:
        if prefix not in lm_cache:
            step = 0.0 if lm is None else lm_weight * float(lm(prefix[:-1])[prefix[-1]])
            lm_cache[prefix] = lm_score(prefix[:-1]) + step + insertion_bonus
        return lm_cache[prefix]

    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (0.0, NEG_INF)}  # prefix: (p_b, p_nb)
    labels = [c for c in range(C) if c != blank]
    for t in range(T):
        y = log_probs[t]
        nxt: dict[tuple[int, ...], list[float]] = {}
        for prefix, (p_b, p_nb) in beams.items():
            p = np.logaddexp(p_b, p_nb)
            entry = nxt.setdefault(prefix, [NEG_INF, NEG_INF])
            entry[0] = np.logaddexp(entry[0], p + y[blank])
            last = prefix[-1] if prefix else None
            for c in labels:
                if y[c] == NEG_INF:
                    continue
                new = prefix + (c,)
                grow = nxt.setdefault(new, [NEG_INF, NEG_INF])
                if c == last:
                    grow[1] = np.logaddexp(grow[1], p_b + y[c])  # a blank separated the repeat
                    entry[1] = np.logaddexp(entry[1], p_nb + y[c])  # the repeat collapses
                else:
                    grow[1] = np.logaddexp(grow[1], p + y[c])
        alive = [(k, v) for k, v in nxt.items() if v[0] > NEG_INF or v[1] > NEG_INF]
        ranked = sorted(alive, key=lambda kv: -(np.logaddexp(*kv[1]) + lm_score(kv[0])))
        beams = {prefix: (pb, pnb) for prefix, (pb, pnb) in ranked[:beam_size]}
    out = [
        Hypothesis(
            prefix, float(np.logaddexp(pb, pnb)), float(np.logaddexp(pb, pnb) + lm_score(prefix))
        )
        for prefix, (pb, pnb) in beams.items()
    ]
    out.sort(key=lambda h: -h.score)
    return out[:top] if top else out


def _check(log_probs: np.ndarray, blank: int) -> np.ndarray:
    x = np.asarray(log_probs, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError(f"log_probs must be (T, C) with C >= 2, got shape {x.shape}")
    if np.isnan(x).any() or np.isposinf(x).any():
        raise ValueError("log_probs holds NaN or +inf")
    if not 0 <= blank < x.shape[1]:
        raise ValueError(f"blank must be a label id in 0..{x.shape[1] - 1}, got {blank}")
    return x
