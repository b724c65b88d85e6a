"""seqlab.speech.train: WAV folders to a trained recogniser folder and back (tiny, synthetic)."""

import json

import numpy as np
import pytest
import torch

from seqlab.speech.data import Utterance
from seqlab.speech.model import SPEECH_FILE, CTCConfig
from seqlab.speech.train import (
    SpeechDataConfig,
    features_of,
    load_recognizer,
    train_recognizer,
    transcribe,
)
from seqlab.train import TrainerConfig
from tests.speech._toy import RATE, write_folder


@pytest.fixture(scope="module")
def utterances(tmp_path_factory):
    folder = tmp_path_factory.mktemp("toy")
    return [Utterance(folder / name, text) for name, text in write_folder(folder, 40, seed=0)]


def test_features_are_normalised_log_mel(utterances):
    cfg = SpeechDataConfig().features()
    assert (cfg.win_length, cfg.hop_length, cfg.n_fft) == (200, 80, 256)
    f = features_of(utterances[0].path, cfg)
    assert f.dtype == np.float32 and f.shape[1] == 40
    np.testing.assert_allclose(f.mean(0), 0, atol=1e-4)


def test_train_save_load_transcribe(utterances, tmp_path):
    torch.set_num_threads(1)
    out = tmp_path / "model"
    trained = train_recognizer(
        utterances[:32],
        CTCConfig(conv_channels=32, hidden_size=32, num_layers=1, dropout=0.0),
        SpeechDataConfig(batch_size=8),
        TrainerConfig(lr=1e-2, epochs=25, progress=False),
        out,
        val=utterances[32:],
    )
    assert trained.model.alphabet.chars == "ab"
    record = json.loads((out / SPEECH_FILE).read_text())
    assert record["alphabet"] == "ab" and record["features"]["sample_rate"] == RATE
    model = load_recognizer(out)
    assert model.alphabet.chars == "ab" and model.features == trained.model.features
    texts = transcribe(model, [u.path for u in utterances[32:]])
    right = sum(t == u.text for t, u in zip(texts, utterances[32:]))
    assert right >= 6, list(zip(texts, [u.text for u in utterances[32:]]))
    assert transcribe(model, [utterances[32].path], beam_size=4)[0] == texts[0]


def test_errors(utterances, tmp_path):
    with pytest.raises(ValueError, match="no training utterances"):
        train_recognizer([], CTCConfig(), SpeechDataConfig(), TrainerConfig(), tmp_path / "m")
    with pytest.raises(ValueError, match="does not exist|missing"):
        load_recognizer(tmp_path / "nope")
    with pytest.raises(ValueError, match="hop_ms"):
        SpeechDataConfig(hop_ms=0)


def test_spec_augment_masks_bands_and_stretches_only():
    from seqlab.speech.train import spec_augment

    frames = np.arange(1, 1 + 50 * 8, dtype=np.float32).reshape(50, 8)  # no zeros
    rng = np.random.default_rng(0)
    out = spec_augment(frames, rng, 2, 3, 2, 6)
    assert out.shape == frames.shape and (frames > 0).all()  # a copy: the input is untouched
    zero = out == 0
    cols = zero.all(axis=0)  # whole masked bands
    rows = zero.all(axis=1)  # whole masked frames
    # every zero lies in a masked band or a masked frame; the rest is unchanged
    assert (zero == (cols[None, :] | rows[:, None])).all()
    np.testing.assert_array_equal(out[~zero], frames[~zero])
    assert cols.sum() <= 2 * 3 and rows.sum() <= 2 * min(6, 50 // 5)
    # many draws: the masks do appear, never wider than asked
    widths = [(spec_augment(frames, rng, 1, 3, 0, 1) == 0).all(axis=0).sum() for _ in range(200)]
    assert max(widths) == 3 and min(widths) == 0


def test_training_batches_are_masked_per_epoch_validation_batches_never():
    from seqlab.speech.train import SpeechBatches

    rng = np.random.default_rng(1)
    feats = [rng.normal(size=(int(n), 5)).astype(np.float32) + 10 for n in rng.integers(20, 40, 12)]
    labels = [[1, 2]] * 12
    train = SpeechBatches(feats, labels, 4, shuffle=True, seed=3, masks=(1, 2, 1, 4))
    plain = SpeechBatches(feats, labels, 4, shuffle=False)

    def zeros(batches):
        return sum(int((b["features"][i, : b["lengths"][i]] == 0).sum())
                   for b in batches for i in range(len(b["lengths"])))  # fmt: skip

    assert zeros(plain(0)) == 0
    first, again, other = train(0), train(0), train(1)
    assert zeros(first) > 0
    for a, b in zip(first, again):  # the same epoch, the same masks
        assert torch.equal(a["features"], b["features"])
    assert any(not torch.equal(a["features"], b["features"]) for a, b in zip(first, other))


def test_speed_perturbed_versions_one_per_utterance_each_epoch():
    from seqlab.speech.train import SpeechBatches

    rng = np.random.default_rng(2)
    n = 10
    versions = [[rng.normal(size=(int(t), 3)).astype(np.float32) for t in (20 + i, 18 + i, 22 + i)]
                for i in range(n)]  # fmt: skip
    labels = [[i + 1] for i in range(n)]  # label i + 1 names utterance i
    batches = SpeechBatches([v[0] for v in versions], labels, 4, shuffle=True, seed=5,
                            alternatives=[v[1:] for v in versions])  # fmt: skip

    def chosen(epoch):  # utterance -> the index of the version its batch row holds
        out = {}
        for b in batches(epoch):
            for row in range(len(b["lengths"])):
                i = int(b["targets"][row, 0]) - 1
                x = b["features"][row, : b["lengths"][row]].numpy()
                out[i] = next(k for k, v in enumerate(versions[i]) if np.array_equal(v, x))
        return out

    epochs = [chosen(e) for e in range(8)]
    assert all(sorted(c) == list(range(n)) for c in epochs)  # each utterance once, whole
    assert chosen(3) == epochs[3]  # the same epoch, the same choice
    assert {k for c in epochs for k in c.values()} == {0, 1, 2}
    assert len({tuple(sorted(c.items())) for c in epochs}) > 1
    # with SpecAugment the masks fall on the version chosen: outside the masked bands, the
    # rows are that version's frames
    masked = SpeechBatches([v[0] for v in versions], labels, 4, shuffle=True, seed=5,
                           masks=(1, 2, 0, 1), alternatives=[v[1:] for v in versions])  # fmt: skip
    for b in masked(3):
        for row in range(len(b["lengths"])):
            i = int(b["targets"][row, 0]) - 1
            x = b["features"][row, : b["lengths"][row]].numpy()
            kept = ~(x == 0).all(axis=0)
            np.testing.assert_array_equal(x[:, kept], versions[i][epochs[3][i]][:, kept])
    with pytest.raises(ValueError, match="alternatives"):
        SpeechBatches([v[0] for v in versions], labels, 4, alternatives=[[]])


def test_speed_perturb_reads_each_file_at_three_speeds(utterances):
    from seqlab.speech.audio import change_speed, read_wav
    from seqlab.speech.train import _versions, features_of_samples

    cfg = SpeechDataConfig(speed_perturb=0.1)
    assert cfg.speeds() == (1.0, 0.9, 1.1) and SpeechDataConfig().speeds() == (1.0,)
    feats = cfg.features()
    path = utterances[0].path
    versions = _versions(path, feats, cfg.speeds())
    np.testing.assert_array_equal(versions[0], features_of(path, feats))
    samples, _ = read_wav(path, sample_rate=feats.sample_rate)
    slow = features_of_samples(change_speed(samples, 0.9), feats)
    np.testing.assert_array_equal(versions[1], slow)
    assert len(versions[1]) > len(versions[0]) > len(versions[2])  # slower is longer
    with pytest.raises(ValueError, match="speed_perturb"):
        SpeechDataConfig(speed_perturb=0.5)
