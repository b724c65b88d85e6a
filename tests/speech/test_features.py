"""seqlab.speech.features against librosa on the same waveforms (float64)."""

import numpy as np
import pytest
import torch

from seqlab.speech.features import (
    FeatureConfig,
    dct_matrix,
    log_mel_spectrogram,
    mel_filterbank,
    mfcc,
    power_spectrogram,
)

librosa = pytest.importorskip("librosa")

CONFIGS = [
    FeatureConfig(),
    FeatureConfig(
        sample_rate=8000,
        n_fft=256,
        win_length=200,
        hop_length=80,
        n_mels=32,
        f_min=20.0,
        f_max=3800.0,
        n_mfcc=20,
    ),  # fmt: skip
    FeatureConfig(
        sample_rate=22050, n_fft=1024, win_length=1024, hop_length=256, n_mels=64, top_db=None
    ),  # fmt: skip
]


def _wave(sr, seconds=0.7, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    chirp = np.sin(2 * np.pi * (200 + 1500 * t) * t)
    return 0.5 * chirp + 0.05 * rng.normal(size=t.shape)


@pytest.mark.parametrize("cfg", CONFIGS)
def test_filterbank_equals_librosa(cfg):
    theirs = librosa.filters.mel(sr=cfg.sample_rate, n_fft=cfg.n_fft, n_mels=cfg.n_mels,
                                 fmin=cfg.f_min, fmax=cfg.f_max)  # fmt: skip
    np.testing.assert_allclose(mel_filterbank(cfg), theirs, rtol=1e-5, atol=1e-8)


@pytest.mark.slow  # 35 s the first time: librosa compiles its numba code (then cached, ~2 s)
@pytest.mark.parametrize("cfg", CONFIGS)
def test_spectrograms_equal_librosa(cfg):
    y = _wave(cfg.sample_rate)
    kwargs = dict(sr=cfg.sample_rate, n_fft=cfg.n_fft, hop_length=cfg.hop_length,
                  win_length=cfg.win_length, n_mels=cfg.n_mels, fmin=cfg.f_min, fmax=cfg.f_max,
                  center=True, pad_mode="constant")  # fmt: skip
    wave = torch.tensor(y)
    power = power_spectrogram(wave, cfg)[0].numpy()
    stft = librosa.stft(y, n_fft=cfg.n_fft, hop_length=cfg.hop_length, win_length=cfg.win_length,
                        center=True, pad_mode="constant")  # fmt: skip
    np.testing.assert_allclose(power, np.abs(stft) ** 2, rtol=1e-6, atol=1e-9)
    mel = librosa.feature.melspectrogram(y=y, power=2.0, **kwargs)
    db = librosa.power_to_db(mel, ref=1.0, amin=cfg.amin, top_db=cfg.top_db)
    np.testing.assert_allclose(log_mel_spectrogram(wave, cfg)[0].numpy(), db, atol=1e-6)
    theirs = librosa.feature.mfcc(S=db, n_mfcc=cfg.n_mfcc, dct_type=2, norm="ortho")
    np.testing.assert_allclose(mfcc(wave, cfg)[0].numpy(), theirs, atol=1e-5)


def test_batched_equals_one_by_one():
    cfg = FeatureConfig(sample_rate=8000, n_fft=256, win_length=200, hop_length=80)
    waves = torch.tensor(np.stack([_wave(8000, seed=s) for s in range(3)]))
    batch = mfcc(waves, cfg)
    assert batch.shape == (3, cfg.n_mfcc, 1 + waves.shape[1] // cfg.hop_length)
    for i in range(3):
        torch.testing.assert_close(batch[i], mfcc(waves[i], cfg)[0])


def test_dct_is_orthonormal():
    d = dct_matrix(12, 12)
    np.testing.assert_allclose(d @ d.T, np.eye(12), atol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"win_length": 600}, "win_length"),
        ({"n_mfcc": 50}, "n_mfcc"),
        ({"f_max": 9000.0}, "f_max"),
        ({"sample_rate": 100}, "sample_rate"),
        ({"hop_length": 0}, "hop_length"),
    ],
)
def test_config_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FeatureConfig(**kwargs)


def test_bad_waves():
    cfg = FeatureConfig()
    with pytest.raises(ValueError, match="shape"):
        mfcc(torch.zeros(2, 3, 400), cfg)
    with pytest.raises(ValueError, match="NaN"):
        mfcc(torch.full((800,), float("nan")), cfg)
