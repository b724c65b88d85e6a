"""Training the trigger-word detector with the one recipe, tuning its threshold on validation
clips, and scoring it on labelled clips.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from seqlab.speech.audio import read_wav
from seqlab.speech.trigger.dataset import ClipBatches, LabelledClip, encode_clips
from seqlab.speech.trigger.events import EventScores, detect_triggers, event_scores, tune_threshold
from seqlab.speech.trigger.model import (
    TriggerConfig,
    TriggerWordDetector,
    trigger_features,
    trigger_labels,
    trigger_probabilities,
)
from seqlab.train import TaskData, Trained, TrainerConfig, fit_task, load_model, random_split

__all__ = ["evaluate_detector", "load_detector", "train_detector"]


def train_detector(
    clips: Sequence[LabelledClip],
    model_config: TriggerConfig,
    trainer_config: TrainerConfig,
    out_dir: str | os.PathLike[str],
    *,
    val: Sequence[LabelledClip] | None = None,
    val_fraction: float = 0.1,
    batch_size: int = 16,
    sample_rate: int = 16000,
    hop_ms: float = 5.0,
    label_steps: int = 50,
    refractory: float = 0.5,
    resume: bool = False,
    overwrite: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> Trained[TriggerWordDetector]:
    """Train on labelled clips, keep the best validation loss, tune the threshold on validation.

    ``model_config.n_features`` decides the mel bands. The threshold that maximises event F1
    on the validation clips is saved in the folder's trigger.json (0.5 without validation).
    ``resume`` continues the run saved in ``out_dir/last``; ``overwrite`` replaces the model
    already in ``out_dir`` once the new one is complete.

    Raises:
        ValueError: no clips, a bad clip file (named).
    """
    if not clips:
        raise ValueError("no training clips")
    clips = list(clips)
    if val is None and val_fraction > 0 and len(clips) > 1:
        clips, val = random_split(clips, val_fraction, seed=trainer_config.seed)
    feats = trigger_features(sample_rate, model_config.n_features, hop_ms)
    s = model_config.subsample
    frames, labels = encode_clips(clips, feats, s, label_steps, on_progress)

    def build_model(resume_dir: Path | None) -> TriggerWordDetector:
        model = TriggerWordDetector(model_config, feats, label_steps=label_steps)
        stacked = np.concatenate(frames)  # (sum T, F)
        model.set_normalisation(torch.from_numpy(stacked.mean(0)), torch.from_numpy(stacked.std(0)))
        return model

    def make_data(model: TriggerWordDetector) -> TaskData:
        train_b = ClipBatches(frames, labels, batch_size, shuffle=True, seed=trainer_config.seed)
        val_b = None
        if val:
            vf, vl = encode_clips(val, feats, s, label_steps, on_progress)
            val_b = ClipBatches(vf, vl, batch_size, shuffle=False, seed=0)
        return TaskData(train_b, val_b)

    def tune(best: TriggerWordDetector) -> dict[str, float]:
        if not val:
            return {}
        probs = [_clip_probs(best, c) for c in val]
        threshold, scores = tune_threshold(probs, [c.triggers for c in val], best.step_seconds,
                                           refractory=refractory)  # fmt: skip
        best.threshold = threshold
        best.save_assets(Path(out_dir))
        return {"threshold": threshold, **scores.as_dict()}

    return fit_task(build_model, make_data, trainer_config, out_dir, score=tune, resume=resume,
                    overwrite=overwrite)  # fmt: skip


def _clip_probs(model: TriggerWordDetector, clip: LabelledClip) -> np.ndarray:
    samples, _ = read_wav(clip.path, sample_rate=model.features.sample_rate)
    return trigger_probabilities(model, samples)


def load_detector(
    folder: str | os.PathLike[str], *, map_location: str | torch.device = "cpu"
) -> TriggerWordDetector:
    """A trained detector with its feature settings, in eval mode, on ``map_location``.

    Raises:
        ValueError: the folder holds another task's model, or no trigger.json.
    """
    model = load_model(folder, TriggerWordDetector, map_location=map_location)
    if model.features is None:
        raise ValueError(f"{folder}: missing trigger.json (the feature settings)")
    return model.eval()


def evaluate_detector(
    model: TriggerWordDetector,
    clips: Sequence[LabelledClip],
    *,
    threshold: float | None = None,
    refractory: float = 0.5,
    max_delay: float = 1.0,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, float]:
    """Event precision, recall and F1 over labelled clips, with frame accuracy for contrast.

    Returns:
        ``{"precision", "recall", "f1", "tp", "fp", "fn", "clips", "triggers", "threshold",
        "frame_accuracy", "all_zero_frame_accuracy"}``.
    """
    threshold = model.threshold if threshold is None else threshold
    total, correct, ones, steps = EventScores(0, 0, 0), 0, 0, 0
    for clip in clips:
        probs = _clip_probs(model, clip)
        found = detect_triggers(probs, model.step_seconds, threshold=threshold,
                                refractory=refractory)  # fmt: skip
        total = total + event_scores(found, clip.triggers, max_delay=max_delay)
        y = trigger_labels([e for _, e in clip.triggers], len(probs), model.step_seconds,
                           model.label_steps)  # fmt: skip
        correct += int(((probs >= threshold) == (y > 0.5)).sum())
        ones += int(y.sum())
        steps += len(y)
        if on_progress:
            on_progress(1)
    return {**total.as_dict(), "clips": len(clips), "triggers": total.tp + total.fn,
            "threshold": threshold, "frame_accuracy": correct / max(steps, 1),
            "all_zero_frame_accuracy": 1 - ones / max(steps, 1)}  # fmt: skip
