"""Connected digit strings from isolated recordings: a real CTC task built from the FSDD.

Each string is ``k`` recordings (``min_digits <= k <= max_digits``) of one speaker, cut at their
edges' silence, joined by random gaps (one before, between and after the parts), mixed with
background noise at a random signal-to-noise ratio and normalised to a fixed peak:

    gap_0 | part_1 | gap_1 | part_2 | ... | part_k | gap_k          (+ noise over the whole)

    SNR (dB) = 10 log10(P_speech / P_noise), P_speech the mean power over the parts only

The noise is white or pink (1/f power, shaped in the frequency domain) or, when ``backgrounds``
are given, a random excerpt of a real recording (looped when short). The folder gets 16-bit WAVs
and ``transcripts.tsv`` (``file<TAB>three one four``), so :func:`read_transcripts` reads it back;
it is written beside its final place and renamed into it, so a crash leaves no half-written folder.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.io import wavfile

from seqlab.speech.audio import MAX_RATE, MIN_RATE, read_wav, trim_silence
from seqlab.speech.data import Utterance

__all__ = ["NOISE_COLORS", "build_digit_strings", "coloured_noise"]

logger = logging.getLogger(__name__)

NOISE_COLORS = ("white", "pink", "mixed")  # "mixed": each string draws white or pink
TRANSCRIPTS = "transcripts.tsv"
PEAK = 10 ** (-3 / 20)  # the written strings peak at -3 dBFS


def build_digit_strings(
    utterances: Sequence[Utterance],
    out_dir: str | os.PathLike[str],
    *,
    n: int,
    min_digits: int = 3,
    max_digits: int = 7,
    sample_rate: int = 8000,
    gap_seconds: tuple[float, float] = (0.05, 0.4),
    noise_db: tuple[float, float] | None = (10.0, 30.0),
    noise_color: str = "mixed",
    backgrounds: Sequence[str | os.PathLike[str]] | None = None,
    trim_db: float | None = 30.0,
    same_speaker: bool = True,
    overwrite: bool = False,
    seed: int = 0,
) -> list[Utterance]:
    """Write ``n`` connected strings of ``utterances`` into ``out_dir``.

    Args:
        utterances: isolated recordings, each ``text`` one word (e.g. FSDD's "seven").
        out_dir: the folder to create: ``00000.wav``... and ``transcripts.tsv``.
        n: strings to write.
        min_digits, max_digits: recordings per string, drawn uniformly in this range.
        sample_rate: every recording is read (resampled) at this rate (Hz); WAVs are written at it.
        gap_seconds: (low, high) of the uniform gap before, between and after the recordings.
        noise_db: (low, high) of the uniform SNR in dB; None writes no noise.
        noise_color: "white", "pink" or "mixed" (ignored when ``backgrounds`` are given).
        backgrounds: WAV files of real background noise to cut excerpts from instead.
        trim_db: cut each recording's leading and trailing 10 ms frames quieter than its loudest
            frame by more than this (keeping 20 ms of margin); None keeps them whole.
        same_speaker: all recordings of a string come from one speaker (when speakers are set).
        overwrite: replace an existing ``out_dir`` (else it is an error).
        seed: the same seed and inputs give the same bytes.

    Returns:
        The strings as :class:`Utterance` (path in ``out_dir``, space-separated words, speaker).

    Raises:
        ValueError: no utterances, a bad range or count, an unknown noise colour, ``out_dir``
            exists and ``overwrite`` is False, or an unreadable recording (named).
    """
    _check_args(utterances, n, min_digits, max_digits, sample_rate, gap_seconds, noise_db,
                noise_color, trim_db)  # fmt: skip
    out_dir = Path(out_dir)
    if out_dir.exists() and not overwrite:
        raise ValueError(f"{out_dir} already exists (pass overwrite=True to replace it)")
    rng = np.random.default_rng(seed)
    pools = _pools(utterances, same_speaker)
    audio: dict[Path, np.ndarray] = {}  # each recording is read (and trimmed) once
    noises = [read_wav(p, sample_rate=sample_rate)[0] for p in backgrounds or []]
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.", suffix=".tmp"))
    try:
        lines, out = [], []
        for i in range(n):
            speaker = list(pools)[rng.integers(len(pools))]
            pool = pools[speaker]
            k = int(rng.integers(min_digits, max_digits + 1))
            chosen = [pool[j] for j in rng.integers(len(pool), size=k)]
            parts = [_part(u.path, audio, sample_rate, trim_db) for u in chosen]
            x = _mix(parts, rng, sample_rate, gap_seconds, noise_db, noise_color, noises)
            name = f"{i:05d}.wav"
            wavfile.write(tmp / name, sample_rate, np.round(x * 32767).astype(np.int16))
            text = " ".join(u.text for u in chosen)
            lines.append(f"{name}\t{text}\n")
            out.append(Utterance(out_dir / name, text, speaker))
        (tmp / TRANSCRIPTS).write_text("".join(lines), encoding="utf-8")
        os.chmod(tmp, 0o755)  # mkdtemp makes it private to the user
        _move_into_place(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("wrote %d strings of %d-%d recordings to %s", n, min_digits, max_digits, out_dir)
    return out


def _check_args(utterances, n, min_digits, max_digits, sample_rate, gap_seconds, noise_db,
                noise_color, trim_db) -> None:  # fmt: skip
    if not utterances:
        raise ValueError("no utterances to build strings from")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if not 1 <= min_digits <= max_digits:
        raise ValueError(f"need 1 <= min_digits <= max_digits, got {min_digits} and {max_digits}")
    if not MIN_RATE <= sample_rate <= MAX_RATE:
        raise ValueError(f"sample_rate must be in {MIN_RATE}-{MAX_RATE} Hz, got {sample_rate}")
    low, high = gap_seconds
    if not 0 <= low <= high:
        raise ValueError(f"gap_seconds must be (low, high), 0 <= low <= high, got {gap_seconds}")
    if noise_db is not None and not noise_db[0] <= noise_db[1]:
        raise ValueError(f"noise_db must be (low, high) with low <= high, got {noise_db}")
    if noise_color not in NOISE_COLORS:
        raise ValueError(f"noise_color must be one of {NOISE_COLORS}, got {noise_color!r}")
    if trim_db is not None and trim_db <= 0:
        raise ValueError(f"trim_db must be positive (or None), got {trim_db}")
    bad = [u.text for u in utterances if len(u.text.split()) != 1]
    if bad:
        raise ValueError(f"each utterance must say one word, got {bad[0]!r}")


def _pools(utterances: Sequence[Utterance], same_speaker: bool) -> dict[str, list[Utterance]]:
    """Speaker -> recordings (one pool ``""`` when strings may mix speakers)."""
    pools: dict[str, list[Utterance]] = {}
    for u in utterances:
        pools.setdefault(u.speaker if same_speaker else "", []).append(u)
    # the draws must not depend on the order the recordings came in
    return {k: sorted(v, key=lambda u: (str(u.path), u.text)) for k, v in sorted(pools.items())}


def _part(path: Path, cache: dict, sample_rate: int, trim_db: float | None) -> np.ndarray:
    """One recording, trimmed, at unit power over its samples: float64 (N,)."""
    if path not in cache:
        x = read_wav(path, sample_rate=sample_rate)[0].astype(np.float64)
        if trim_db is not None:
            x = trim_silence(x, sample_rate, top_db=trim_db, margin=0.02)
        power = float(np.mean(x**2))
        if power == 0.0:
            raise ValueError(f"{path}: silent recording")
        cache[path] = x / np.sqrt(power)  # equal loudness for every part of a string
    return cache[path]


def _mix(parts, rng, sample_rate, gap_seconds, noise_db, noise_color, noises) -> np.ndarray:
    """gap | part | gap | ... | part | gap, plus noise, scaled to PEAK: float64 (N,)."""
    gaps = [int(round(rng.uniform(*gap_seconds) * sample_rate)) for _ in range(len(parts) + 1)]
    pieces = [np.zeros(gaps[0])]
    for part, gap in zip(parts, gaps[1:]):
        pieces += [part, np.zeros(gap)]
    x = np.concatenate(pieces)
    if noise_db is not None:
        snr = rng.uniform(*noise_db)
        if noises:
            noise = _excerpt(noises[rng.integers(len(noises))], len(x), rng)
        else:
            color = noise_color if noise_color != "mixed" else ("white", "pink")[rng.integers(2)]
            noise = coloured_noise(len(x), color, rng)
        speech_power = np.mean(np.concatenate(parts) ** 2)
        noise_power = max(float(np.mean(noise**2)), 1e-20)
        x = x + noise * np.sqrt(speech_power / noise_power / 10 ** (snr / 10))
    return x * (PEAK / max(float(np.max(np.abs(x))), 1e-12))


def _excerpt(background: np.ndarray, length: int, rng: np.random.Generator) -> np.ndarray:
    """``length`` samples of ``background`` from a random start, looped when it is shorter."""
    reps = -(-(length + len(background)) // len(background))
    start = int(rng.integers(len(background)))
    return np.tile(background.astype(np.float64), reps)[start : start + length]


def coloured_noise(length: int, color: str, rng: np.random.Generator) -> np.ndarray:
    """White (flat spectrum) or pink (power ~ 1/f) Gaussian noise at unit power: float64 (N,)."""
    white = rng.standard_normal(length)
    if color == "white" or length < 2:
        return white
    if color != "pink":
        raise ValueError(f"noise colour must be 'white' or 'pink', got {color!r}")
    spectrum = np.fft.rfft(white)
    f = np.arange(len(spectrum), dtype=np.float64)
    f[0] = 1.0  # keep the DC bin finite (it carries no power to speak of)
    noise = np.fft.irfft(spectrum / np.sqrt(f), n=length)  # amplitude 1/sqrt(f): power 1/f
    return noise / np.sqrt(np.mean(noise**2))


def _move_into_place(tmp: Path, out_dir: Path) -> None:
    """Rename the finished ``tmp`` folder to ``out_dir``, replacing an old one."""
    if not out_dir.exists():
        os.replace(tmp, out_dir)
        return
    old = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.", suffix=".old"))
    os.replace(out_dir, old / "folder")
    os.replace(tmp, out_dir)
    shutil.rmtree(old, ignore_errors=True)
