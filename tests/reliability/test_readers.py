"""Every reader on random bytes and on mutated valid files (issue 24, class 3): a correct parse
or a ValueError with a message, nothing else: no struct.error, no IndexError, no MemoryError, no
allocation beyond the file (headers that promise more than the file holds are refused).

Readers: plain text, labelled TSV/CSV (SST, Emojify), CoNLL, DNA (splice), sentence pairs,
chorales JSON, MIDI, WAV, word vectors (word2vec text and binary, GloVe), vocabularies, model
configs, ``.ts`` motion series, and the images of seqlab.vision: IDX (gzipped), PNG (grey, RGB,
RGBA) and the emoji sprite sheet with its index.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import struct
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.io import wavfile

from seqlab.datasets import read_conll, read_labelled, read_text, read_ts
from seqlab.datasets.dna import read_splice
from seqlab.embeddings import WordVectors
from seqlab.music.data import read_chorales
from seqlab.music.midi import read_midi, write_midi
from seqlab.seq2seq.data import read_pairs
from seqlab.speech.audio import read_wav
from seqlab.text import Vocabulary
from seqlab.vision.emoji import INDEX, SHEET, read_emoji
from seqlab.vision.images import read_idx, read_image, write_png

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


TS = b"""# GunPoint-like
@problemName Tiny
@timeStamps false
@missing false
@univariate false
@dimensions 2
@equalLength true
@seriesLength 3
@classLabel true walk run
@data
1.5,2,-3:0,1e-2,4:walk
0,0,1:2,2,2:run
"""


def _idx_gz() -> bytes:
    images = (np.arange(3 * 4 * 4) * 7 % 256).astype(np.uint8).reshape(3, 4, 4)
    return gzip.compress(bytes([0, 0, 8, 3]) + struct.pack(">3I", 3, 4, 4) + images.tobytes())


def _png(channels: int, size: tuple[int, int] = (6, 5)) -> bytes:
    shape = size if channels == 1 else (*size, channels)
    image = (np.arange(int(np.prod(shape))) * 37 % 256).astype(np.uint8).reshape(shape)
    with tempfile.TemporaryDirectory() as folder:
        write_png(Path(folder) / "x.png", image)
        return (Path(folder) / "x.png").read_bytes()


# The emoji data set: a sheet of 64x64 sprites in 66-pixel cells, and emoji.json placing them.
EMOJI_INDEX = json.dumps([
    {"name": "GRINNING FACE", "sheet_x": 0, "sheet_y": 0},
    {"name": "WAVING HAND SIGN", "sheet_x": 1, "sheet_y": 0,
     "skin_variations": {"1F3FB": {"sheet_x": 0, "sheet_y": 1}}},
]).encode()  # fmt: skip


def _emoji(path: Path, part: str) -> object:
    """read_emoji on a data folder whose ``part`` (the sheet or the index) is ``path``."""
    with tempfile.TemporaryDirectory() as folder:
        shutil.copyfile(path, Path(folder) / part)
        other = Path(folder) / (INDEX if part == SHEET else SHEET)
        other.write_bytes(EMOJI_INDEX if part == SHEET else _png(4, (132, 132)))
        return read_emoji(folder)


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
    "ts": (read_ts, TS, ".ts"),
    "idx-gz": (read_idx, _idx_gz(), ".gz"),
    "png-grey": (read_image, _png(1), ".png"),
    "png-rgb": (lambda p: read_image(p, mode="L"), _png(3), ".png"),
    "png-rgba": (read_image, _png(4), ".png"),
    "emoji-sheet": (lambda p: _emoji(p, SHEET), _png(4, (132, 132)), ".png"),
    "emoji-index": (lambda p: _emoji(p, INDEX), EMOJI_INDEX, ".json"),
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


def test_a_riff_size_that_ends_before_the_format_chunk_is_a_value_error(tmp_path):
    """scipy reads chunks only up to the RIFF size: it raised UnboundLocalError here (found by
    fuzzing with 400 examples); the chunk walk now stops where scipy stops."""
    data = bytearray(_wav_bytes())
    data[4:8] = struct.pack("<I", 4)  # the RIFF chunk holds "WAVE" and nothing else
    path = tmp_path / "riff.wav"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="riff.wav: unreadable WAV \\(no format chunk\\)"):
        read_wav(path)


def test_a_midi_file_with_zero_ticks_per_beat_is_a_value_error(tmp_path):
    """The header's division field 0 raised ZeroDivisionError (found by fuzzing)."""
    data = bytearray(_midi_bytes())
    assert data[:4] == b"MThd"
    data[12:14] = b"\x00\x00"  # ticks per beat
    path = tmp_path / "zero.mid"
    path.write_bytes(bytes(data))
    with pytest.raises(
        ValueError, match="zero.mid: not a readable MIDI file \\(ticks per beat is 0\\)"
    ):
        read_midi(path)


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


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares width x height grey pixels and holds none (correct CRCs)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [10_000, 100_000])  # 10^8 pixels: Pillow warns; 10^10: refuses
def test_a_png_that_declares_a_huge_image_is_refused_before_decoding(tmp_path, side):
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header(side, side))
    with pytest.raises(ValueError, match="bomb.png: the image declares more than"):
        read_image(path)


def test_an_emoji_index_entry_of_the_wrong_shape_names_the_entry(tmp_path):
    (tmp_path / SHEET).write_bytes(_png(4, (132, 132)))
    for entry, message in [
        ({"name": "X", "sheet_x": 1e309, "sheet_y": 0}, "emoji 1: expected integer 'sheet_x'"),
        ({"name": "X", "sheet_x": 5, "sheet_y": 0}, "emoji 1: sprite (5, 0) lies outside"),
        ({"name": 3}, "emoji 1: expected an object with a string 'name'"),
        ({"name": "X", "sheet_x": 0, "sheet_y": 0, "skin_variations": {"1F600": {}}},
         "emoji 1 (X): '1F600' is not a skin-tone modifier"),
    ]:  # fmt: skip
        (tmp_path / INDEX).write_text(json.dumps([entry]))
        with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
            read_emoji(tmp_path)
