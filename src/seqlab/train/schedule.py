"""Learning-rate schedules over a training budget: linear warm-up, then cosine or linear decay.

The decay runs over whichever budget ends first: a number of steps (max_steps, or epochs when
the batch count is known) or a wall-clock budget (by elapsed time, which a resumed run cannot
replay exactly). A pure function, so the Trainer and the tests compute the same numbers.
"""

from __future__ import annotations

import math

from seqlab.train.config import SCHEDULES

__all__ = ["SCHEDULES", "lr_factor"]


def lr_factor(
    schedule: str,
    step: int,
    *,
    warmup_steps: int = 0,
    min_ratio: float = 0.0,
    total_steps: int | None = None,
    elapsed: float = 0.0,
    budget_seconds: float | None = None,
) -> float:
    """The multiplier of the peak learning rate for the step about to be taken.

    Args:
        schedule: "constant", "cosine" or "linear".
        step: optimizer steps already taken (0 for the first).
        warmup_steps: steps of linear warm-up from lr / warmup_steps to lr.
        min_ratio: the decay ends at this fraction of the peak.
        total_steps: the step budget, when known.
        elapsed: seconds of training so far.
        budget_seconds: the time budget, when there is one.

    Returns:
        A factor in (0, 1].
    """
    if warmup_steps and step < warmup_steps:
        return (step + 1) / warmup_steps
    if schedule == "constant":
        return 1.0
    fractions = []
    if total_steps:
        fractions.append((step - warmup_steps) / max(total_steps - warmup_steps, 1))
    if budget_seconds:
        fractions.append(elapsed / budget_seconds)
    done = min(max(fractions, default=0.0), 1.0)
    shape = (1 + math.cos(math.pi * done)) / 2 if schedule == "cosine" else 1 - done
    return min_ratio + (1 - min_ratio) * shape
