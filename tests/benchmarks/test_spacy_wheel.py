"""benchmarks/spacy_wheel.py: spaCy's string keys (MurmurHash64A, seed 1) and the vocab reader,
on a hand-made vocab folder and wheel (no network, no real wheel)."""

import json
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from spacy_wheel import (  # noqa: E402
    VOCAB,
    lookup_forms,
    murmurhash64a,
    read_key2row,
    read_spacy_vocab,
    spacy_key,
    spacy_vectors_for,
)

# spaCy's documented key for "coffee" (nlp.vocab.strings["coffee"]); the others are the C
# MurmurHash64A of the `murmurhash` package (1.0.16, spaCy's hash64, called through ctypes) with
# seed 1: every tail length 0-7, whole 8-byte blocks, and multi-byte UTF-8.
KEYS = [
    ("coffee", 3197928453018144401),
    ("", 14313749767032693980),
    ("a", 11901859001352538922),
    ("ab", 6606101647874324205),
    ("abcdefg", 18200195881963043692),
    ("abcdefgh", 17751780907874141760),
    ("abcdefghi", 13885881106499164936),
    ("Hollywood", 3825784678408732786),
    ("n't", 2043519015752540944),
    ("café", 32833993555699147),
    ("re-imagining", 13934761397332639413),
    ("naïveté", 6386532051655459205),
    ("-lrb-", 6360866131190356446),
    ("😀", 13900606239988879105),
    ("hello world!", 2250993713583282316),
]


@pytest.mark.parametrize(("word", "key"), KEYS)
def test_spacy_key_matches_murmurhash64a_reference(word, key):
    assert spacy_key(word) == key
    assert murmurhash64a(word.encode("utf-8"), seed=1) == key


def test_seed_changes_the_hash():
    assert murmurhash64a(b"coffee", seed=0) != murmurhash64a(b"coffee", seed=1)


def _msgpack_uint(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    for tag, fmt, top in ((0xCC, ">B", 1 << 8), (0xCD, ">H", 1 << 16), (0xCE, ">I", 1 << 32)):
        if n < top:
            return bytes([tag]) + struct.pack(fmt, n)
    return b"\xcf" + struct.pack(">Q", n)


def _msgpack_map(d: dict[int, int], *, header: str = "map32") -> bytes:
    head = {"fixmap": bytes([0x80 | len(d)]), "map16": b"\xde" + struct.pack(">H", len(d)),
            "map32": b"\xdf" + struct.pack(">I", len(d))}[header]  # fmt: skip
    return head + b"".join(_msgpack_uint(k) + _msgpack_uint(v) for k, v in d.items())


TABLE = {spacy_key("coffee"): 0, 5: 1, 200: 300, 70_000: 2, 1 << 40: 3, spacy_key("USA"): 255}


@pytest.mark.parametrize("header", ["fixmap", "map16", "map32"])
def test_read_key2row(header):
    assert read_key2row(_msgpack_map(TABLE, header=header)) == TABLE


def test_read_key2row_matches_msgpack():
    msgpack = pytest.importorskip("msgpack")
    data = msgpack.packb(TABLE)
    assert read_key2row(data) == TABLE == msgpack.unpackb(data, strict_map_key=False)


@pytest.mark.parametrize(
    "data", [b"\x93\x01\x02\x03", _msgpack_map({1: 2}) + b"\x00", b"\x81\xa1x\x01"]
)
def test_read_key2row_rejects_what_is_not_a_map_of_uints(data):
    with pytest.raises(ValueError, match="key2row"):
        read_key2row(data)


def test_lookup_forms():
    assert lookup_forms("usa") == ("usa", "Usa", "USA")
    assert lookup_forms("a") == ("a", "A")


STRINGS = ["coffee", "Spielberg", "USA", "tea"]
ROWS = {"coffee": 0, "Spielberg": 300, "USA": 2, "tea": 0}  # tea shares coffee's row (pruning)


def _write_vocab(folder: Path) -> np.ndarray:
    vectors = np.arange(301 * 4, dtype=np.float32).reshape(301, 4)
    folder.mkdir(parents=True)
    (folder / "strings.json").write_text(json.dumps(STRINGS), encoding="utf-8")
    (folder / "key2row").write_bytes(_msgpack_map({spacy_key(w): r for w, r in ROWS.items()}))
    with open(folder / "vectors", "wb") as f:  # an .npy without the suffix, as spaCy writes it
        np.save(f, vectors, allow_pickle=False)
    return vectors


@pytest.mark.parametrize("as_wheel", [False, True])
def test_spacy_vectors_for_a_fake_vocab(tmp_path, as_wheel):
    vectors = _write_vocab(tmp_path / "vocab")
    source = tmp_path / "vocab"
    if as_wheel:
        source = tmp_path / "fake-0.1.0-py3-none-any.whl"
        with zipfile.ZipFile(source, "w") as z:
            for name in ("strings.json", "key2row", "vectors"):
                z.write(tmp_path / "vocab" / name, f"{VOCAB}/{name}")
    strings, key2row, matrix = read_spacy_vocab(source)
    assert strings == STRINGS and len(key2row) == 4 and np.array_equal(matrix, vectors)
    wv = spacy_vectors_for(["coffee", "tea", "spielberg", "usa", "unknown"], source)
    assert sorted(wv.words) == ["coffee", "spielberg", "tea", "usa"]  # the data's spelling
    for word, form in [("coffee", "coffee"), ("tea", "tea"), ("spielberg", "Spielberg"),
                       ("usa", "USA")]:  # fmt: skip
        np.testing.assert_array_equal(wv.vector(word), vectors[ROWS[form]])


def test_key2row_past_the_vectors_is_an_error(tmp_path):
    _write_vocab(tmp_path / "vocab")
    (tmp_path / "vocab" / "key2row").write_bytes(_msgpack_map({spacy_key("tea"): 301}))
    with pytest.raises(ValueError, match="past the"):
        read_spacy_vocab(tmp_path / "vocab")
