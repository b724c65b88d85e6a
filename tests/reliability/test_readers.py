"""Every reader on random bytes and on mutated valid files (issue 24, class 3): a correct parse
or a ValueError with a message, nothing else: no struct.error, no IndexError, no MemoryError, no
allocation beyond the file (headers that promise more than the file holds are refused).

Readers: plain text, labelled TSV/CSV (SST, Emojify), CoNLL, DNA (splice), sentence pairs,
chorales JSON, MIDI, WAV, word vectors (word2vec text and binary, GloVe), vocabularies, model
configs. (The ``.ts`` and image readers of seqlab.vision join this table when they land.)
"""

from __future__ import annotations

import io
import json
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.io import wavfile

from seqlab.datasets import read_conll, read_labelled, read_text
from seqlab.datasets.dna import read_splice
from seqlab.embeddings import WordVectors
from seqlab.music.data import read_chorales
from seqlab.music.midi import read_midi, write_midi
from seqlab.seq2seq.data import read_pairs
from seqlab.speech.audio import read_wav
from seqlab.text import Vocabulary

FIXTURES = Path(__file__).resolve().parents[1]
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


def _wav_bytes() -> bytes:
    buffer = io.BytesIO()
    wavfile.write(buffer, 8000, (np.sin(np.arange(800) / 5) * 8000).astype(np.int16))
    return buffer.getvalue()


def _midi_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        roll = np.zeros((8, 88), np.uint8)
        roll[np.arange(8), 40 + np.arange(8)] = 1
        return write_midi(roll, Path(folder) / "x.mid").read_bytes()


def _vectors(kind: str) -> bytes:
    words = ["king", "queen", "man", "woman"]
    values = np.arange(12, dtype=np.float32).reshape(4, 3) / 7
    if kind == "binary":
        rows = b"".join(w.encode() + b" " + v.astype("<f4").tobytes() + b"\n"
                        for w, v in zip(words, values))  # fmt: skip
        return b"4 3\n" + rows
    lines = [f"{w} " + " ".join(f"{x:.4f}" for x in v) for w, v in zip(words, values)]
    return (("4 3\n" if kind == "word2vec" else "") + "\n".join(lines) + "\n").encode()


# reader name -> (read(path), a valid file's bytes, file suffix)
READERS: dict[str, tuple[Callable[[Path], object], bytes, str]] = {
    "text": (read_text, b"one line\ntwo lines\n", ".txt"),
    "tsv": (lambda p: read_labelled(p, format="tsv"), b"text\tlabel\ngood film\t1\nbad\t0\n",
            ".tsv"),
    "csv": (read_labelled, (FIXTURES / "datasets/fixtures/emojify_sample.csv").read_bytes(),
            ".csv"),
    "conll": (read_conll, (FIXTURES / "datasets/fixtures/ner_sample.conll").read_bytes(),
              ".conll"),
    "splice": (read_splice, b"EI, ATRINS-DONOR-521, CCAGCTGCATCACAGGAGGCCAGCGAGCAGG\n"
               b"N, HUMAPOA4-NEG-1, ACGTACGTACGTACGTACGTACGTACGTACGT\n", ".data"),
    "pairs": (read_pairs, b"3 mars 1997\t1997-03-03\nthe 4th of May\t2001-05-04\n", ".tsv"),
    "chorales": (read_chorales, (FIXTURES / "music/fixtures/tiny_chorales.json").read_bytes(),
                 ".json"),
    "midi": (read_midi, _midi_bytes(), ".mid"),
    "wav": (read_wav, _wav_bytes(), ".wav"),
    "word2vec": (WordVectors.load, _vectors("word2vec"), ".txt"),
    "glove": (WordVectors.load, _vectors("glove"), ".txt"),
    "word2vec-binary": (WordVectors.load, _vectors("binary"), ".bin"),
    "vocabulary": (Vocabulary.load, json.dumps(Vocabulary(["a", "b"]).to_dict()).encode(),
                   ".json"),
}  # fmt: skip


def _read(name: str, data: bytes) -> None:
    read, _, suffix = READERS[name]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        try:
            read(path)
        except ValueError as error:
            assert str(error).strip(), (name, data[:60])


@pytest.mark.parametrize("name", sorted(READERS))
def test_every_reader_reads_its_valid_file(name):
    read, data, suffix = READERS[name]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        assert read(path) is not None


@pytest.mark.parametrize("name", sorted(READERS))
@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes_are_a_parse_or_a_value_error(name, data):
    _read(name, data)


@st.composite
def _mutated(draw, valid: bytes) -> bytes:
    """A valid file with bytes flipped, cut, duplicated or inserted (header fields included)."""
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "duplicate", "truncate", "int32"]))
        i = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[i : i + draw(st.integers(1, 64))]
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=16))
        elif op == "duplicate":
            data[i:i] = data[i : i + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[i:]
        elif op == "int32" and len(data) >= i + 4:  # a size field that lies
            data[i : i + 4] = struct.pack("<I", draw(st.sampled_from([0, 1, 2**31 - 1, 2**32 - 1])))
    return bytes(data)


@pytest.mark.parametrize("name", sorted(READERS))
@FUZZ
@given(seed=st.data())
def test_mutated_valid_files_are_a_parse_or_a_value_error(name, seed):
    _read(name, seed.draw(_mutated(READERS[name][1])))


# --- the cases ---------------------------------------------------------------------


def test_a_30_byte_wav_is_a_value_error(tmp_path):
    path = tmp_path / "short.wav"
    path.write_bytes(_wav_bytes()[:30])
    with pytest.raises(ValueError, match="short.wav: unreadable WAV"):
        read_wav(path)


@pytest.mark.parametrize("field", [4, 16, 40])  # the RIFF size, the fmt size, the data size
def test_wav_chunk_sizes_that_lie_are_value_errors(tmp_path, field):
    data = bytearray(_wav_bytes())
    data[field : field + 4] = struct.pack("<I", 2**32 - 1)
    path = tmp_path / "lies.wav"
    path.write_bytes(bytes(data))
    try:
        read_wav(path)
    except ValueError as error:
        assert "lies.wav" in str(error)


def test_a_binary_word2vec_header_of_a_billion_vectors_allocates_nothing(tmp_path):
    path = tmp_path / "huge.bin"
    path.write_bytes(b"1000000000 1000000000\n" + _vectors("binary").split(b"\n", 1)[1])
    with pytest.raises(ValueError, match="truncated binary file: the header says 1000000000"):
        WordVectors.load(path)


def test_a_text_word2vec_header_that_lies_is_a_value_error(tmp_path):
    path = tmp_path / "lies.txt"
    path.write_bytes(b"1000000000 3\n" + _vectors("glove"))
    with pytest.raises(ValueError, match="header says 1000000000 words"):
        WordVectors.load(path)
