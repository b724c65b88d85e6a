"""Sampling new music from a piano-roll RNN: the notes' one-to-many loop.

Each step draws every key independently, roll<t>_k ~ Bernoulli(sigmoid(logit_k / temperature)),
and feeds the drawn step back as the next input. A prime (the opening steps of a real piece)
is read first, as teacher-forced inputs, and starts the returned roll.
"""

from __future__ import annotations

import numpy as np
import torch

from seqlab.music.data import N_KEYS
from seqlab.music.model import PianoRollRNN

__all__ = ["sample"]


@torch.no_grad()
def sample(
    model: PianoRollRNN,
    n_steps: int,
    *,
    prime: np.ndarray | None = None,
    temperature: float = 1.0,
    seed: int | None = None,
) -> np.ndarray:
    """Draw a piece of ``n_steps`` new steps.

    Args:
        model: the model (put in eval mode here).
        n_steps: steps to draw after the prime (>= 1).
        prime: roll (K, 88) 0/1 that opens the piece; None = start from silence.
        temperature: > 0; logits are divided by it (lower: fewer surprises).
        seed: seeds the draws (same seed, same piece); None = fresh randomness.

    Returns:
        roll (K + n_steps, 88) uint8: the prime, then the drawn steps.

    Raises:
        ValueError: on n_steps < 1, temperature <= 0 or a prime that is not (K, 88).
    """
    if n_steps < 1:
        raise ValueError(f"n_steps must be at least 1, got {n_steps}")
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    prime = np.zeros((0, N_KEYS), np.uint8) if prime is None else np.asarray(prime, np.uint8)
    if prime.ndim != 2 or prime.shape[1] != N_KEYS:
        raise ValueError(f"prime must be a roll of shape (K, {N_KEYS}), got {prime.shape}")
    model.eval()
    device = next(model.parameters()).device
    gen = torch.Generator(device=device)
    gen.manual_seed(seed if seed is not None else int(torch.seed() % 2**63))
    # Inputs: silence, then the prime; the last output predicts the first new step.
    primed = torch.as_tensor(prime, dtype=torch.float32, device=device)  # (K, 88)
    x = torch.cat([torch.zeros(1, N_KEYS, device=device), primed]).unsqueeze(0)  # (1, K+1, 88)
    logits, state = model(x)  # (1, K+1, 88)
    logits = logits[:, -1]  # (1, 88)
    steps = []
    for _ in range(n_steps):
        y_hat = torch.sigmoid(logits / temperature)  # (1, 88)
        x_t = torch.bernoulli(y_hat, generator=gen)  # (1, 88)
        steps.append(x_t)
        logits, state = model(x_t.unsqueeze(1), state)  # (1, 1, 88)
        logits = logits[:, -1]  # (1, 88)
    drawn = torch.cat(steps).to(torch.uint8).cpu().numpy()  # (n_steps, 88)
    return np.concatenate([prime, drawn])
