"""Trigger events: firing on the detector's probabilities, and scoring fired events against
the spoken triggers (frame accuracy is misleading here: an all-zero output scores ~90%).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["EventScores", "detect_triggers", "event_scores", "tune_threshold"]


def detect_triggers(
    probs: np.ndarray, step_seconds: float, *, threshold: float = 0.5, refractory: float = 0.5
) -> list[float]:
    """Trigger times (seconds): the steps where the probability rises to ``threshold`` from
    below, at most one per ``refractory`` seconds.

    One utterance makes a run of ~label_steps high steps: it fires once, at the run's start,
    and a flicker inside the run cannot fire again within ``refractory``.
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    if refractory < 0:
        raise ValueError(f"refractory must be >= 0 s, got {refractory}")
    high = np.asarray(probs) >= threshold
    rises = np.flatnonzero(high & ~np.concatenate([[False], high[:-1]]))
    times: list[float] = []
    for t in rises:
        time = float(t) * step_seconds
        if not times or time - times[-1] >= refractory:
            times.append(time)
    return times


@dataclass(frozen=True)
class EventScores:
    """Event-level detection scores."""

    tp: int  # detections matched to a spoken trigger
    fp: int  # detections matching none
    fn: int  # spoken triggers no detection matched

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: EventScores) -> EventScores:
        return EventScores(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_dict(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "tp": self.tp, "fp": self.fp, "fn": self.fn}  # fmt: skip


def event_scores(
    detections: Sequence[float], triggers: Sequence[tuple[float, float]], *, max_delay: float = 1.0
) -> EventScores:
    """Match detections to triggers one to one, in time order.

    A detection at time d counts for the trigger spoken over [start, end] when
    start <= d <= end + max_delay; each trigger and each detection is used at most once.
    """
    remaining = sorted((float(s), float(e)) for s, e in triggers)
    used = [False] * len(remaining)
    tp = 0
    for d in sorted(detections):
        for i, (start, end) in enumerate(remaining):
            if not used[i] and start <= d <= end + max_delay:
                used[i] = True
                tp += 1
                break
    return EventScores(tp, len(detections) - tp, len(remaining) - tp)


def tune_threshold(
    probs: Sequence[np.ndarray],
    triggers: Sequence[Sequence[tuple[float, float]]],
    step_seconds: float,
    *,
    refractory: float = 0.5,
    max_delay: float = 1.0,
    grid: Sequence[float] = tuple(round(0.1 + 0.05 * i, 2) for i in range(18)),
) -> tuple[float, EventScores]:
    """The threshold of ``grid`` with the best event F1 over the clips (ties: nearest 0.5)."""
    best: tuple[float, float, EventScores] | None = None
    for threshold in grid:
        total = EventScores(0, 0, 0)
        for p, spans in zip(probs, triggers):
            found = detect_triggers(p, step_seconds, threshold=threshold, refractory=refractory)
            total = total + event_scores(found, spans, max_delay=max_delay)
        key = (total.f1, -abs(threshold - 0.5))
        if best is None or key > (best[0], -abs(best[1] - 0.5)):
            best = (total.f1, float(threshold), total)
    assert best is not None
    return best[1], best[2]
