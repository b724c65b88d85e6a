"""seqlab.speech.strings: connected digit strings built from isolated recordings."""

import numpy as np
import pytest
from scipy.io import wavfile

from seqlab.speech.audio import read_wav, trim_silence
from seqlab.speech.data import Utterance, read_transcripts
from seqlab.speech.strings import build_digit_strings, coloured_noise

RATE = 8000
LENGTHS = {"zero": 800, "one": 1200, "two": 1600}  # a distinct length per word: parts add up


def _recordings(folder, speakers=("ann", "bob")) -> list[Utterance]:
    """A loud tone with no silence per word and speaker (trimming keeps it whole)."""
    folder.mkdir()
    out = []
    for s, speaker in enumerate(speakers):
        for w, (word, n) in enumerate(LENGTHS.items()):
            path = folder / f"{word}_{speaker}.wav"
            t = np.arange(n) / RATE
            x = 0.5 * np.sin(2 * np.pi * (300 + 100 * w + 50 * s) * t)
            wavfile.write(path, RATE, np.round(x * 32767).astype(np.int16))
            out.append(Utterance(path, word, speaker))
    return out


def test_transcripts_digit_counts_and_folder(tmp_path):
    utts = _recordings(tmp_path / "rec")
    out = build_digit_strings(utts, tmp_path / "strings", n=20, min_digits=2, max_digits=4)
    assert len(out) == 20 and len({u.path for u in out}) == 20
    assert {len(u.text.split()) for u in out} <= {2, 3, 4}
    assert len({len(u.text.split()) for u in out}) > 1  # the count varies
    assert all(w in LENGTHS for u in out for w in u.text.split())
    assert read_transcripts(tmp_path / "strings") == [Utterance(u.path, u.text) for u in out]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folder left


def test_one_speaker_per_string(tmp_path):
    utts = _recordings(tmp_path / "rec")
    for u in build_digit_strings(utts, tmp_path / "strings", n=10):
        assert u.speaker in ("ann", "bob")
    # mixing speakers: the string's speaker is unknown
    mixed = build_digit_strings(utts, tmp_path / "mixed", n=3, same_speaker=False)
    assert {u.speaker for u in mixed} == {""}


@pytest.mark.parametrize("noise_db", [None, (20.0, 20.0)])
def test_length_is_parts_plus_gaps(tmp_path, noise_db):
    utts = _recordings(tmp_path / "rec")
    gap = 0.1
    out = build_digit_strings(utts, tmp_path / "strings", n=8, gap_seconds=(gap, gap),
                              noise_db=noise_db)  # fmt: skip
    for u in out:
        words = u.text.split()
        x, rate = read_wav(u.path)
        expected = sum(LENGTHS[w] for w in words) + (len(words) + 1) * int(gap * RATE)
        assert rate == RATE and len(x) == expected


def test_silence_gaps_and_level_without_noise(tmp_path):
    utts = _recordings(tmp_path / "rec")
    (u,) = build_digit_strings(utts, tmp_path / "s", n=1, gap_seconds=(0.1, 0.1), noise_db=None)
    x, _ = read_wav(u.path)
    lead = int(0.1 * RATE)
    assert not x[:lead].any() and not x[-lead:].any() and x[lead + 1]  # silent gaps
    assert np.max(np.abs(x)) == pytest.approx(10 ** (-3 / 20), abs=1e-3)  # peak at -3 dBFS


def test_noise_at_the_asked_snr(tmp_path):
    utts = _recordings(tmp_path / "rec")
    kw = dict(n=1, gap_seconds=(0.1, 0.1), seed=3)
    (clean,) = build_digit_strings(utts, tmp_path / "clean", noise_db=None, **kw)
    (noisy,) = build_digit_strings(utts, tmp_path / "noisy", noise_db=(10.0, 10.0), **kw)
    assert clean.text == noisy.text  # the noise does not change the draws before it
    x, y = read_wav(clean.path)[0].astype(np.float64), read_wav(noisy.path)[0].astype(np.float64)
    speech = x != 0  # where the parts are (the gaps are exact zeros)
    # undo the peak normalisation: fit y = g x on the speech, the rest is noise
    g = np.dot(x, y) / np.dot(x, x)
    noise = y - g * x
    snr = 10 * np.log10(np.mean((g * x[speech]) ** 2) / np.mean(noise**2))
    assert snr == pytest.approx(10.0, abs=0.5)


def test_same_seed_same_bytes(tmp_path):
    utts = _recordings(tmp_path / "rec")
    a = build_digit_strings(utts, tmp_path / "a", n=5, seed=7)
    build_digit_strings(list(reversed(utts)), tmp_path / "b", n=5, seed=7)  # any input order
    c = build_digit_strings(utts, tmp_path / "c", n=5, seed=8)
    for name in ["transcripts.tsv"] + [u.path.name for u in a]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert [u.text for u in a] != [u.text for u in c]


def test_real_backgrounds(tmp_path):
    utts = _recordings(tmp_path / "rec")
    hum = tmp_path / "hum.wav"  # 16 kHz and short: resampled and looped
    t = np.arange(1600) / 16000
    wavfile.write(hum, 16000, (np.sin(2 * np.pi * 50 * t) * 10000).astype(np.int16))
    out = build_digit_strings(utts, tmp_path / "s", n=2, gap_seconds=(0.1, 0.1),
                              noise_db=(0.0, 0.0), backgrounds=[hum])  # fmt: skip
    x, _ = read_wav(out[0].path)
    assert x[:400].any()  # the leading gap holds the background


def test_overwrite_and_atomic_failure(tmp_path):
    utts = _recordings(tmp_path / "rec")
    build_digit_strings(utts, tmp_path / "s", n=2)
    with pytest.raises(ValueError, match="already exists"):
        build_digit_strings(utts, tmp_path / "s", n=3)
    build_digit_strings(utts, tmp_path / "s", n=3, overwrite=True)
    assert len(read_transcripts(tmp_path / "s")) == 3
    broken = tmp_path / "rec" / "broken.wav"
    broken.write_bytes(b"not a wav")
    with pytest.raises(ValueError, match="broken.wav"):
        build_digit_strings([Utterance(broken, "one")], tmp_path / "t", n=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec", "s"]  # nothing half-written


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"utterances": []}, "no utterances"),
        ({"n": 0}, "n must be at least 1"),
        ({"min_digits": 5, "max_digits": 3}, "min_digits <= max_digits"),
        ({"min_digits": 0}, "min_digits <= max_digits"),
        ({"gap_seconds": (0.3, 0.1)}, "gap_seconds"),
        ({"gap_seconds": (-0.1, 0.1)}, "gap_seconds"),
        ({"noise_db": (30.0, 10.0)}, "noise_db"),
        ({"noise_color": "brown"}, "noise_color"),
        ({"sample_rate": 4000}, "sample_rate"),
        ({"trim_db": 0.0}, "trim_db"),
        ({"utterances": [Utterance("x.wav", "one two")]}, "one word"),
    ],
)
def test_bad_arguments(tmp_path, changes, message):
    kwargs = {"utterances": _recordings(tmp_path / "rec"), "n": 2, **changes}
    with pytest.raises(ValueError, match=message):
        build_digit_strings(kwargs.pop("utterances"), tmp_path / "s", **kwargs)
    assert not (tmp_path / "s").exists()


def test_trim_silence():
    x = np.zeros(4000)
    x[960:1920] = np.sin(np.arange(960) / 3)  # 12 frames of 10 ms
    x[480:960] = 3e-3 * np.sin(np.arange(480))  # -50 dB: silence at 30 dB, sound at 60
    y = trim_silence(x, RATE, top_db=30.0, margin=0.02)
    assert len(y) == 960 + 2 * 160 and y[160] == x[960] and np.shares_memory(y, x)
    assert len(trim_silence(x, RATE, top_db=60.0, margin=0.0)) == 1440
    assert len(trim_silence(np.zeros(100), RATE)) == 100  # all silence: unchanged


def test_coloured_noise_spectra():
    rng = np.random.default_rng(0)
    n = 1 << 16
    for color, slope in (("white", 0.0), ("pink", -1.0)):
        x = coloured_noise(n, color, rng)
        assert np.mean(x**2) == pytest.approx(1.0, rel=0.05)
        power = np.abs(np.fft.rfft(x)) ** 2
        f = np.arange(len(power))
        bands = np.logspace(1, np.log10(len(power) - 1), 12).astype(int)  # log-spaced bands
        means = [power[a:b].mean() for a, b in zip(bands[:-1], bands[1:])]
        centres = [np.sqrt(f[a] * f[b]) for a, b in zip(bands[:-1], bands[1:])]
        fitted = np.polyfit(np.log(centres), np.log(means), 1)[0]  # power ~ f^slope
        assert fitted == pytest.approx(slope, abs=0.15)
    with pytest.raises(ValueError, match="colour"):
        coloured_noise(10, "brown", rng)
