"""Synthesised training clips for the trigger-word detector, as the notes build them.

The notes' recipe: take a 10 s background, overlay 0-4 recordings of the trigger word and 0-2 of
other words at random positions that do not overlap, and label the 50 output steps after each
trigger's end with 1. Here the words are also played at a random speed (0.9-1.1, pitch moving
with it) and level (and, optionally, through a random spectral tilt or a random octave-band
equaliser: another microphone, another voice), the background at a random level and offset,
and the clip at a random gain, so a few recordings give thousands of different clips.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from seqlab.speech.config import ClipConfig
from seqlab.speech.strings import coloured_noise

__all__ = ["Clip", "ClipConfig", "EQ_CENTRES", "equalise", "overlay_clip", "tilt"]


@dataclass
class Clip:
    """One synthesised clip: the waveform and where each word was placed (seconds)."""

    samples: np.ndarray
    triggers: list[tuple[float, float]] = field(default_factory=list)
    negatives: list[tuple[float, float]] = field(default_factory=list)


def _rms_db(x: np.ndarray) -> float:
    return 20 * math.log10(math.sqrt(float(np.mean(x.astype(np.float64) ** 2))) + 1e-12)


def _scaled(x: np.ndarray, db: float) -> np.ndarray:
    return x * np.float32(10 ** ((db - _rms_db(x)) / 20))


def tilt(x: np.ndarray, db: float) -> np.ndarray:
    """``x`` through y[n] = x[n] - a x[n-1], the first-order filter whose gain rises by ``db``
    from 0 Hz to the Nyquist frequency (falls, for db < 0): a microphone's frequency response,
    coarsely. |H(w)|^2 = 1 + a^2 - 2a cos w, so the gains at 0 and Nyquist are 1 - a and 1 + a,
    and a = (r - 1) / (r + 1) with r = 10^(db / 20)."""
    r = 10 ** (db / 20)
    a = (r - 1) / (r + 1)
    y = x.astype(np.float32)  # a copy
    y[1:] -= np.float32(a) * x[:-1]
    return y


EQ_CENTRES = (125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0)  # Hz: octave bands


def equalise(
    x: np.ndarray, gains_db: Sequence[float], sample_rate: int,
    centres: Sequence[float] = EQ_CENTRES,
) -> np.ndarray:  # fmt: skip
    """``x`` through a zero-phase equaliser: gain ``gains_db[k]`` at ``centres[k]`` Hz, linear in
    dB against log-frequency between centres and flat beyond the first and last. Applied as
    one FFT over the whole (word-long) signal: X(f) * 10^(g(f) / 20).

    Raises:
        ValueError: gains and centres of different lengths, centres not increasing and > 0.
    """
    centres = np.asarray(centres, dtype=np.float64)
    gains = np.asarray(gains_db, dtype=np.float64)
    if gains.shape != centres.shape or centres.ndim != 1 or len(centres) == 0:
        raise ValueError(f"need one gain per centre: {gains.shape} gains, {centres.shape} centres")
    if centres[0] <= 0 or np.any(np.diff(centres) <= 0):
        raise ValueError("centres must be increasing frequencies > 0 Hz")
    n = len(x)
    freqs = np.fft.rfftfreq(n, 1.0 / sample_rate)
    curve = np.interp(np.log(np.maximum(freqs, 1e-3)), np.log(centres), gains)  # dB
    spectrum = np.fft.rfft(x.astype(np.float64)) * 10 ** (curve / 20)
    return np.fft.irfft(spectrum, n).astype(np.float32)


def overlay_clip(
    background: np.ndarray,
    triggers: Sequence[np.ndarray],
    negatives: Sequence[np.ndarray],
    rng: np.random.Generator,
    config: ClipConfig,
) -> Clip:
    """The notes' ``create_training_example``: words overlaid on a background, never overlapping.

    Args:
        background: noise at ``config.sample_rate`` (cropped at a random offset or tiled).
        triggers, negatives: word recordings at ``config.sample_rate`` (each variant of a word
            is one entry: the caller passes speed variants when it wants them).
        rng: the random source (seeded by the caller).
        config: counts and levels.

    Returns:
        The clip; a word that finds no free place in 50 tries is left out.
    """
    n = int(round(config.seconds * config.sample_rate))
    if len(background) == 0:
        raise ValueError("empty background recording")
    start = int(rng.integers(len(background)))
    reps = math.ceil((start + n) / len(background))
    audio = np.tile(background, reps)[start : start + n].astype(np.float32)
    audio = _scaled(audio, rng.uniform(*config.background_db)) if _rms_db(audio) > -120 else audio
    if config.noise_db is not None:  # another background: white or pink noise
        noise = coloured_noise(n, str(rng.choice(["white", "pink"])), rng).astype(np.float32)
        audio += _scaled(noise, rng.uniform(*config.noise_db))
    placed: list[tuple[int, int]] = []
    spans: dict[str, list[tuple[float, float]]] = {"t": [], "n": []}
    words = [("t", w) for w in _pick(triggers, rng.integers(config.max_triggers + 1), rng)]
    words += [("n", w) for w in _pick(negatives, rng.integers(config.max_negatives + 1), rng)]
    rng.shuffle(words)
    for kind, word in words:
        if len(word) >= n:
            continue
        for _ in range(50):
            s = int(rng.integers(0, n - len(word)))
            e = s + len(word)
            if all(e <= a or s >= b for a, b in placed):
                placed.append((s, e))
                if config.tilt_db > 0:  # draws nothing when off: clips stay as they were
                    word = tilt(word, rng.uniform(-config.tilt_db, config.tilt_db))
                if config.eq_db > 0:  # likewise
                    gains = rng.uniform(-config.eq_db, config.eq_db, size=len(EQ_CENTRES))
                    word = equalise(word, gains, config.sample_rate)
                audio[s:e] += _scaled(word, rng.uniform(*config.word_db))
                spans[kind].append((s / config.sample_rate, e / config.sample_rate))
                break
    audio *= np.float32(10 ** (rng.uniform(-config.clip_gain_db, config.clip_gain_db) / 20))
    peak = float(np.abs(audio).max())
    if peak > 0.99:  # keep the 16-bit file unclipped
        audio *= np.float32(0.99 / peak)
    return Clip(audio, sorted(spans["t"]), sorted(spans["n"]))


def _pick(pool: Sequence[np.ndarray], k: int, rng: np.random.Generator) -> list[np.ndarray]:
    if not pool or k == 0:
        return []
    return [pool[i] for i in rng.integers(len(pool), size=int(k))]
