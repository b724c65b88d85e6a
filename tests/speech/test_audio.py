"""seqlab.speech.audio: formats, downmix, resampling and every bad file (against soundfile)."""

import numpy as np
import pytest
from scipy.io import wavfile

from seqlab.speech.audio import change_speed, is_silent, read_wav, resample

soundfile = pytest.importorskip("soundfile")


def _tone(rate, seconds=0.25, freq=440.0):
    t = np.arange(int(rate * seconds)) / rate
    return 0.5 * np.sin(2 * np.pi * freq * t)


@pytest.mark.parametrize("rate", [8000, 16000, 44100, 48000])
@pytest.mark.parametrize(("dtype", "subtype"), [(np.int16, "PCM_16"), (np.float32, "FLOAT"),
                                                (np.int32, "PCM_32")])  # fmt: skip
def test_formats_equal_soundfile(tmp_path, rate, dtype, subtype):
    x = _tone(rate)
    path = tmp_path / "a.wav"
    soundfile.write(path, x, rate, subtype=subtype)
    ours, got_rate = read_wav(path)
    theirs, their_rate = soundfile.read(path, dtype="float32")
    assert got_rate == their_rate == rate and ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, atol=1e-7)
    np.testing.assert_allclose(ours, x, atol=1e-4)


def test_8_bit_unsigned(tmp_path):
    x = _tone(8000)
    path = tmp_path / "u8.wav"
    wavfile.write(path, 8000, np.round(x * 127 + 128).astype(np.uint8))
    ours, _ = read_wav(path)
    np.testing.assert_allclose(ours, x, atol=1 / 127)


def test_stereo_downmix_and_channels(tmp_path):
    left, right = _tone(16000, freq=300), _tone(16000, freq=500)
    path = tmp_path / "s.wav"
    soundfile.write(path, np.stack([left, right], axis=1), 16000, subtype="FLOAT")
    both, _ = read_wav(path, mono=False)
    assert both.shape == (2, len(left))
    mono, _ = read_wav(path)
    np.testing.assert_allclose(mono, (left + right) / 2, atol=1e-6)


def test_resampling_keeps_the_pitch(tmp_path):
    path = tmp_path / "t.wav"
    soundfile.write(path, _tone(8000, seconds=1.0, freq=440.0), 8000, subtype="PCM_16")
    y, rate = read_wav(path, sample_rate=16000)
    assert rate == 16000 and len(y) == 16000
    spectrum = np.abs(np.fft.rfft(y))
    assert np.argmax(spectrum) * rate / len(y) == pytest.approx(440.0, abs=2.0)
    assert resample(np.zeros(800, np.float32), 8000, 8000).shape == (800,)


@pytest.mark.parametrize("speed", [0.9, 1.1, 0.95])
def test_change_speed_scales_pitch_and_length(speed):
    # a 300 Hz tone played speed x as fast is, away from the filter's edges, the tone of
    # 300 * speed Hz sampled at the same rate: the analytic signal is the reference
    rate, n = 8000, 8000
    x = 0.5 * np.sin(2 * np.pi * 300.0 * np.arange(n) / rate)
    y = change_speed(x, speed)
    assert y.dtype == np.float32 and len(y) == pytest.approx(n / speed, abs=1)
    expected = 0.5 * np.sin(2 * np.pi * 300.0 * speed * np.arange(len(y)) / rate)
    np.testing.assert_allclose(y[200:-200], expected[200:-200], atol=2e-3)
    np.testing.assert_array_equal(change_speed(x, 1.0), x.astype(np.float32))  # speed 1: as is
    with pytest.raises(ValueError, match="positive"):
        change_speed(x, 0.0)


def test_silence():
    assert is_silent(np.zeros(100)) and is_silent(np.full(100, 1e-4))
    assert not is_silent(_tone(8000))


def test_bad_files(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        read_wav(tmp_path / "nope.wav")
    with pytest.raises(ValueError, match="is a folder"):
        read_wav(tmp_path)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty.wav: empty file"):
        read_wav(empty)
    text = tmp_path / "text.wav"
    text.write_text("hello, this is not audio at all")
    with pytest.raises(ValueError, match="text.wav: not a WAV file"):
        read_wav(text)
    good = tmp_path / "good.wav"
    soundfile.write(good, _tone(16000), 16000, subtype="PCM_16")
    cut = tmp_path / "cut.wav"
    cut.write_bytes(good.read_bytes()[:-3001])
    with pytest.raises(ValueError, match="cut.wav: unreadable WAV"):
        read_wav(cut)
    slow = tmp_path / "slow.wav"
    soundfile.write(slow, _tone(4000), 4000, subtype="PCM_16")
    with pytest.raises(ValueError, match="4000 Hz is outside"):
        read_wav(slow)
    nothing = tmp_path / "nothing.wav"
    wavfile.write(nothing, 16000, np.zeros(0, np.int16))
    with pytest.raises(ValueError, match="no samples"):
        read_wav(nothing)
    with pytest.raises(ValueError, match="sample_rate must be"):
        read_wav(good, sample_rate=96000)
