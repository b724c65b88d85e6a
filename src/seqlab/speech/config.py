"""The speech models' settings: :class:`FeatureConfig` (frames and filterbank),
:class:`CTCConfig` and :class:`SpeechDataConfig` (the CTC recogniser), :class:`TriggerConfig`
and :class:`ClipConfig` (the trigger-word detector and its synthesised clips).

Standard library only (no torch, no NumPy), so the command line derives its flags from these
fields without importing the models; the modules that use them (:mod:`seqlab.speech.features`,
:mod:`~seqlab.speech.model`, :mod:`~seqlab.speech.train`, :mod:`~seqlab.speech.trigger`,
:mod:`~seqlab.speech.trigger_data`) re-export them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from seqlab._config import check_fields

__all__ = [
    "CELL_NAMES",
    "CTCConfig",
    "ClipConfig",
    "FeatureConfig",
    "PRESETS",
    "SpeechDataConfig",
    "TriggerConfig",
    "recognizer_recipe",
]

CELL_NAMES = ("gru", "lstm")  # the keys of seqlab.speech.model.CELLS


@dataclass(frozen=True)
class FeatureConfig:
    """Frame and filterbank settings (defaults: 25 ms windows every 10 ms at 16 kHz)."""

    sample_rate: int = 16000  # Hz of the input waveform
    n_fft: int = 512  # FFT size (frequency bins n_fft // 2 + 1)
    win_length: int = 400  # samples per analysis window (<= n_fft)
    hop_length: int = 160  # samples between frame centres
    n_mels: int = 40  # mel bands
    f_min: float = 0.0  # lowest band edge, Hz
    f_max: float | None = None  # highest band edge, Hz; None = sample_rate / 2
    n_mfcc: int = 13  # cepstral coefficients kept
    amin: float = 1e-10  # floor of the power before the log
    top_db: float | None = 80.0  # dynamic range kept below each example's maximum; None = all

    def __post_init__(self) -> None:
        if self.sample_rate < 1000:
            raise ValueError(f"sample_rate must be at least 1000 Hz, got {self.sample_rate}")
        if not 1 <= self.win_length <= self.n_fft:
            raise ValueError(f"win_length must be in 1..n_fft={self.n_fft}, got {self.win_length}")
        if self.hop_length < 1 or self.n_mels < 1 or self.n_mfcc < 1:
            raise ValueError("hop_length, n_mels and n_mfcc must be at least 1")
        if self.n_mfcc > self.n_mels:
            raise ValueError(f"n_mfcc={self.n_mfcc} cannot exceed n_mels={self.n_mels}")
        f_max = self.sample_rate / 2 if self.f_max is None else self.f_max
        if not 0 <= self.f_min < f_max <= self.sample_rate / 2:
            raise ValueError(
                f"need 0 <= f_min < f_max <= sample_rate / 2, got f_min={self.f_min}, "
                f"f_max={f_max}, sample_rate={self.sample_rate}"
            )


@dataclass(frozen=True)
class CTCConfig:
    """The recogniser's architecture."""

    # Fields renamed since, old name -> new name: config.json files written before still load
    # (see seqlab._config.rename_fields).
    RENAMED_FIELDS: ClassVar[dict[str, str]] = {"n_layers": "num_layers"}
    # The valid values of the fields that take one of a few names (--help and errors list them).
    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"cell": CELL_NAMES}

    n_features: int = 40  # F, features per input frame (log-mel bands or MFCCs)
    n_labels: int = 12  # C, output labels, the blank (id 0) included
    conv_channels: int = 128  # channels of the convolutional front-end
    conv_kernel: int = 5  # its kernel width in frames (odd)
    subsample: int = 2  # its stride: input frames per output step
    cell: str = "gru"  # "gru" | "lstm"
    hidden_size: int = 128  # n_a per direction
    num_layers: int = 2  # stacked bidirectional layers
    dropout: float = 0.1  # after the front-end, between layers, before the output layer

    def __post_init__(self) -> None:
        checks = {
            "n_features": self.n_features >= 1,
            "n_labels": self.n_labels >= 2,
            "conv_channels": self.conv_channels >= 1,
            "conv_kernel": self.conv_kernel >= 1 and self.conv_kernel % 2 == 1,
            "subsample": self.subsample >= 1,
            "cell": self.cell in CELL_NAMES,
            "hidden_size": self.hidden_size >= 1,
            "num_layers": self.num_layers >= 1,
            "dropout": 0.0 <= self.dropout < 1.0,
        }
        check_fields(self, checks)


@dataclass(frozen=True)
class SpeechDataConfig:
    """How recordings become batches."""

    sample_rate: int = 8000  # every file is resampled to this rate (Hz)
    n_mels: int = 40  # log-mel bands (the model's n_features)
    win_ms: float = 25.0  # analysis window
    hop_ms: float = 10.0  # frame step
    batch_size: int = 32  # utterances per batch
    val_fraction: float = 0.1  # held out for validation when no validation set is given
    # SpecAugment (Park et al. 2019) on training batches: bands and stretches of frames set to 0
    # (the normalised mean), drawn anew every epoch; 0 masks = off
    freq_masks: int = 0  # masks of up to freq_mask_width mel bands per utterance
    freq_mask_width: int = 6  # the widest frequency mask, in mel bands
    time_masks: int = 0  # masks of up to time_mask_width frames per utterance
    time_mask_width: int = 8  # the widest time mask, in frames (and at most a fifth of T)
    # Speed perturbation (Ko et al. 2015; 0.1 in the paper): every epoch plays each training
    # utterance at one of the speeds 1 - p, 1, 1 + p, drawn at random
    speed_perturb: float = 0.0  # p: training copies played 1 -+ p times as fast; 0 = off

    def __post_init__(self) -> None:
        check_fields(self, {
            "sample_rate": 8000 <= self.sample_rate <= 48000,
            "n_mels": self.n_mels >= 1,
            "win_ms": self.win_ms > 0,
            "hop_ms": 0 < self.hop_ms <= self.win_ms,
            "batch_size": self.batch_size >= 1,
            "val_fraction": 0.0 <= self.val_fraction < 1.0,
            "freq_masks": self.freq_masks >= 0,
            "freq_mask_width": 1 <= self.freq_mask_width <= self.n_mels,
            "time_masks": self.time_masks >= 0,
            "time_mask_width": self.time_mask_width >= 1,
            "speed_perturb": 0.0 <= self.speed_perturb < 0.5,
        })  # fmt: skip

    def speeds(self) -> tuple[float, ...]:
        """The speeds each training utterance is read at: (1.0,) or (1.0, 1 - p, 1 + p)."""
        p = self.speed_perturb
        return (1.0, 1.0 - p, 1.0 + p) if p > 0 else (1.0,)

    def masks(self) -> tuple[int, int, int, int]:
        """(freq_masks, freq_mask_width, time_masks, time_mask_width)."""
        return self.freq_masks, self.freq_mask_width, self.time_masks, self.time_mask_width

    def features(self) -> FeatureConfig:
        """The :class:`FeatureConfig` these settings describe."""
        win = int(round(self.sample_rate * self.win_ms / 1000))
        n_fft = 1 << (win - 1).bit_length()
        hop = int(round(self.sample_rate * self.hop_ms / 1000))
        return FeatureConfig(sample_rate=self.sample_rate, n_fft=n_fft, win_length=win,
                             hop_length=hop, n_mels=self.n_mels, n_mfcc=1)  # fmt: skip


@dataclass(frozen=True)
class TriggerConfig:
    """The detector's architecture (the notes: Conv1D(196, 15, stride 4) + 2 GRU(128))."""

    # Removed options, with the value an old config.json must hold for them to load (the
    # behaviour that remains); see seqlab._config.drop_retired.
    RETIRED_FIELDS: ClassVar[dict[str, Any]] = {
        "pos_weight": 1.0,  # weight of the 1 targets in the BCE: the loss is plain BCE
    }
    # Fields renamed since, old name -> new name: config.json files written before still load
    # (see seqlab._config.rename_fields).
    RENAMED_FIELDS: ClassVar[dict[str, str]] = {
        "n_layers": "num_layers",
        "freq_mask": "freq_mask_width",  # the names of SpeechDataConfig's SpecAugment fields
        "n_freq_masks": "freq_masks",
    }

    n_features: int = 40  # F, log-mel bands per frame
    conv_channels: int = 128  # filters of the 1-D convolution
    conv_kernel: int = 15  # its width in frames (causal: the current frame and k - 1 before)
    subsample: int = 2  # its stride: frames per output step
    hidden_size: int = 128  # n_a of each GRU layer
    num_layers: int = 2  # stacked GRU layers (forward only: the detector streams)
    dropout: float = 0.2  # after the convolution, between layers, before the output
    # SpecAugment on training clips only (each mask sets its bands to the training mean)
    freq_masks: int = 2  # frequency masks per clip (when freq_mask_width > 0)
    freq_mask_width: int = 0  # the widest frequency mask, in mel bands; 0 = off

    def __post_init__(self) -> None:
        check_fields(self, {
            "n_features": self.n_features >= 1,
            "conv_channels": self.conv_channels >= 1,
            "conv_kernel": self.conv_kernel >= 1,
            "subsample": self.subsample >= 1,
            "hidden_size": self.hidden_size >= 1,
            "num_layers": self.num_layers >= 1,
            "dropout": 0.0 <= self.dropout < 1.0,
            "freq_masks": self.freq_masks >= 0,
            "freq_mask_width": 0 <= self.freq_mask_width <= self.n_features,
        })  # fmt: skip


@dataclass(frozen=True)
class ClipConfig:
    """How training clips are synthesised (the notes: 10 s, 0-4 triggers, 0-2 other words)."""

    sample_rate: int = 16000  # Hz of the written clips
    seconds: float = 10.0  # clip length
    max_triggers: int = 4  # 0..max trigger words per clip
    max_negatives: int = 2  # 0..max other words per clip
    word_db: tuple[float, float] = (-26.0, -14.0)  # RMS level of each word, dBFS
    background_db: tuple[float, float] = (-45.0, -25.0)  # RMS level of the background, dBFS
    clip_gain_db: float = 6.0  # the whole clip is scaled by +-this
    speed: bool = True  # play words at 0.9-1.1 times their speed
    noise_db: tuple[float, float] | None = None  # white or pink noise added at this RMS, dBFS
    tilt_db: float = 0.0  # each word's spectrum tilted by up to +-this, dB from 0 Hz to Nyquist
    eq_db: float = 0.0  # each word through a random equaliser: octave band gains in +-this, dB

    def __post_init__(self) -> None:
        check_fields(self, {
            "sample_rate": 8000 <= self.sample_rate <= 48000,
            "seconds": self.seconds > 0,
            "max_triggers": self.max_triggers >= 0,
            "max_negatives": self.max_negatives >= 0,
            "word_db": self.word_db[0] <= self.word_db[1] <= 0,
            "background_db": self.background_db[0] <= self.background_db[1] <= 0,
            "clip_gain_db": self.clip_gain_db >= 0,
            "noise_db": self.noise_db is None or self.noise_db[0] <= self.noise_db[1] <= 0,
            "tilt_db": 0 <= self.tilt_db < 60,
            "eq_db": 0 <= self.eq_db < 60,
        })  # fmt: skip

    def for_training(
        self,
        *,
        word_db: Sequence[float] | None = None,
        noise_db: Sequence[float] | None = None,
        tilt_db: float | None = None,
        eq_db: float | None = None,
    ) -> ClipConfig | None:
        """This config with the training-only changes that are given (None or 0 leaves a field
        as it is), or None when none is: what ``--train-word-db``, ``--train-noise-db``,
        ``--train-tilt-db`` and ``--train-eq-db`` mean, in one place."""
        changes: dict = {}
        if word_db:
            changes["word_db"] = tuple(word_db)
        if noise_db:
            changes["noise_db"] = tuple(noise_db)
        if tilt_db:
            changes["tilt_db"] = tilt_db
        if eq_db:
            changes["eq_db"] = eq_db
        return replace(self, **changes) if changes else None


# Named settings of the recogniser: {"model": CTCConfig fields, "data": ..., "trainer": ...}.
PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    # The Free Spoken Digit Dataset (BENCHMARKS.md: 96.33% exact open-vocabulary, 98.33% with
    # --vocabulary digits; 60 epochs took 579 s on 2 busy cores).
    "fsdd": {
        "model": {"conv_channels": 128, "hidden_size": 128, "num_layers": 2, "dropout": 0.2},
        "data": {},
        "trainer": {"epochs": 60, "lr": 3e-3, "lr_schedule": "cosine", "clip_norm": 5.0},
    },
}


def recognizer_recipe(*, fsdd: bool) -> tuple[str | None, str]:
    """The recogniser's preset for its data: the FSDD recipe for the Free Spoken Digit Dataset."""
    if fsdd:
        return "fsdd", "the Free Spoken Digit Dataset (the FSDD recipe)"
    return None, "transcribed recordings other than FSDD: no measured recipe"
