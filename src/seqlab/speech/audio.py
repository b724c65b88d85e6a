"""WAV files in, float waveforms out: mono or stereo, 8-48 kHz, 8/16/24/32-bit PCM or float.

``read_wav`` returns float32 samples in [-1, 1] (integer PCM divided by its full scale), mixed down
to mono by averaging the channels unless ``mono=False``, and resampled with a polyphase filter
(``scipy.signal.resample_poly``) when ``sample_rate`` asks for another rate. Every way a file can
be wrong gets a ValueError that names the file: missing, empty, not RIFF/WAVE, truncated, an
unsupported sample format, a rate outside 8-48 kHz, no samples. ``is_silent`` tells silence-only
audio apart (the caller decides whether that is an error).
"""

from __future__ import annotations

import math
import os
import struct
import warnings
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np

__all__ = [
    "MAX_RATE",
    "MIN_RATE",
    "change_speed",
    "is_silent",
    "read_wav",
    "resample",
    "trim_silence",
]

MIN_RATE, MAX_RATE = 8000, 48000


def read_wav(
    path: str | os.PathLike[str], *, sample_rate: int | None = None, mono: bool = True
) -> tuple[np.ndarray, int]:
    """Read a WAV file.

    Args:
        path: the file.
        sample_rate: resample to this rate (Hz); None keeps the file's rate.
        mono: average the channels into one.

    Returns:
        ``(samples, rate)``: float32 (N,) if mono, else (channels, N); the rate in Hz.

    Raises:
        ValueError: see the module docstring.
    """
    from scipy.io import wavfile

    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path}: no such file")
    if path.is_dir():
        raise ValueError(f"{path}: is a folder, not a WAV file")
    size = path.stat().st_size
    if size == 0:
        raise ValueError(f"{path}: empty file (0 bytes)")
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] not in (b"RIFF", b"RIFX") or head[8:12] != b"WAVE":
            raise ValueError(f"{path}: not a WAV file (no RIFF/WAVE header)")
        order = "big" if head[:4] == b"RIFX" else "little"
        # scipy reads chunks only as far as the RIFF header's size says: so does the walk
        riff_end = min(size, int.from_bytes(head[4:8], order) + 8)
        problem = _chunk_problem(f, riff_end, order)
    if problem:
        raise ValueError(f"{path}: unreadable WAV ({problem})")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            rate, data = wavfile.read(path)
    except (ValueError, EOFError, struct.error, OverflowError) as e:
        raise ValueError(f"{path}: unreadable WAV ({_reason(e)})") from e
    for w in caught:  # scipy only warns on a truncated data chunk (and on chunks it skips)
        if "prematurely" in str(w.message) or "truncat" in str(w.message).lower():
            raise ValueError(f"{path}: unreadable WAV ({_reason(w.message)})")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise ValueError(f"{path}: sample rate {rate} Hz is outside {MIN_RATE}-{MAX_RATE} Hz")
    samples = _to_float(data, path)
    if samples.shape[-1] == 0:
        raise ValueError(f"{path}: holds no samples")
    if mono and samples.ndim == 2:
        samples = samples.mean(axis=0)
    if sample_rate is not None and sample_rate != rate:
        samples, rate = resample(samples, rate, sample_rate), sample_rate
    return samples.astype(np.float32), int(rate)


def _chunk_problem(f: BinaryIO, size: int, order: Literal["little", "big"]) -> str | None:
    """Walk the RIFF chunks after the 12-byte header; what is wrong with them, or None.

    Every declared chunk size is checked against the bytes the file has before a reader trusts
    it, so a header that promises more than the file holds is an error, never an allocation.
    """
    pos, fmt, data = 12, None, False
    while pos + 8 <= size:
        f.seek(pos)
        head = f.read(8)
        chunk, length = head[:4], int.from_bytes(head[4:], order)
        if chunk == b"fmt ":
            if length < 16 or pos + 8 + length > size:
                return f"a format chunk of {length} bytes, {size - pos - 8} in the file"
            fmt = f.read(16)
        elif chunk == b"data":
            if fmt is None:
                return "the data chunk comes before the format chunk"
            if pos + 8 + length > size:
                return f"truncated: the data chunk declares {length} bytes, {size - pos - 8} follow"
            data = True
        pos += 8 + length + (length & 1)
    if fmt is None:
        return "no format chunk"
    channels = int.from_bytes(fmt[2:4], order)
    bits = int.from_bytes(fmt[14:16], order)
    if not 1 <= channels <= 64 or bits not in (8, 16, 24, 32, 64):
        return f"{channels} channels of {bits} bits"
    return None if data else "no data chunk"


def _reason(e: BaseException | Warning) -> str:
    text = " ".join(str(e).split())
    return "truncated: the data chunk ends early" if "prematurely" in text else text


def _to_float(data: np.ndarray, path: Path) -> np.ndarray:
    """(N,) or (N, channels) in the file's dtype -> float32 (N,) or (channels, N) in [-1, 1]."""
    if data.dtype == np.uint8:  # 8-bit PCM is unsigned, centred on 128
        x = (data.astype(np.float32) - 128.0) / 128.0
    elif data.dtype in (np.int16, np.int32):
        x = data.astype(np.float32) / float(-np.iinfo(data.dtype).min)
    elif data.dtype in (np.float32, np.float64):
        x = data.astype(np.float32)
        if not np.isfinite(x).all():
            raise ValueError(f"{path}: float samples hold NaN or infinity")
    else:
        raise ValueError(f"{path}: unsupported sample format {data.dtype}")
    return x.T if x.ndim == 2 else x


def resample(samples: np.ndarray, rate: int, new_rate: int) -> np.ndarray:
    """Polyphase resampling along the last axis (scipy's resample_poly, Kaiser window)."""
    from scipy.signal import resample_poly

    if not MIN_RATE <= new_rate <= MAX_RATE:
        raise ValueError(f"sample_rate must be in {MIN_RATE}-{MAX_RATE} Hz, got {new_rate}")
    g = math.gcd(int(rate), int(new_rate))
    return resample_poly(samples, new_rate // g, rate // g, axis=-1).astype(np.float32)


def change_speed(samples: np.ndarray, speed: float) -> np.ndarray:
    """The waveform played ``speed`` times as fast at the same rate: pitch and tempo both scale
    by ``speed`` (the speed perturbation of Ko et al. 2015, "Audio augmentation for speech
    recognition").

    Polyphase resampling by the nearest fraction with a denominator of at most 100 (0.9 -> 9/10:
    up 10, down 9): float (N,) -> float32 (about N / speed,).
    """
    from scipy.signal import resample_poly

    if speed <= 0:
        raise ValueError(f"speed must be positive, got {speed}")
    ratio = Fraction(speed).limit_denominator(100)
    if ratio == 1:
        return np.asarray(samples, dtype=np.float32)
    return resample_poly(samples, ratio.denominator, ratio.numerator, axis=-1).astype(np.float32)


def is_silent(samples: np.ndarray, *, threshold_db: float = -60.0) -> bool:
    """True when the waveform's peak is below ``threshold_db`` dB of full scale (or all zero)."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    return peak == 0.0 or 20.0 * math.log10(peak) < threshold_db


def trim_silence(
    samples: np.ndarray,
    rate: int,
    *,
    top_db: float = 35.0,
    margin: float = 0.0,
    min_burst: float = 0.0,
    min_gap: float = 0.1,
) -> np.ndarray:
    """Cut the quiet before and after a word (and, optionally, a click before or after it).

    10 ms frames more than ``top_db`` below the loudest frame's power are quiet. Loud frames
    closer than ``min_gap`` seconds form one stretch; with ``min_burst`` > 0, stretches shorter
    than ``min_burst`` seconds at the edges (a microphone click cut off from the word by quiet)
    are dropped too, when a longer one is left. ``margin`` seconds are kept on each side.

    Returns:
        A view of ``samples`` (unchanged when it is all zero).
    """
    hop = max(1, rate // 100)
    n = -(-len(samples) // hop)
    padded = np.zeros(n * hop)
    padded[: len(samples)] = samples
    power = np.mean(padded.reshape(n, hop) ** 2, axis=1)  # (n,)
    if n == 0 or power.max() == 0.0:
        return samples
    loud = np.flatnonzero(power >= power.max() * 10 ** (-top_db / 10))
    groups = [[loud[0], loud[0]]]  # [first, last] frame of each loud stretch
    for f in loud[1:]:
        if (f - groups[-1][1] - 1) * hop < min_gap * rate:
            groups[-1][1] = f
        else:
            groups.append([f, f])
    long = [g for g in groups if (g[1] - g[0] + 1) * hop >= min_burst * rate]
    keep = long or groups
    pad = int(round(margin * rate))
    start = max(0, keep[0][0] * hop - pad)
    return samples[start : min(len(samples), (keep[-1][1] + 1) * hop + pad)]
