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


def write_folder(root, n: int, seed: int) -> list[tuple[str, str]]:
    """Write ``n`` toy utterances ``u{i}.wav`` of 1-3 letters and their ``transcripts.tsv``;
    returns the (file name, text) pairs."""
    rng = np.random.default_rng(seed)
    pairs = []
    for i in range(n):
        text = "".join(rng.choice(["a", "b"], size=int(rng.integers(1, 4))))
        say(root / f"u{i}.wav", text, rng)
        pairs.append((f"u{i}.wav", text))
    (root / "transcripts.tsv").write_text("".join(f"{f}\t{t}\n" for f, t in pairs))
    return pairs
