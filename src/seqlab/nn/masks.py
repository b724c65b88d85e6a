"""Masks of the real (non-padding) positions of a padded batch.

A batch pads sequences of different lengths to the longest one (``seqlab.text.pad_sequences``)
and keeps the true lengths; layers, attention and losses turn the lengths into a boolean mask
so that padding never leaks into states, weights or losses::

    lengths = [3,      mask = [[T, T, T, F],
               2,              [T, T, F, F],
               4]              [T, T, T, T]]
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

__all__ = ["lengths_to_mask"]


def lengths_to_mask(lengths: Tensor | Sequence[int], max_len: int | None = None) -> Tensor:
    """Boolean mask of the real (non-padding) positions of a padded batch.

    Args:
        lengths: (B,) integer lengths, each >= 0.
        max_len: T, the padded length; ``max(lengths)`` when None.

    Returns:
        (B, T) bool tensor on ``lengths``' device, ``mask[b, t] = t < lengths[b]``.

    Raises:
        ValueError: If ``lengths`` is empty, not 1-D, not integer or negative somewhere, or
            ``max_len`` is smaller than the longest length.
    """
    lengths = torch.as_tensor(lengths)
    if lengths.dim() != 1 or lengths.numel() == 0:
        raise ValueError(f"lengths must be a non-empty 1-D tensor, got shape {lengths.shape}")
    if lengths.dtype.is_floating_point or lengths.dtype.is_complex or lengths.dtype == torch.bool:
        raise ValueError(f"lengths must be integers, got dtype {lengths.dtype}")
    if bool((lengths < 0).any()):
        raise ValueError(f"lengths must be >= 0, got {lengths.tolist()}")
    longest = int(lengths.max())
    if max_len is None:
        max_len = longest
    elif isinstance(max_len, bool) or not isinstance(max_len, int) or max_len < longest:
        raise ValueError(f"max_len must be an int >= the longest length {longest}, got {max_len}")
    return torch.arange(max_len, device=lengths.device) < lengths[:, None]  # (B, T)
