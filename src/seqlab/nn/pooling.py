"""One vector per sequence from a recurrent layer's outputs: the many-to-one readouts.

A many-to-one model (sentiment classification, the notes' Emojify) reads a whole sequence and
gives one output; these functions turn a layer's activations a: (B, T, D * H) into the vector
its output layer reads, padding ignored:

- :func:`last_step`: the notes' choice, the last activation (both ends for a BRNN);
- :func:`pool_steps`: that, or the mean or max over the real steps;
- :func:`concat_steps`: every step side by side, for inputs of one fixed length.

Additive attention pooling, the position-aware weighted mean, is
``seqlab.nn.AdditiveAttention`` with no query.
"""

from __future__ import annotations

import torch
from torch import Tensor

from seqlab.nn.masks import lengths_to_mask

__all__ = ["concat_steps", "last_step", "pool_steps"]


def last_step(a: Tensor, lengths: Tensor | None, num_directions: int = 1) -> Tensor:
    """Each sequence's summary from a layer's outputs.

    The forward direction's activation at the sequence's own last step; for a bidirectional
    layer, concatenated with the backward direction's activation at t = 1 (where it has read the
    whole sequence).

    Args:
        a: (B, T, D * H) layer outputs.
        lengths: (B,) real lengths, or None when no sequence is padded.
        num_directions: D.

    Returns:
        (B, D * H).
    """
    B, T, DH = a.shape
    H = DH // num_directions
    last = (lengths.to(a.device) - 1) if lengths is not None else a.new_full((B,), T - 1).long()
    fwd = a[torch.arange(B, device=a.device), last, :H]  # (B, H)
    if num_directions == 1:
        return fwd
    return torch.cat([fwd, a[:, 0, H:]], dim=1)  # (B, 2H)


def pool_steps(a: Tensor, lengths: Tensor | None, pool: str, num_directions: int = 1) -> Tensor:
    """One vector per sequence from a layer's outputs, padding ignored.

    Args:
        a: (B, T, D * H) layer outputs.
        lengths: (B,) real lengths, or None when no sequence is padded.
        pool: "last" (:func:`last_step`), "mean" or "max" over the real steps.
        num_directions: D.

    Returns:
        (B, D * H).
    """
    if pool == "last":
        return last_step(a, lengths, num_directions)  # (B, D*H)
    if pool not in ("mean", "max"):
        raise ValueError(f"pool must be 'last', 'mean' or 'max', got {pool!r}")
    B, T, _ = a.shape
    L = lengths.to(a.device) if lengths is not None else torch.full((B,), T, device=a.device)
    mask = lengths_to_mask(L, T).unsqueeze(2)  # (B, T, 1)
    if pool == "mean":
        return (a * mask).sum(1) / L.unsqueeze(1).to(a.dtype)  # (B, D*H)
    return a.masked_fill(~mask, float("-inf")).amax(1)  # (B, D*H)


def concat_steps(a: Tensor, lengths: Tensor | None, n_steps: int) -> Tensor:
    """Every step's activation side by side, for inputs of one fixed length.

    The layer after it then has its own weights for each position (a logistic regression on
    the BRNN's features at every position), which suits data whose signal sits at a fixed place,
    such as a splice junction in the middle of a 60-nt window.

    Args:
        a: (B, T, D * H) layer outputs.
        lengths: (B,) real lengths, or None when no sequence is padded.
        n_steps: the one length T every sequence must have.

    Returns:
        (B, T * D * H), step 1's activation first.

    Raises:
        ValueError: when T or a real length differs from ``n_steps``.
    """
    B, T, _ = a.shape
    if T != n_steps or (lengths is not None and bool((lengths != n_steps).any())):
        found = sorted(set(lengths.tolist())) if lengths is not None else [T]
        raise ValueError(
            f"pool 'concat' needs sequences of exactly {n_steps} steps, got length(s) {found}"
        )
    return a.reshape(B, -1)  # (B, T*D*H)
