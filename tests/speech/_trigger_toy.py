"""A toy raw folder for trigger-word tests: the "trigger" a rising 700 Hz tone, other words
steady 1.8 kHz tones, backgrounds low white noise; laid out as the notes' raw_data."""

import numpy as np
from scipy.io import wavfile

RATE = 8000


def _tone(freq: float, seconds: float, rng: np.random.Generator, glide: float = 0.0):
    t = np.arange(int(seconds * RATE)) / RATE
    phase = 2 * np.pi * (freq * t + 0.5 * glide * t**2)
    envelope = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02)
    return 0.5 * np.sin(phase) * envelope + 0.003 * rng.normal(size=t.size)


def _write(path, x) -> None:
    wavfile.write(path, RATE, np.clip(x * 32767, -32768, 32767).astype(np.int16))


def make_raw(root, *, n_words: int = 5, seed: int = 0):
    """Write root/{activates,negatives,backgrounds}/*.wav; returns root."""
    rng = np.random.default_rng(seed)
    for role in ("activates", "negatives", "backgrounds"):
        (root / role).mkdir(parents=True)
    for i in range(n_words):
        _write(root / "activates" / f"{i}.wav",
               _tone(700 + 20 * i, 0.45 + 0.03 * i, rng, glide=900))  # fmt: skip
        _write(root / "negatives" / f"{i}.wav", _tone(1800 - 30 * i, 0.3 + 0.02 * i, rng))
    for i in range(2):
        _write(root / "backgrounds" / f"{i}.wav", 0.02 * rng.normal(size=3 * RATE))
    return root
