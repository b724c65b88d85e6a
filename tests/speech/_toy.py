"""A toy language for speech tests: each letter a 0.15 s tone, 0.05 s of quiet between."""

import numpy as np
from scipy.io import wavfile

RATE = 8000
TONES = {"a": 400.0, "b": 1600.0}


def say(path, text: str, rng: np.random.Generator) -> None:
    """Write ``text`` (letters a/b) as a 16-bit WAV at RATE Hz, with a little noise."""
    pieces = []
    for ch in text:
        t = np.arange(int(0.15 * RATE)) / RATE
        pieces += [np.sin(2 * np.pi * TONES[ch] * t), np.zeros(int(0.05 * RATE))]
    x = 0.5 * np.concatenate(pieces) + 0.01 * rng.normal(size=sum(len(p) for p in pieces))
    wavfile.write(path, RATE, (x * 20000).astype(np.int16))
