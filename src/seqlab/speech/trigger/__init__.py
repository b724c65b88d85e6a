"""Trigger-word detection as in the notes: a spectrogram in, "the trigger just ended" per step out.

One concept per module:

- :mod:`~seqlab.speech.trigger.model`: the detector (causal Conv1d -> GRU stack -> sigmoid), its
  features and targets, and streaming probabilities over a recording of any length;
- :mod:`~seqlab.speech.trigger.events`: firing events on those probabilities, scoring them
  against the spoken triggers, tuning the threshold;
- :mod:`~seqlab.speech.trigger.clips`: synthesising one training clip (background + words);
- :mod:`~seqlab.speech.trigger.dataset`: clip folders built from raw recordings, read back and
  batched;
- :mod:`~seqlab.speech.trigger.train`: training with the one recipe, evaluation;
- :mod:`~seqlab.speech.trigger.plot`: a recording, P(trigger) and the detections as a figure.
"""

from seqlab.speech.trigger.clips import EQ_CENTRES, Clip, ClipConfig, equalise, overlay_clip, tilt
from seqlab.speech.trigger.dataset import (
    CLIPS_FILE,
    ClipBatches,
    LabelledClip,
    build_trigger_data,
    encode_clips,
    read_clips,
)
from seqlab.speech.trigger.events import EventScores, detect_triggers, event_scores, tune_threshold
from seqlab.speech.trigger.model import (
    TRIGGER_FILE,
    TriggerConfig,
    TriggerWordDetector,
    frequency_masks,
    n_output_steps,
    trigger_features,
    trigger_frames,
    trigger_labels,
    trigger_probabilities,
)
from seqlab.speech.trigger.plot import trigger_figure
from seqlab.speech.trigger.train import evaluate_detector, load_detector, train_detector

__all__ = [
    "CLIPS_FILE",
    "EQ_CENTRES",
    "TRIGGER_FILE",
    "Clip",
    "ClipBatches",
    "ClipConfig",
    "EventScores",
    "LabelledClip",
    "TriggerConfig",
    "TriggerWordDetector",
    "build_trigger_data",
    "detect_triggers",
    "encode_clips",
    "equalise",
    "evaluate_detector",
    "event_scores",
    "frequency_masks",
    "load_detector",
    "n_output_steps",
    "overlay_clip",
    "read_clips",
    "tilt",
    "train_detector",
    "trigger_features",
    "trigger_figure",
    "trigger_frames",
    "trigger_labels",
    "trigger_probabilities",
    "tune_threshold",
]
