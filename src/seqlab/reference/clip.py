"""Gradient clipping against exploding gradients (notes: "Vanishing gradients with RNNs":
"exploding gradients ... apply gradient clipping"; the notes' ``clip`` of the Dinosaur Island
exercise; Pascanu et al. 2013 for the global norm).

Two rules, both pure functions on a dict name -> gradient (new arrays out, inputs untouched):

- by value: every element into [-max_value, max_value], as the notes' ``clip`` does;
- by global norm: total = sqrt(sum_k ||g_k||^2) over all gradients; when total > max_norm
  every gradient is scaled by max_norm / total, which keeps the update's direction
  (``torch.nn.utils.clip_grad_norm_`` does the same, with a 1e-6 added to total).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def _check_no_nan(grads: Mapping[str, np.ndarray]) -> None:
    for name, grad in grads.items():
        if np.isnan(grad).any():
            raise ValueError(f"grads[{name!r}] contains NaN")


def clip_by_value(grads: Mapping[str, np.ndarray], max_value: float) -> dict[str, np.ndarray]:
    """Clip every gradient elementwise into [-max_value, max_value].

    Args:
        grads: name -> gradient, any shapes.
        max_value: The bound, > 0.

    Returns:
        name -> clipped copy, each of the input's shape. +-inf becomes +-max_value.

    Raises:
        ValueError: If ``max_value`` is not positive or a gradient holds NaN.
    """
    if not max_value > 0:
        raise ValueError(f"max_value must be positive, got {max_value}")
    _check_no_nan(grads)
    return {name: np.clip(grad, -max_value, max_value) for name, grad in grads.items()}


def clip_by_global_norm(
    grads: Mapping[str, np.ndarray], max_norm: float
) -> tuple[dict[str, np.ndarray], float]:
    """Scale all gradients together so that their global norm is at most ``max_norm``.

    Args:
        grads: name -> gradient, any shapes.
        max_norm: The largest global norm allowed, > 0.

    Returns:
        ``(clipped, total_norm)``: name -> scaled copy of each gradient (an unscaled copy when
        total_norm <= max_norm), and the global norm BEFORE clipping, as a float.

    Raises:
        ValueError: If ``max_norm`` is not positive, or the global norm is not finite (a NaN
            or inf in the gradients: no scale can fix that).
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    _check_no_nan(grads)
    total_norm = float(np.sqrt(sum(np.sum(np.square(grad)) for grad in grads.values())))
    if not np.isfinite(total_norm):
        raise ValueError(f"the global gradient norm is {total_norm}; cannot clip it")
    scale = max_norm / total_norm if total_norm > max_norm else 1.0
    return {name: np.asarray(grad) * scale for name, grad in grads.items()}, total_norm
