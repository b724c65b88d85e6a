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
All in log space: plain data in, plain data out. The search runs on Python floats (scalar maths
on them is far cheaper than on NumPy scalars), keeps prefixes as nodes of a trie (extending and
hashing one is O(1), not O(length)), and skips extensions that provably cannot make the beam;
its results equal those of the plain loop over every beam and label, ties included (the tests
keep that loop as the reference).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Hypothesis",
    "collapse",
    "ctc_log_likelihood",
    "greedy_decode",
    "lexicon_decode",
    "prefix_beam_search",
]

NEG_INF = -math.inf
_LOG2 = math.log(2.0)
_KNOWN_LABELS = 1  # each beam's extensions by this many of a frame's best labels bound the rest

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
    min_log_prob: float | None = None,
) -> list[Hypothesis]:
    """CTC prefix beam search.

    With ``min_log_prob=None`` (the default) the result equals that of trying every label at
    every frame; extensions that provably cannot make the beam are skipped, not scored
    (see ``_extend``). ``min_log_prob`` prunes for speed, as pyctcdecode's ``token_min_logp``
    does: a label below it at a frame is treated as impossible there. A frame left with only
    the blank moves each beam's mass onto the blank in O(beam_size), so runs of blank frames
    are cheap.

    Args:
        log_probs: float (T, C) per-frame log-probabilities (log-softmax output).
        beam_size: prefixes kept after every frame.
        blank: the blank's label id.
        lm: optional character LM, ``lm(prefix) -> (C,)`` log-probabilities of the next label.
        lm_weight, insertion_bonus: alpha and beta of the shallow-fusion score.
        top: how many hypotheses to return (default: all in the final beam).
        min_log_prob: pruning: a label whose log-probability at a frame is below this is not
            tried at that frame (the frame's most likely label always is). None: exact search.

    Returns:
        Hypotheses, best score first.

    Raises:
        ValueError: a log_probs array that is not (T, C) finite-or--inf, a bad blank or beam
            size, an LM that does not return C values.
    """
    if beam_size < 1:
        raise ValueError(f"beam_size must be at least 1, got {beam_size}")
    log_probs = _check(log_probs, blank)
    T, C = log_probs.shape
    trie = _Trie(C)
    lm_steps = _lm_steps(lm, lm_weight, C, trie)
    empty = _Prefix(0.0, NEG_INF, 0.0)  # the empty prefix, "after a blank"
    empty.node = 0
    beams = [empty]
    for y, labels in zip(log_probs.tolist(), _candidates(log_probs, blank, min_log_prob)):
        if labels:
            nxt = _extend(beams, y, labels, blank=blank, trie=trie, lm_steps=lm_steps,
                          insertion_bonus=insertion_bonus, beam_size=beam_size)  # fmt: skip
        else:  # only the blank: each beam stays itself, all its paths now end in a blank
            for beam in beams:  # in place: no beam reads another's probabilities here
                beam.log_p_b = _logaddexp(beam.log_p_b, beam.log_p_nb) + y[blank]
                beam.log_p_nb = NEG_INF
            nxt = {beam.node: beam for beam in beams}
        beams = _best(nxt, beam_size, trie)
    out = []
    for beam in beams:
        log_prob = _logaddexp(beam.log_p_b, beam.log_p_nb)
        out.append(Hypothesis(trie.labels(beam.node), log_prob, log_prob + beam.lm_part))
    out.sort(key=lambda h: -h.score)
    return out[:top] if top else out


class _Prefix:
    """A prefix l of the search at frame t, with the notes' two probabilities (in log space).

    Attributes:
        log_p_b: log p_b(l, t), l's frame paths that end in a blank.
        log_p_nb: log p_nb(l, t), l's frame paths that end in l's last label.
        lm_part: the LM part of its score, lm_weight log P_lm(l) + insertion_bonus |l|.
        node: l's node in the :class:`_Trie`; -1 until l survives a frame (see ``_best``).
    """

    __slots__ = ("log_p_b", "log_p_nb", "lm_part", "node")

    def __init__(self, log_p_b: float, log_p_nb: float, lm_part: float) -> None:
        self.log_p_b = log_p_b
        self.log_p_nb = log_p_nb
        self.lm_part = lm_part
        self.node = -1


class _Trie:
    """Prefixes as nodes of a tree, so that extending one and hashing it are O(1), not O(|l|).

    Node 0 is the empty prefix. An extension gets a node only once it survives a frame; until
    then it is keyed by ``-(parent C + label) - 1`` (negative: never a node id).
    """

    def __init__(self, C: int) -> None:
        self.C = C
        self.parent, self.last = [-1], [-1]
        self.children: dict[int, int] = {}  # parent C + label -> node

    def node(self, key: int) -> int:
        """The node of a key (a node id, or a new prefix's negative key), made if needed."""
        if key >= 0:
            return key
        parent, label = divmod(-key - 1, self.C)
        self.children[-key - 1] = len(self.parent)
        self.parent.append(parent)
        self.last.append(label)
        return len(self.parent) - 1

    def labels(self, node: int) -> tuple[int, ...]:
        out = []
        while node > 0:
            out.append(self.last[node])
            node = self.parent[node]
        return tuple(reversed(out))


def _extend(beams, y, labels, *, blank, trie, lm_steps, insertion_bonus, beam_size):
    """One frame of the recursions above: {key: _Prefix} of the prefixes that can still make
    the beam.

    Skipping without changing the result: before the frame we know ``beam_size`` or more
    distinct entries that will score at least some value (each beam's blank-extended score
    ``(p + y_blank) + lm part``, and each beam's brand-new extension by the frame's best
    label). A brand-new extension whose score is below the ``beam_size``-th of those can never
    be kept, so it is not made; ``labels`` come most likely first, so the first such label ends
    a beam's scan (with an LM, its best step bounds every label's). Floating-point rounding is
    monotone, so the bounds hold for the computed scores, ties included. The labels that are
    made are visited by label id, so the dict's insertion order, and with it the tie-breaking,
    is that of the straightforward loop (each beam, then its extensions by label id).
    """
    logaddexp, child, C, y_blank = _logaddexp, trie.children.get, trie.C, y[blank]
    # log(p_b + p_nb) of every beam: all of its paths
    mass = [logaddexp(beam.log_p_b, beam.log_p_nb) for beam in beams]
    # extensions that are beams themselves gather mass from their parent: always made
    nodes = {beam.node for beam in beams}
    into_beam: dict[int, list[int]] = {}
    for beam in beams:
        if trie.parent[beam.node] in nodes:
            into_beam.setdefault(trie.parent[beam.node], []).append(trie.last[beam.node])
    # scores some entries will at least reach: each beam's own, each beam's extension by the
    # frame's best label (exact when that is a brand-new prefix)
    known = [p + y_blank + beam.lm_part for p, beam in zip(mass, beams)]
    for beam, p in zip(beams, mass):
        node = beam.node
        steps, skip = lm_steps(node)[0], (trie.last[node], *into_beam.get(node, ()))
        for c in labels[:_KNOWN_LABELS]:
            if c not in skip:
                known.append(p + y[c] + (beam.lm_part + steps[c] + insertion_bonus))
    threshold = heapq.nlargest(beam_size, known)[-1] if len(known) >= beam_size else NEG_INF
    allowed = set(labels)
    nxt: dict[int, _Prefix] = {}
    for beam, p in zip(beams, mass):
        node, log_p_b, log_p_nb, lm_part = beam.node, beam.log_p_b, beam.log_p_nb, beam.lm_part
        same = nxt.get(node)  # l itself at t: a blank, or a repeat of its last label, was read
        if same is None:  # no other path reached it yet: l's record at t-1 (read above) serves
            same = nxt[node] = beam
            same.log_p_b, same.log_p_nb = p + y_blank, NEG_INF  # logaddexp(-inf, x) == x
        else:
            same.log_p_b = logaddexp(same.log_p_b, p + y_blank)
        steps, max_step = lm_steps(node)
        last = trie.last[node]
        best_lm = lm_part + max_step + insertion_bonus  # >= every extension's lm part
        tried = [last, *into_beam.get(node, ())]
        for c in labels:
            if p + y[c] + best_lm < threshold:
                break
            tried.append(c)
        for c in sorted(set(tried)):
            if c not in allowed:  # the empty prefix's "last" (-1), a pruned label
                continue
            key = child(node * C + c, -(node * C + c) - 1)  # its node, or its negative key
            grow = nxt.get(key)  # l + c at t
            if c == last:
                if grow is None:
                    lm_c = lm_part + steps[c] + insertion_bonus
                    grow = nxt[key] = _Prefix(NEG_INF, NEG_INF, lm_c)
                # l + c: a blank separated the repeat; l: the repeat collapses onto l
                grow.log_p_nb = logaddexp(grow.log_p_nb, log_p_b + y[c])
                same.log_p_nb = logaddexp(same.log_p_nb, log_p_nb + y[c])
            elif grow is None:  # logaddexp(-inf, x) == x: no other path reached it yet
                nxt[key] = _Prefix(NEG_INF, p + y[c], lm_part + steps[c] + insertion_bonus)
            else:
                grow.log_p_nb = logaddexp(grow.log_p_nb, p + y[c])
    return nxt


def _best(nxt: dict[int, _Prefix], beam_size: int, trie: _Trie) -> list[_Prefix]:
    """The ``beam_size`` best live prefixes by score, ties in insertion order, with their nodes."""
    keys, prefixes = list(nxt), list(nxt.values())
    scores = [
        v.log_p_nb + v.lm_part
        if v.log_p_b == NEG_INF
        else _logaddexp(v.log_p_b, v.log_p_nb) + v.lm_part
        for v in prefixes
    ]  # logaddexp(-inf, x) == x
    live = [i for i, v in enumerate(prefixes) if v.log_p_b > NEG_INF or v.log_p_nb > NEG_INF]
    # nlargest == sorted(reverse=True)[:k]: stable, equal scores keep their order
    order = heapq.nlargest(beam_size, live, key=scores.__getitem__)
    beams = [prefixes[i] for i in order]
    for i, beam in zip(order, beams):
        beam.node = trie.node(keys[i])
    return beams


def _logaddexp(a: float, b: float) -> float:
    """log(e^a + e^b) on Python floats, by the same formula as np.logaddexp."""
    if a == b:
        return a + _LOG2
    if a > b:
        return a + math.log1p(math.exp(b - a))
    return b + math.log1p(math.exp(a - b))


def _candidates(log_probs: np.ndarray, blank: int, min_log_prob: float | None) -> list[list[int]]:
    """The labels tried at each frame, most likely first: not the blank, possible, not pruned."""
    keep = log_probs > NEG_INF  # (T, C)
    if min_log_prob is not None:
        keep &= log_probs >= min_log_prob
        keep[np.arange(len(log_probs)), np.argmax(log_probs, axis=1)] = True
    keep[:, blank] = False
    order = np.argsort(-log_probs, axis=1, kind="stable")  # (T, C)
    return [[c for c in row if ok[c]] for row, ok in zip(order.tolist(), keep.tolist())]


def _lm_steps(lm: CharLM | None, lm_weight: float, C: int, trie: _Trie) -> Callable:
    """node -> (lm_weight log P_lm(c | prefix) for every label c, their max); the LM is asked
    once a prefix."""
    if lm is None:
        zeros = ([0.0] * C, 0.0)
        return lambda node: zeros
    cache: dict[int, tuple[list[float], float]] = {}

    def steps(node: int) -> tuple[list[float], float]:
        if node not in cache:
            values = np.asarray(lm(trie.labels(node)), dtype=np.float64)
            if values.shape != (C,):
                raise ValueError(f"the LM returned shape {values.shape}, expected ({C},)")
            weighted = [lm_weight * v for v in values.tolist()]
            cache[node] = (weighted, max(weighted))
        return cache[node]

    return steps


def ctc_log_likelihood(log_probs: np.ndarray, labels: Sequence[int], blank: int = 0) -> float:
    """log P(labels | audio): the sum over every frame path that collapses to ``labels`` (the
    CTC forward algorithm, computed by ``torch.nn.functional.ctc_loss``); -inf if none does."""
    import torch

    return _log_likelihood(torch.as_tensor(_check(log_probs, blank)), labels, blank)


def _log_likelihood(lp, labels: Sequence[int], blank: int) -> float:
    """:func:`ctc_log_likelihood` on a checked (T, C) float64 tensor ``lp``."""
    import torch
    import torch.nn.functional as F

    if not labels:
        return float(lp[:, blank].sum())
    target = torch.as_tensor(list(labels), dtype=torch.long)[None]  # (1, L)
    nll = F.ctc_loss(lp[:, None], target, torch.tensor([lp.shape[0]]),
                     torch.tensor([len(labels)]), blank=blank, reduction="sum")  # fmt: skip
    return -float(nll)


def lexicon_decode(
    log_probs: np.ndarray, lexicon: Sequence[Sequence[int]], blank: int = 0
) -> tuple[int, list[float]]:
    """Closed-vocabulary decoding: the entry of ``lexicon`` (label sequences, e.g. the ten digit
    words) with the highest CTC log-likelihood, as a word classifier would choose.

    Returns:
        (index of the best entry, every entry's log-likelihood).

    Raises:
        ValueError: an empty lexicon.
    """
    import torch

    if not lexicon:
        raise ValueError("the lexicon is empty")
    lp = torch.as_tensor(_check(log_probs, blank))  # checked and converted once for all entries
    scores = [_log_likelihood(lp, entry, blank) for entry in lexicon]
    return int(np.argmax(scores)), scores


def _check(log_probs: np.ndarray, blank: int) -> np.ndarray:
    x = np.asarray(log_probs, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError(f"log_probs must be (T, C) with C >= 2, got shape {x.shape}")
    if np.isnan(x).any() or np.isposinf(x).any():
        raise ValueError("log_probs holds NaN or +inf")
    if not 0 <= blank < x.shape[1]:
        raise ValueError(f"blank must be a label id in 0..{x.shape[1] - 1}, got {blank}")
    return x
