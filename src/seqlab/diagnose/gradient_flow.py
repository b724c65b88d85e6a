"""How much gradient reaches each time step: ||dL/da<t>|| (the notes' vanishing gradients).

In backpropagation through time the gradient that reaches a<t> is a product of T - t Jacobians.
For a tanh RNN it usually shrinks geometrically with the distance to the loss; the GRU and the
LSTM add a path (c<t> = Γu * c̃ + (1 - Γu) * c<t-1>, or Γf * c<t-1>) along which it can survive.

``gradient_flow`` measures it on any model that has a seqlab recurrent layer: it runs the layer
step by step (``impl="loop"``), keeps every state a<t> of the first layer's forward direction,
backpropagates the model's loss and returns the norm of dL/da<t> for every t. This is the total
derivative through the recurrence, the quantity of the notes, not the gradient of the stacked
output tensor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn

from seqlab.nn.recurrent import _RecurrentLayer

__all__ = ["gradient_flow"]


def gradient_flow(
    model: nn.Module, batch: Any, *, loss_fn: Callable[[nn.Module, Any], Tensor] | None = None
) -> Tensor:
    """||dL/da<t>|| for t = 1..T in the first recurrent layer of ``model``.

    Args:
        model: a module containing at least one seqlab ``RNN``/``GRU``/``LSTM``.
        batch: what ``model.loss`` (or ``loss_fn``) takes.
        loss_fn: ``(model, batch) -> scalar loss``; defaults to ``model.loss(batch)``.

    Returns:
        (T,) float tensor: the Frobenius norm over the batch and hidden units of dL/da<t>,
        for the forward direction of the first recurrent layer.

    Raises:
        ValueError: when the model has no seqlab recurrent layer.
    """
    layer = next((m for m in model.modules() if isinstance(m, _RecurrentLayer)), None)
    if layer is None:
        raise ValueError(f"{type(model).__name__} has no seqlab RNN/GRU/LSTM layer")
    states: list[Tensor] = []
    impl = layer.impl
    layer.impl, layer._capture_states = "loop", states
    try:
        model.zero_grad(set_to_none=True)
        loss = loss_fn(model, batch) if loss_fn is not None else model.loss(batch)
        for a_t in states:
            a_t.retain_grad()
        loss.backward()
    finally:
        layer.impl, layer._capture_states = impl, None
    norms = [a_t.grad.norm() if a_t.grad is not None else a_t.new_zeros(()) for a_t in states]
    model.zero_grad(set_to_none=True)
    return torch.stack(norms).detach().cpu()
