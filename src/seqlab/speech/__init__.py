"""seqlab.speech: speech recognition with CTC (audio, features, the CTC model,
its decoders and training so far; the CLI and trigger words next).

from seqlab.speech import collapse, greedy_decode, prefix_beam_search
collapse([1, 1, 0, 2, 0, 3, 3])           # [1, 2, 3]
prefix_beam_search(log_probs, beam_size=8)  # [Hypothesis(labels, log_prob, score), ...]
"""

from seqlab.speech.audio import is_silent, read_wav, resample
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
from seqlab.speech.model import CTCConfig, CTCRecognizer, output_lengths
from seqlab.speech.train import (
    SpeechDataConfig,
    TrainedRecognizer,
    load_recognizer,
    train_recognizer,
    transcribe,
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
]
