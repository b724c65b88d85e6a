"""Sampling new pieces, and piano rolls through MIDI files and back."""

import numpy as np
import pytest

from seqlab.music import MusicConfig, PianoRollRNN, read_chorales, read_midi, sample, write_midi


@pytest.fixture
def model():
    return PianoRollRNN(MusicConfig(cell="gru", hidden_size=8))


def test_sample_shape_prime_and_seed(model, chorales_path):
    prime = read_chorales(chorales_path)["test"][0][:3]
    roll = sample(model, 12, prime=prime, seed=3)
    assert roll.shape == (15, 88) and roll.dtype == np.uint8
    assert np.array_equal(roll[:3], prime)
    assert np.array_equal(roll, sample(model, 12, prime=prime, seed=3))
    assert set(np.unique(roll)) <= {0, 1}
    assert sample(model, 5, seed=0).shape == (5, 88)


def test_low_temperature_follows_the_probabilities(model):
    import torch

    with torch.no_grad():
        model.out.bias.fill_(-50.0)  # every key almost surely silent
    assert sample(model, 20, seed=0, temperature=0.5).sum() == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_steps": 0}, "n_steps"),
        ({"temperature": 0.0}, "temperature"),
        ({"prime": np.zeros((3, 87))}, "prime"),
    ],
)
def test_sample_rejects_bad_arguments(model, kwargs, match):
    args = {"n_steps": 4, **kwargs}
    with pytest.raises(ValueError, match=match):
        sample(model, args.pop("n_steps"), **args)


def test_sampled_piece_round_trips_through_midi(model, tmp_path):
    roll = sample(model, 40, seed=7)
    assert roll.sum() > 0
    path = write_midi(roll, tmp_path / "piece.mid", tempo=90)
    assert np.array_equal(read_midi(path), roll)


def test_fixture_rolls_round_trip_with_rests_and_held_notes(chorales_path, tmp_path):
    for i, roll in enumerate(read_chorales(chorales_path)["train"]):
        # a leading and a trailing rest, and a key held over several steps
        roll = np.vstack([np.zeros((1, 88), np.uint8), roll, np.zeros((2, 88), np.uint8)])
        path = write_midi(roll, tmp_path / f"{i}.mid")
        assert np.array_equal(read_midi(path), roll)


def test_midi_errors(tmp_path):
    with pytest.raises(ValueError, match="shape"):
        write_midi(np.zeros((4, 12)), tmp_path / "x.mid")
    assert not (tmp_path / "x.mid").exists()
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"not midi at all")
    with pytest.raises(ValueError, match="bad.mid"):
        read_midi(bad)
