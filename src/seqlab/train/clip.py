"""Gradient clipping, the notes' remedy for exploding gradients in RNNs.

Two flavours, both in place on ``p.grad``:

- by value: every gradient entry is clamped to ``[-max_value, max_value]``;
- by global norm (Pascanu et al., 2013): with ``g`` all gradients concatenated and
  ``||g|| = sqrt(sum_i ||g_i||^2)``, scale ``g <- g * max_norm / ||g||`` when ``||g|| > max_norm``.
  Unlike clipping by value this keeps the gradient's direction.

Both follow ``torch.nn.utils.clip_grad_value_`` / ``clip_grad_norm_`` (same epsilon, same return
value), written out so the equations are visible; the tests check them against a manual
computation and against torch.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor

Params = Tensor | Iterable[Tensor]

# torch adds this to the norm before dividing, so a norm of exactly max_norm scales by ~1 - 1e-6.
_EPS = 1e-6


def clip_grad_value_(params: Params, max_value: float) -> None:
    """Clamp every gradient entry to ``[-max_value, max_value]``, in place.

    Args:
        params: a tensor or an iterable of tensors (parameters); those without ``.grad`` are
            skipped.
        max_value: the largest absolute value a gradient entry may keep; must be > 0.

    Raises:
        ValueError: if ``max_value`` is not positive.
    """
    if not max_value > 0:
        raise ValueError(f"max_value must be > 0, got {max_value}")
    for g in _grads(params):
        g.clamp_(min=-max_value, max=max_value)


def clip_grad_norm_(params: Params, max_norm: float, *, error_if_nonfinite: bool = False) -> Tensor:
    """Scale all gradients together so that their global L2 norm is at most ``max_norm``.

    Args:
        params: a tensor or an iterable of tensors (parameters); those without ``.grad`` are
            skipped.
        max_norm: the largest global norm the gradients may keep; must be > 0.
        error_if_nonfinite: raise instead of clipping when the norm is nan or inf.

    Returns:
        The global L2 norm of the gradients before clipping: a 0-dim float tensor on the
        gradients' device (0.0 when no parameter has a gradient).

    Raises:
        ValueError: if ``max_norm`` is not positive.
        FloatingPointError: if ``error_if_nonfinite`` and the norm is nan or inf.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be > 0, got {max_norm}")
    grads = _grads(params)
    if not grads:
        return torch.tensor(0.0)
    device = grads[0].device
    norms = torch.stack([torch.linalg.vector_norm(g.detach(), 2).to(device) for g in grads])
    total_norm = torch.linalg.vector_norm(norms, 2)  # sqrt(sum_i ||g_i||^2)
    if error_if_nonfinite and not torch.isfinite(total_norm):
        raise FloatingPointError(f"the global gradient norm is {total_norm.item()}")
    # min(1, max_norm / ||g||) without a host sync, so it stays cheap on an accelerator.
    scale = torch.clamp(max_norm / (total_norm + _EPS), max=1.0)
    for g in grads:
        g.detach().mul_(scale.to(g.device, g.dtype))
    return total_norm


def _grads(params: Params) -> list[Tensor]:
    if isinstance(params, Tensor):
        params = [params]
    return [p.grad for p in params if p.grad is not None]
