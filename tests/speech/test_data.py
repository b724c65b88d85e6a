"""seqlab.speech.data: transcripts and FSDD layouts, the alphabet, padded batches."""

import numpy as np
import pytest
import torch
from scipy.io import wavfile

from seqlab.speech.data import DIGIT_NAMES, Alphabet, collate, read_fsdd, read_transcripts


def _wav(path, n=800):
    wavfile.write(path, 8000, (np.sin(np.arange(n) / 5) * 10000).astype(np.int16))


def test_fsdd_layout_and_official_split(tmp_path):
    rec = tmp_path / "recordings"
    rec.mkdir()
    for name in ["0_george_0.wav", "0_george_5.wav", "7_jackson_4.wav", "7_jackson_49.wav",
                 "notes.txt", "x_george_1.wav"]:  # fmt: skip
        _wav(rec / name)
    for folder in (tmp_path, rec):
        split = read_fsdd(folder)
        assert [u.path.name for u in split["test"]] == ["0_george_0.wav", "7_jackson_4.wav"]
        assert [(u.text, u.speaker) for u in split["train"]] == [("zero", "george"),
                                                                  ("seven", "jackson")]  # fmt: skip
    with pytest.raises(ValueError, match="no such folder"):
        read_fsdd(tmp_path / "nope")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="no FSDD recordings"):
        read_fsdd(empty)


def test_transcripts(tmp_path):
    _wav(tmp_path / "a.wav")
    _wav(tmp_path / "b.wav")
    (tmp_path / "transcripts.tsv").write_text("# file\ttext\na.wav\tOne  Two\n\nb.wav\tthree\n")
    utts = read_transcripts(tmp_path)
    assert [(u.path.name, u.text) for u in utts] == [("a.wav", "one two"), ("b.wav", "three")]
    (tmp_path / "transcripts.tsv").write_text("a.wav\tone\nc.wav\ttwo\n")
    with pytest.raises(ValueError, match="line 2: no such file"):
        read_transcripts(tmp_path)
    (tmp_path / "transcripts.tsv").write_text("a.wav one\n")
    with pytest.raises(ValueError, match="line 1: expected file<TAB>text"):
        read_transcripts(tmp_path)
    with pytest.raises(ValueError, match="no transcripts.tsv"):
        read_transcripts(tmp_path / "nope")


def test_alphabet_round_trip():
    alphabet = Alphabet.from_texts(list(DIGIT_NAMES) + [" "])
    assert len(alphabet) == len(alphabet.chars) + 1 and alphabet.chars[0] == " "
    ids = alphabet.encode("one two")
    assert 0 not in ids and alphabet.decode(ids) == "one two"
    assert alphabet.decode([0] + ids + [0]) == "one two"
    with pytest.raises(ValueError, match=r"\['q'\]"):
        alphabet.encode("quiet")
    with pytest.raises(ValueError, match="distinct"):
        Alphabet("aa")


def test_collate():
    batch = collate([np.ones((3, 2)), 2 * np.ones((5, 2))], [[1, 2], [3]])
    assert batch["features"].shape == (2, 5, 2)
    assert batch["features"][0, 3:].abs().sum() == 0 and batch["features"][1, 4, 0] == 2
    assert batch["lengths"].tolist() == [3, 5]
    assert batch["targets"].tolist() == [[1, 2], [3, 0]]
    assert batch["target_lengths"].tolist() == [2, 1]
    assert set(collate([torch.zeros(4, 2)])) == {"features", "lengths"}
    with pytest.raises(ValueError, match="same F"):
        collate([np.ones((3, 2)), np.ones((3, 3))])
    with pytest.raises(ValueError, match="empty batch"):
        collate([])
