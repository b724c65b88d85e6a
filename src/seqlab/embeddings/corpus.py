"""A training corpus for the embedding trainers: vocabulary, token ids and the notes' samplers.

One sentence per line, whitespace-tokenized (the format word2vec, GloVe and gensim's
``LineSentence`` read). The vocabulary is every word seen at least ``min_count`` times, most
frequent first (ties keep the order of first appearance, as gensim sorts); words below the
threshold are dropped from the token stream, as word2vec.c and gensim drop them.

The two samplers of the notes' word2vec section live here because they only need the counts:

- frequent-word subsampling (Mikolov et al. 2013): word w with frequency f(w) is kept with
  probability (sqrt(f / (t N)) + 1) (t N / f), capped at 1 (word2vec.c's formula, also gensim's);
- the negative-sampling noise distribution P(w) proportional to count(w)^(3/4).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from seqlab.datasets import read_text

__all__ = ["Corpus", "build_corpus", "keep_probabilities", "noise_distribution", "read_corpus"]

MAX_SENTENCE_LENGTH = 10_000  # longer lines are cut into pieces of this many words (as gensim)


@dataclass(frozen=True, eq=False)
class Corpus:
    """Token ids of a corpus over its vocabulary.

    Attributes:
        words: the vocabulary, most frequent first.
        counts: int64 (V,), how often each word occurs in the corpus.
        ids: int32 (N,), the kept tokens of all sentences, concatenated.
        offsets: int64 (S + 1,), sentence s is ``ids[offsets[s]:offsets[s + 1]]``.
        n_raw_tokens: tokens before the words under ``min_count`` were dropped.
    """

    words: tuple[str, ...]
    counts: np.ndarray
    ids: np.ndarray
    offsets: np.ndarray
    n_raw_tokens: int

    @property
    def n_tokens(self) -> int:
        """Tokens kept (words of the vocabulary)."""
        return int(self.ids.shape[0])

    @property
    def n_sentences(self) -> int:
        return int(self.offsets.shape[0] - 1)

    def __len__(self) -> int:
        return len(self.words)

    def index(self) -> dict[str, int]:
        """word -> id."""
        return {w: i for i, w in enumerate(self.words)}

    def sentences(self) -> list[list[str]]:
        """The kept tokens as lists of words (for references such as gensim)."""
        words = self.words
        return [
            [words[i] for i in self.ids[a:b]]
            for a, b in zip(self.offsets[:-1].tolist(), self.offsets[1:].tolist())
        ]


def build_corpus(
    sentences: Iterable[Sequence[str]],
    *,
    min_count: int = 5,
    max_vocab: int | None = None,
    source: str = "corpus",
) -> Corpus:
    """Count words, keep the vocabulary and turn every sentence into ids.

    Sentences left without a word of the vocabulary are dropped; longer ones than
    MAX_SENTENCE_LENGTH are cut into pieces (as gensim cuts them).

    Args:
        sentences: each a sequence of word strings.
        min_count: words seen fewer times are dropped.
        max_vocab: keep at most this many words (the most frequent), or all.
        source: names the corpus in errors.

    Raises:
        ValueError: bad ``min_count``/``max_vocab``, an empty corpus, or one where no word
            reaches ``min_count``.
    """
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    if max_vocab is not None and max_vocab < 1:
        raise ValueError(f"max_vocab must be at least 1 (or None), got {max_vocab}")
    lengths: list[int] = []
    flat: list[str] = []
    for sentence in sentences:
        lengths.append(len(sentence))
        flat.extend(sentence)
    counts = Counter(flat)  # insertion order = first appearance, the tie-break of the sort
    if not flat:
        raise ValueError(f"{source} is empty: no words to train on")
    vocab = sorted((w for w, c in counts.items() if c >= min_count), key=counts.__getitem__,
                   reverse=True)  # fmt: skip
    if not vocab:
        raise ValueError(
            f"{source}: no word occurs min_count={min_count} times (the most frequent occurs "
            f"{max(counts.values())} times in {len(flat)} tokens); lower --min-count or give a "
            "larger corpus"
        )
    if max_vocab is not None:
        vocab = vocab[:max_vocab]
    index = dict.fromkeys(counts, -1)
    index.update((w, i) for i, w in enumerate(vocab))
    ids = np.fromiter(map(index.__getitem__, flat), dtype=np.int32, count=len(flat))
    sentence_of = np.repeat(np.arange(len(lengths)), lengths)
    kept = ids >= 0
    kept_lengths = np.bincount(sentence_of[kept], minlength=len(lengths))
    return Corpus(
        words=tuple(vocab),
        counts=np.array([counts[w] for w in vocab], dtype=np.int64),
        ids=ids[kept],
        offsets=_offsets(kept_lengths),
        n_raw_tokens=len(flat),
    )


def _offsets(lengths: np.ndarray) -> np.ndarray:
    """Sentence boundaries for these lengths: empty sentences dropped, long ones cut."""
    pieces: list[int] = []
    for n in lengths[lengths > 0].tolist():
        pieces.extend([MAX_SENTENCE_LENGTH] * (n // MAX_SENTENCE_LENGTH))
        if n % MAX_SENTENCE_LENGTH:
            pieces.append(n % MAX_SENTENCE_LENGTH)
    offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum(pieces, out=offsets[1:])
    return offsets


def read_corpus(
    path: str | os.PathLike[str],
    *,
    min_count: int = 5,
    max_vocab: int | None = None,
    lowercase: bool = False,
    encoding: str = "utf-8",
) -> Corpus:
    """Read a text file of one sentence per line, words separated by whitespace.

    Raises:
        ValueError: a missing, binary, undecodable or empty file (see
            :func:`seqlab.datasets.read_text`), or a vocabulary problem (see :func:`build_corpus`).
    """
    text = read_text(path, encoding=encoding)
    if lowercase:
        text = text.lower()
    lines = (line.split() for line in text.split("\n"))
    return build_corpus(
        (s for s in lines if s), min_count=min_count, max_vocab=max_vocab, source=str(path)
    )


def keep_probabilities(counts: np.ndarray, sample: float) -> np.ndarray:
    """Probability of keeping each word under frequent-word subsampling with threshold ``sample``.

    Args:
        counts: int (V,) word counts.
        sample: the threshold t (word2vec's ``-sample``, gensim's ``sample``); 0 keeps everything.

    Returns:
        float64 (V,) in (0, 1]: (sqrt(c / (t N)) + 1) (t N / c), capped at 1.
    """
    if sample < 0 or not np.isfinite(sample):
        raise ValueError(f"sample must be >= 0, got {sample}")
    counts = np.asarray(counts, dtype=np.float64)
    if sample == 0:
        return np.ones_like(counts)
    threshold = sample * counts.sum()
    p = (np.sqrt(counts / threshold) + 1.0) * (threshold / counts)
    return np.minimum(p, 1.0)


def noise_distribution(counts: np.ndarray, power: float = 0.75) -> np.ndarray:
    """Negative-sampling distribution: P(w) = count(w)^power / sum_v count(v)^power.

    Returns:
        float64 (V,) summing to 1.
    """
    weights = np.asarray(counts, dtype=np.float64) ** power
    return weights / weights.sum()
