"""Audio features for the recognisers: power spectrogram, log-mel spectrogram and MFCC, in torch.

The notes feed a spectrogram (trigger words) or frame features (CTC) to the network. These are
librosa's definitions, computed batched with ``torch.stft`` so they run on the model's device:

- power spectrogram |STFT|^2 with a periodic Hann window of ``win_length`` centred in ``n_fft``,
  frames centred on t * hop (the signal zero-padded by n_fft // 2 at both ends);
- mel filterbank of Slaney's Auditory Toolbox (librosa's default, ``htk=False, norm="slaney"``):
  triangles equally spaced on the mel scale (linear below 1 kHz, logarithmic above), each
  scaled to unit area (2 / bandwidth in Hz);
- log-mel in dB, 10 log10(max(mel, amin)), floored at (its maximum - top_db) per example, as
  ``librosa.power_to_db(ref=1.0)``;
- MFCC = the orthonormal DCT-II of the log-mel over the mel axis, the first ``n_mfcc`` rows.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor

from seqlab.speech.config import FeatureConfig

__all__ = [
    "FeatureConfig",
    "dct_matrix",
    "log_mel_spectrogram",
    "mel_filterbank",
    "mfcc",
    "power_spectrogram",
]


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: 3 f / 200 below 1 kHz, then 27 / ln 6.4 mels per e-fold of frequency."""
    f = np.asarray(f, dtype=np.float64)
    linear = 3.0 * f / 200.0
    log_part = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (math.log(6.4) / 27.0)
    return np.where(f >= 1000.0, log_part, linear)


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    linear = 200.0 * m / 3.0
    log_part = 1000.0 * np.exp((math.log(6.4) / 27.0) * (m - 15.0))
    return np.where(m >= 15.0, log_part, linear)


def mel_filterbank(config: FeatureConfig) -> np.ndarray:
    """The (n_mels, n_fft // 2 + 1) float64 matrix that turns a power spectrum into mel bands."""
    f_max = config.sample_rate / 2 if config.f_max is None else config.f_max
    fft_freqs = np.linspace(0.0, config.sample_rate / 2, config.n_fft // 2 + 1)
    mels = np.linspace(_hz_to_mel(config.f_min), _hz_to_mel(f_max), config.n_mels + 2)
    edges = _mel_to_hz(mels)  # (n_mels + 2,) band edges in Hz
    widths = np.diff(edges)
    ramps = edges[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]  # rising side of each triangle
    upper = ramps[2:] / widths[1:, None]  # falling side
    weights = np.maximum(0.0, np.minimum(lower, upper))
    return weights * (2.0 / (edges[2:] - edges[:-2]))[:, None]  # unit area (Slaney)


def dct_matrix(n_out: int, n_in: int) -> np.ndarray:
    """The orthonormal DCT-II, (n_out, n_in).

    Row k is sqrt(2/N) cos(pi k (n + 1/2) / N) over n, row 0 divided by sqrt(2).
    """
    n = np.arange(n_in)
    k = np.arange(n_out)[:, None]
    basis = np.sqrt(2.0 / n_in) * np.cos(np.pi * k * (n + 0.5) / n_in)
    basis[0] /= math.sqrt(2.0)
    return basis


def power_spectrogram(wave: Tensor, config: FeatureConfig) -> Tensor:
    """|STFT|^2 of waveforms (B, N) or (N,) -> (B, n_fft // 2 + 1, T), T = 1 + N // hop."""
    batch = wave.unsqueeze(0) if wave.dim() == 1 else wave
    if batch.dim() != 2:
        raise ValueError(f"wave must be (N,) or (B, N), got shape {tuple(wave.shape)}")
    if not torch.isfinite(batch).all():
        raise ValueError("wave holds NaN or infinite samples")
    window = torch.hann_window(config.win_length, periodic=True, dtype=batch.dtype,
                               device=batch.device)  # fmt: skip
    spec = torch.stft(batch, config.n_fft, hop_length=config.hop_length,
                      win_length=config.win_length, window=window, center=True,
                      pad_mode="constant", return_complex=True)  # fmt: skip
    return spec.real**2 + spec.imag**2  # (B, F, T)


def log_mel_spectrogram(wave: Tensor, config: FeatureConfig) -> Tensor:
    """Log-mel spectrogram in dB of waveforms (B, N) or (N,) -> (B, n_mels, T)."""
    power = power_spectrogram(wave, config)  # (B, F, T)
    fbank = torch.as_tensor(mel_filterbank(config), dtype=power.dtype, device=power.device)
    mel = torch.einsum("mf,bft->bmt", fbank, power)  # (B, n_mels, T)
    db = 10.0 * torch.log10(torch.clamp(mel, min=config.amin))
    if config.top_db is not None:
        floor = db.amax(dim=(1, 2), keepdim=True) - config.top_db  # (B, 1, 1)
        db = torch.maximum(db, floor)
    return db


def mfcc(wave: Tensor, config: FeatureConfig) -> Tensor:
    """MFCC of waveforms (B, N) or (N,) -> (B, n_mfcc, T)."""
    db = log_mel_spectrogram(wave, config)  # (B, n_mels, T)
    dct = torch.as_tensor(dct_matrix(config.n_mfcc, config.n_mels), dtype=db.dtype,
                          device=db.device)  # fmt: skip
    return torch.einsum("km,bmt->bkt", dct, db)
