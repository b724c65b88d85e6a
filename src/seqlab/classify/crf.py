"""A linear-chain conditional random field over tag sequences (Lafferty et al. 2001).

Not in the notes, but what the best named-entity taggers put on top of a BiRNN (Huang et al.
2015, Lample et al. 2016): instead of a softmax per word, the tags of a sentence are scored
together, so "I-PER after B-ORG" can be learned to be (nearly) impossible.

For emissions P (the BiRNN's per-word scores, (T, C)) and tags y<1..T> the score is

    s(x, y) = start[y<1>] + Σ_t P[t, y<t>] + Σ_{t>1} A[y<t-1>, y<t>] + end[y<T>]

and P(y | x) = exp s(x, y) / Z(x). The forward algorithm sums Z over all C^T sequences in
O(T C^2):

    α<1>[j] = start[j] + P[1, j]
    α<t>[j] = logsumexp_i (α<t-1>[i] + A[i, j]) + P[t, j]
    log Z   = logsumexp_j (α<T>[j] + end[j])

and Viterbi replaces logsumexp with max (and remembers the argmax) to find the best sequence.
Transitions a tag scheme forbids (O -> I-PER in BIO) can be masked to -10,000 in training and
decoding alike (``allowed``), so decoded sequences are always valid.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["LinearChainCRF", "allowed_transitions"]

# The score given to a forbidden transition: finite, so gradients stay finite, yet far below
# anything the emissions can make up for.
_FORBIDDEN = -1e4


def allowed_transitions(tags: list[str], scheme: str = "BIO") -> tuple[Tensor, Tensor, Tensor]:
    """Which transitions a tag scheme allows.

    Args:
        tags: the tag names, in id order (``"O"``, ``"B-PER"``, ``"I-PER"``, ...).
        scheme: ``"BIO"`` (IOB2) or ``"IOBES"``; ``"IOB1"`` and anything else allow everything.

    Returns:
        (start (C,), transitions (C, C) from row to column, end (C,)) bool tensors.
    """
    C = len(tags)
    parts = [(t[:1], t[2:]) if t != "O" else ("O", "") for t in tags]
    start, end = torch.ones(C, dtype=torch.bool), torch.ones(C, dtype=torch.bool)
    trans = torch.ones(C, C, dtype=torch.bool)
    if scheme not in ("BIO", "IOB2", "IOBES", "BILOU"):
        return start, trans, end
    inside, last = ("I", "L") if scheme == "BILOU" else ("I", "E")
    single = "U" if scheme == "BILOU" else "S"
    for j, (p, kind) in enumerate(parts):
        if scheme in ("BIO", "IOB2"):
            start[j] = p != "I"
            for i, (q, prev) in enumerate(parts):
                trans[i, j] = p != "I" or (q in ("B", "I") and prev == kind)
        else:  # IOBES: B (I)* E, or S; O between entities
            start[j] = p in ("O", "B", single)
            end[j] = p in ("O", last, single)
            for i, (q, prev) in enumerate(parts):
                open_ = q in ("B", inside)  # the previous tag leaves an entity open
                if p in (inside, last):
                    trans[i, j] = open_ and prev == kind
                else:
                    trans[i, j] = not open_
    return start, trans, end


class LinearChainCRF(nn.Module):
    """Transition scores A (C, C), start (C,) and end (C,), with the forward and Viterbi passes.

    Args:
        n_tags: C.
        allowed: optional (start (C,), transitions (C, C), end (C,)) bool masks, e.g. from
            :func:`allowed_transitions`; forbidden ones score -10,000.
    """

    def __init__(self, n_tags: int, allowed: tuple[Tensor, Tensor, Tensor] | None = None) -> None:
        super().__init__()
        if n_tags < 1:
            raise ValueError(f"n_tags must be >= 1, got {n_tags}")
        self.n_tags = n_tags
        self.transitions = nn.Parameter(torch.zeros(n_tags, n_tags))  # A[i, j]: i -> j
        self.start = nn.Parameter(torch.zeros(n_tags))
        self.end = nn.Parameter(torch.zeros(n_tags))
        if allowed is None:
            ones = torch.ones(n_tags, dtype=torch.bool)
            allowed = (ones, torch.ones(n_tags, n_tags, dtype=torch.bool), ones)
        start, trans, end = allowed
        if trans.shape != (n_tags, n_tags) or start.shape != (n_tags,) or end.shape != (n_tags,):
            raise ValueError(
                f"allowed masks must be ({n_tags},), ({n_tags}, {n_tags}), ({n_tags},)"
            )
        self.register_buffer("allowed_start", start.clone(), persistent=False)
        self.register_buffer("allowed_trans", trans.clone(), persistent=False)
        self.register_buffer("allowed_end", end.clone(), persistent=False)

    def _scores(self, dtype: torch.dtype) -> tuple[Tensor, Tensor, Tensor]:
        """start (C,), A (C, C), end (C,) with the forbidden entries masked."""
        start = self.start.to(dtype).masked_fill(~self.allowed_start, _FORBIDDEN)
        trans = self.transitions.to(dtype).masked_fill(~self.allowed_trans, _FORBIDDEN)
        end = self.end.to(dtype).masked_fill(~self.allowed_end, _FORBIDDEN)
        return start, trans, end

    @staticmethod
    def _check(emissions: Tensor, mask: Tensor) -> None:
        if emissions.dim() != 3:
            raise ValueError(f"emissions must be (B, T, C), got shape {tuple(emissions.shape)}")
        if mask.shape != emissions.shape[:2]:
            raise ValueError(
                f"mask shape {tuple(mask.shape)} != emissions (B, T) {tuple(emissions.shape[:2])}"
            )
        if emissions.shape[1] and not bool(mask[:, 0].all()):
            raise ValueError("every sentence needs at least one token (mask[:, 0] all True)")

    def score(self, emissions: Tensor, tags: Tensor, mask: Tensor) -> Tensor:
        """s(x, y) of the given tag sequences.

        Args:
            emissions: (B, T, C) per-token scores P; tags: (B, T) long; mask: (B, T) bool, True
                on real tokens (a prefix of each row).

        Returns:
            (B,) the sequence scores.
        """
        self._check(emissions, mask)
        start, trans, end = self._scores(emissions.dtype)
        B, T, _ = emissions.shape
        m = mask.to(emissions.dtype)
        emit = emissions.gather(2, tags.unsqueeze(2)).squeeze(2)  # (B, T)
        s = start[tags[:, 0]] + (emit * m).sum(1)  # (B,)
        if T > 1:
            s = s + (trans[tags[:, :-1], tags[:, 1:]] * m[:, 1:]).sum(1)  # (B,)
        last = tags.gather(1, (mask.sum(1) - 1).unsqueeze(1)).squeeze(1)  # (B,)
        return s + end[last]

    def log_partition(self, emissions: Tensor, mask: Tensor) -> Tensor:
        """log Z(x) by the forward algorithm; emissions (B, T, C), mask (B, T) -> (B,)."""
        self._check(emissions, mask)
        start, trans, end = self._scores(emissions.dtype)
        alpha = start + emissions[:, 0]  # (B, C)
        for t in range(1, emissions.shape[1]):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + trans, dim=1) + emissions[:, t]  # (B, C)
            alpha = torch.where(mask[:, t].unsqueeze(1), nxt, alpha)  # padding keeps α
        return torch.logsumexp(alpha + end, dim=1)  # (B,)

    def log_likelihood(self, emissions: Tensor, tags: Tensor, mask: Tensor) -> Tensor:
        """log P(y | x) = s(x, y) - log Z(x), (B,)."""
        return self.score(emissions, tags, mask) - self.log_partition(emissions, mask)

    @torch.no_grad()
    def viterbi(self, emissions: Tensor, mask: Tensor) -> list[list[int]]:
        """The best tag sequence of each sentence (as long as its mask).

        Args:
            emissions: (B, T, C); mask: (B, T) bool.

        Returns:
            B lists of tag ids.
        """
        self._check(emissions, mask)
        start, trans, end = self._scores(emissions.dtype)
        delta = start + emissions[:, 0]  # (B, C)
        pointers = []
        for t in range(1, emissions.shape[1]):
            best, arg = (delta.unsqueeze(2) + trans).max(dim=1)  # (B, C) each
            keep = mask[:, t].unsqueeze(1)
            delta = torch.where(keep, best + emissions[:, t], delta)
            # On padding, point each tag at itself so the backtrace walks through unchanged.
            same = torch.arange(self.n_tags, device=arg.device).expand_as(arg)
            pointers.append(torch.where(keep, arg, same))
        y = (delta + end).argmax(dim=1)  # (B,)
        path = [y]
        for arg in reversed(pointers):
            y = arg.gather(1, y.unsqueeze(1)).squeeze(1)
            path.append(y)
        tags = torch.stack(path[::-1], dim=1).tolist()  # (B, T)
        return [row[:n] for row, n in zip(tags, mask.sum(1).tolist())]
