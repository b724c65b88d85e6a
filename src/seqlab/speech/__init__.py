"""seqlab.speech: speech recognition with CTC (audio, features, the CTC model, its decoders
with an optional character LM, training, connected digit strings) and trigger-word detection.

from seqlab.speech import collapse, greedy_decode, prefix_beam_search
collapse([1, 1, 0, 2, 0, 3, 3])           # [1, 2, 3]
prefix_beam_search(log_probs, beam_size=8)  # [Hypothesis(labels, log_prob, score), ...]
"""

from seqlab.speech.audio import is_silent, read_wav, resample, trim_silence
from seqlab.speech.ctc import Hypothesis, collapse, greedy_decode, prefix_beam_search
from seqlab.speech.data import (
    DIGIT_NAMES,
    Alphabet,
    Utterance,
    collate,
    read_fsdd,
    read_transcripts,
)
from seqlab.speech.features import (
    FeatureConfig,
    log_mel_spectrogram,
    mel_filterbank,
    mfcc,
    power_spectrogram,
)
from seqlab.speech.lm import char_lm_scorer
from seqlab.speech.model import CTCConfig, CTCRecognizer, output_lengths
from seqlab.speech.strings import build_digit_strings, coloured_noise
from seqlab.speech.train import (
    SpeechDataConfig,
    TrainedRecognizer,
    Transcript,
    load_recognizer,
    split_points,
    train_recognizer,
    transcribe,
    transcribe_file,
)
from seqlab.speech.trigger import (
    EventScores,
    TriggerConfig,
    TriggerWordDetector,
    detect_triggers,
    event_scores,
    trigger_features,
    trigger_labels,
    trigger_probabilities,
)
from seqlab.speech.trigger_data import (
    Clip,
    ClipConfig,
    build_trigger_data,
    evaluate_detector,
    load_detector,
    overlay_clip,
    read_clips,
    train_detector,
)

__all__ = [
    "DIGIT_NAMES",
    "Alphabet",
    "Utterance",
    "collate",
    "read_fsdd",
    "read_transcripts",
    "CTCConfig",
    "CTCRecognizer",
    "FeatureConfig",
    "SpeechDataConfig",
    "TrainedRecognizer",
    "Transcript",
    "char_lm_scorer",
    "split_points",
    "transcribe_file",
    "Hypothesis",
    "collapse",
    "greedy_decode",
    "is_silent",
    "load_recognizer",
    "log_mel_spectrogram",
    "mel_filterbank",
    "mfcc",
    "output_lengths",
    "power_spectrogram",
    "prefix_beam_search",
    "read_wav",
    "resample",
    "train_recognizer",
    "transcribe",
    "trim_silence",
    "build_digit_strings",
    "coloured_noise",
    # trigger words
    "Clip",
    "ClipConfig",
    "EventScores",
    "TriggerConfig",
    "TriggerWordDetector",
    "build_trigger_data",
    "detect_triggers",
    "evaluate_detector",
    "event_scores",
    "load_detector",
    "overlay_clip",
    "read_clips",
    "train_detector",
    "trigger_features",
    "trigger_labels",
    "trigger_probabilities",
]
