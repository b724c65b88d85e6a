"""Word vectors kept apart from the model that trained them, queried as gensim's ``KeyedVectors``.

The notes' "Using word embeddings" and "Properties of word embeddings": a table of words and
their vectors e_w, cosine similarity, analogies by vector offset (e_man - e_woman ~ e_king - e_?),
and transfer of pre-trained embeddings into a model's embedding matrix.

Implemented here:

- :class:`WordVectors`: the words in order and a float32 matrix ``vectors`` (V, E).
- Queries as gensim 4.4 computes them: :meth:`WordVectors.most_similar` (3CosAdd, Mikolov et
  al. 2013: cosine to the normalised mean of the unit input vectors, inputs excluded),
  :meth:`WordVectors.most_similar_cosmul` (3CosMul, Levy & Goldberg 2014, eq. 4, cosines shifted
  to [0, 1] by (1 + cos) / 2 as in their footnote 7, epsilon 1e-6 in the denominator) and
  :meth:`WordVectors.doesnt_match` (the word least similar to the mean of the unit vectors).
- gensim's ways to look a word up: ``wv["king"]`` (``wv[["king", "queen"]]`` for a matrix),
  ``wv.get_vector("king", norm=True)``, ``wv.key_to_index``, ``wv.index_to_key``.
- Files: word2vec text (header ``V E``), word2vec binary (the C tool's format: header
  ``V E\\n``, then per word ``word<space>`` and E little-endian float32, an optional newline)
  and GloVe text (no header). Reading parses all numbers with NumPy's C parser at once
  (40,000 x 50 in well under a second); every bad file gets an error naming it and its line.

Deliberate differences from gensim: a duplicate word in a file is an error (gensim keeps the
first), a zero vector scores 0 against everything (gensim divides by its zero norm),
``most_similar_cosmul`` honours ``restrict_vocab`` (gensim 4.4 accepts and ignores it), and
``doesnt_match`` names an unknown word (gensim drops it with a logged warning). An unknown word
raises :class:`UnknownWordError`, both a ``KeyError`` (as gensim's) and a ``ValueError``. gensim's
own ``.kv`` files are Python pickles, which seqlab never loads: :meth:`WordVectors.load` says
how to convert one.
"""

from __future__ import annotations

import codecs
import difflib
import mmap
import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from seqlab._atomic import atomic_write
from seqlab.embeddings.formats import detect_format, read_binary, read_header, read_text_vectors

__all__ = ["UnknownWordError", "WordVectors"]

_FORMATS = ("word2vec", "glove", "binary")
_EPSILON = 1e-6  # 3CosMul's guard against division by zero (gensim's value)


class UnknownWordError(KeyError, ValueError):
    """A word that is not in the table: a ``KeyError`` as in gensim (``wv["xyzzy"]``) and a
    ``ValueError`` as every other bad input to seqlab."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class WordVectors:
    """Words and their vectors, in order: row ``i`` of ``vectors`` belongs to ``words[i]``.

    Files usually list words by falling frequency, which is what ``restrict_vocab`` relies on.

    Args:
        words: V distinct words.
        vectors: (V, E) array of finite numbers; stored as a read-only float32 copy.

    Raises:
        ValueError: no words, a word that is not a string, a duplicate word, a matrix that is
            not (V, E) with E >= 1, or a row holding NaN or infinity (the message names the word).
    """

    def __init__(self, words: Sequence[str], vectors: np.ndarray) -> None:
        words = tuple(words)
        vectors = np.array(vectors, dtype=np.float32)  # a copy: callers cannot change ours
        if not words:
            raise ValueError("WordVectors needs at least one word, got none")
        if vectors.ndim != 2 or vectors.shape[0] != len(words) or vectors.shape[1] < 1:
            raise ValueError(
                f"vectors must have shape (V, E) = ({len(words)}, E >= 1) for {len(words)} "
                f"words, got {vectors.shape}"
            )
        index: dict[str, int] = {}
        for i, word in enumerate(words):
            if not isinstance(word, str):
                raise ValueError(f"word {i} is {type(word).__name__} {word!r}, expected str")
            if word in index:
                raise ValueError(f"duplicate word {word!r} (positions {index[word]} and {i})")
            index[word] = i
        finite = np.isfinite(vectors).all(axis=1)
        if not finite.all():
            i = int(np.argmin(finite))
            raise ValueError(f"vector of {words[i]!r} (position {i}) holds NaN or infinity")
        vectors.setflags(write=False)
        self._words = words
        self._vectors = vectors  # (V, E)
        self._index = index

    # -- the table ----------------------------------------------------------------------------

    @property
    def words(self) -> tuple[str, ...]:
        """The V words, in order."""
        return self._words

    @property
    def vectors(self) -> np.ndarray:
        """The read-only float32 matrix (V, E)."""
        return self._vectors

    @property
    def dim(self) -> int:
        """E, the length of each vector."""
        return self._vectors.shape[1]

    @property
    def key_to_index(self) -> MappingProxyType:
        """word -> its row in :attr:`vectors` (gensim's name; read-only)."""
        return MappingProxyType(self._index)

    @property
    def index_to_key(self) -> list[str]:
        """The words in row order (gensim's name)."""
        return list(self._words)

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, word: object) -> bool:
        return word in self._index

    def __getitem__(self, words: str | Sequence[str]) -> np.ndarray:
        """gensim's lookup: ``wv["king"]`` -> float32 (E,); ``wv[["king", "queen"]]`` ->
        float32 (N, E), a row per word.

        Raises:
            UnknownWordError: an unknown word (suggesting close ones).
        """
        if isinstance(words, str):
            return self.vector(words)
        return self._vectors[[self.index(word) for word in words]]  # (N, E)

    def get_vector(self, word: str, norm: bool = False) -> np.ndarray:
        """gensim's ``get_vector``: float32 (E,), divided by its length with ``norm=True``
        (a zero vector stays zero)."""
        return self._unit[self.index(word)] if norm else self.vector(word)

    def __repr__(self) -> str:
        return f"WordVectors({len(self)} words x {self.dim} dims)"

    def index(self, word: str) -> int:
        """Row of ``word`` in :attr:`vectors`.

        Raises:
            ValueError: unknown word; the message suggests up to three close words.
        """
        i = self._index.get(word)
        if i is None:
            raise UnknownWordError(self._unknown(word))
        return i

    def vector(self, word: str) -> np.ndarray:
        """The read-only float32 vector (E,) of ``word``; ValueError if unknown."""
        return self._vectors[self.index(word)]

    def _unknown(self, word: str) -> str:
        lowered = word.lower()
        other_case = [w for w in self._words if w.lower() == lowered and w != word]
        close = difflib.get_close_matches(word, self._words, n=3)
        close = list(dict.fromkeys(sorted(other_case, key=lambda w: w != lowered) + close))[:3]
        hint = f"; did you mean {', '.join(repr(w) for w in close)}?" if close else ""
        return f"unknown word {word!r} (not among the {len(self)} words){hint}"

    @cached_property
    def _norms(self) -> np.ndarray:
        """||e_w|| for every word (V,), float32; zero vectors get 1 so they score 0, not NaN."""
        norms = np.linalg.norm(self._vectors, axis=1)
        return np.where(norms > 0, norms, np.float32(1.0)).astype(np.float32)

    @cached_property
    def _unit(self) -> np.ndarray:
        """e_w / ||e_w|| (V, E), float32."""
        return self._vectors / self._norms[:, None]

    # -- queries ------------------------------------------------------------------------------

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of the vectors of ``a`` and ``b``, in [-1, 1]."""
        return float(np.dot(self._unit[self.index(a)], self._unit[self.index(b)]))

    def most_similar(
        self,
        positive: Sequence[str] | str = (),
        negative: Sequence[str] | str = (),
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """The ``topn`` words closest to the mean of the unit input vectors (3CosAdd).

        query = unit(sum_p e_p/||e_p|| - sum_n e_n/||e_n||); score(w) = cos(e_w, query), as
        gensim's ``KeyedVectors.most_similar``. The input words are never returned.

        Args:
            positive: words that pull towards them (one word may be given as a string).
            negative: words that push away.
            topn: how many words to return; below 1 returns ``[]`` as gensim does.
            restrict_vocab: search only the first this many words.

        Returns:
            Up to ``topn`` ``(word, cosine)`` pairs, best first.

        Raises:
            ValueError: no input words, an unknown word, or ``restrict_vocab`` < 1.
        """
        ids, signs = self._inputs(positive, negative)
        end = self._end(restrict_vocab)
        if topn < 1:
            return []
        mean = np.zeros(self.dim, dtype=np.float32)  # (E,)
        for i, sign in zip(ids, signs):
            mean += sign * self._unit[i]  # float32 running sum, as gensim accumulates
        query = _unit_vector(mean.astype(np.float64) / len(ids))  # (E,) float32
        scores = self._vectors[:end] @ query / self._norms[:end]  # (end,)
        return self._top(scores, topn, ids)

    def doesnt_match(self, words: Sequence[str]) -> str:
        """The word that goes least with the others (gensim's ``doesnt_match``): the lowest
        cosine to the normalised mean of the words' unit vectors; ties go to the word that sorts
        first.

        Raises:
            ValueError: no words, or an unknown word (named).
        """
        if isinstance(words, str) or not words:
            raise ValueError("doesnt_match needs a list of words, got " + repr(words))
        unit = self._unit[[self.index(word) for word in words]]  # (N, E)
        mean = _unit_vector(unit.mean(axis=0, dtype=np.float32))  # (E,)
        scores = unit @ mean  # (N,)
        return min(zip(scores.tolist(), words))[1]

    def most_similar_cosmul(
        self,
        positive: Sequence[str] | str = (),
        negative: Sequence[str] | str = (),
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """The ``topn`` words by 3CosMul (Levy & Goldberg 2014, eq. 4).

        score(w) = prod_p s(w, p) / (prod_n s(w, n) + 1e-6) with s = (1 + cos) / 2, as gensim's
        ``most_similar_cosmul``; for "a : b :: c : ?" pass positive=[b, c], negative=[a].

        Args:
            positive: words in the numerator (one word may be given as a string); at least one.
            negative: words in the denominator.
            topn: how many words to return; below 1 returns ``[]``.
            restrict_vocab: search only the first this many words (gensim 4.4 ignores it).

        Returns:
            Up to ``topn`` ``(word, score)`` pairs, best first.

        Raises:
            ValueError: no positive word, an unknown word, or ``restrict_vocab`` < 1.
        """
        ids, signs = self._inputs(positive, negative)
        if signs[0] < 0:
            raise ValueError("most_similar_cosmul needs at least one positive word")
        end = self._end(restrict_vocab)
        if topn < 1:
            return []
        cos = (self._vectors[:end] @ self._unit[ids].T) / self._norms[:end, None]  # (end, k)
        shifted = (1 + cos) / 2  # (end, k)
        plus = np.array(signs) > 0
        scores = shifted[:, plus].prod(axis=1) / (shifted[:, ~plus].prod(axis=1) + _EPSILON)
        return self._top(scores, topn, ids)

    def analogy(
        self,
        a: str,
        b: str,
        c: str,
        *,
        method: str = "add",
        topn: int = 1,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """ "``a`` is to ``b`` as ``c`` is to ?": most_similar(positive=[b, c], negative=[a]).

        Args:
            a, b, c: the three words (man, king, woman -> queen).
            method: ``"add"`` (3CosAdd, :meth:`most_similar`) or ``"mul"`` (3CosMul).
            topn: how many answers.
            restrict_vocab: search only the first this many words.

        Returns:
            Up to ``topn`` ``(word, score)`` pairs, best first.

        Raises:
            ValueError: unknown method or word.
        """
        if method not in ("add", "mul"):
            raise ValueError(f"method must be 'add' or 'mul', got {method!r}")
        search = self.most_similar if method == "add" else self.most_similar_cosmul
        return search([b, c], [a], topn=topn, restrict_vocab=restrict_vocab)

    def _inputs(
        self, positive: Sequence[str] | str, negative: Sequence[str] | str
    ) -> tuple[list[int], list[float]]:
        positive = [positive] if isinstance(positive, str) else list(positive)
        negative = [negative] if isinstance(negative, str) else list(negative)
        if not positive and not negative:
            raise ValueError("give at least one positive or negative word")
        ids = [self.index(word) for word in positive + negative]
        return ids, [1.0] * len(positive) + [-1.0] * len(negative)

    def _end(self, restrict_vocab: int | None) -> int:
        if restrict_vocab is None:
            return len(self)
        if restrict_vocab < 1:
            raise ValueError(f"restrict_vocab must be at least 1 or None, got {restrict_vocab}")
        return min(restrict_vocab, len(self))

    def _top(self, scores: np.ndarray, topn: int, exclude: list[int]) -> list[tuple[str, float]]:
        scores = scores.copy()  # (end,)
        excluded = [i for i in set(exclude) if i < len(scores)]
        scores[excluded] = -np.inf
        k = min(topn, len(scores) - len(excluded))
        if k < 1:
            return []
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best])]
        return [(self._words[i], float(scores[i])) for i in best]

    # -- evaluation (the functions of ``evaluate.py`` as methods, as gensim offers them) -------

    def evaluate_analogies(self, path: str | os.PathLike[str], **kwargs: Any) -> Any:
        """:func:`seqlab.embeddings.evaluate_analogies` on this table (same keyword arguments)."""
        from seqlab.embeddings.evaluate import evaluate_analogies

        return evaluate_analogies(self, path, **kwargs)

    def evaluate_similarity(self, path: str | os.PathLike[str], **kwargs: Any) -> Any:
        """:func:`seqlab.embeddings.evaluate_similarity` on this table (same keyword arguments)."""
        from seqlab.embeddings.evaluate import evaluate_similarity

        return evaluate_similarity(self, path, **kwargs)

    # -- new tables ---------------------------------------------------------------------------

    def subset(self, words: Sequence[str]) -> WordVectors:
        """A new table holding only ``words``, in the order given; ValueError on unknown words."""
        return WordVectors(words, self._vectors[[self.index(word) for word in words]])

    def matrix_for(
        self, vocab_tokens: Sequence[str], *, lower_fallback: bool = True
    ) -> tuple[np.ndarray, int]:
        """An embedding matrix for a model's vocabulary, row ``i`` for ``vocab_tokens[i]``.

        Rows of tokens we have no vector for (``<pad>``, ``<unk>``, rare words) are left
        **zero**; initialise them yourself if zeros do not suit the model.

        Args:
            vocab_tokens: the model's tokens in id order.
            lower_fallback: when a token is missing, try its lower-cased form ("Paris" ->
                "paris"), since many pre-trained tables are lower-case only.

        Returns:
            ``(matrix, n_found)``: float32 (len(vocab_tokens), E), and how many rows were filled.
        """
        matrix = np.zeros((len(vocab_tokens), self.dim), dtype=np.float32)  # (len, E)
        n_found = 0
        for row, token in enumerate(vocab_tokens):
            i = self._index.get(token)
            if i is None and lower_fallback:
                i = self._index.get(token.lower())
            if i is not None:
                matrix[row] = self._vectors[i]
                n_found += 1
        return matrix, n_found

    # -- files --------------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        format: str = "auto",
        encoding: str = "utf-8",
        limit: int | None = None,
    ) -> WordVectors:
        """Read word2vec text, word2vec binary or GloVe text.

        ``"auto"`` looks at the first line: two integers ``V E`` make it a word2vec header, and
        then it is text if line 2 is a word and E numbers, binary if the bytes after the header
        are not text (control bytes, invalid ``encoding``); no header means GloVe.

        Args:
            path: the file.
            format: ``"auto"``, ``"word2vec"``, ``"binary"`` or ``"glove"``.
            encoding: encoding of the words (and of the numbers in text files).
            limit: read only the first ``limit`` vectors.

        Returns:
            The table, words in file order.

        Raises:
            ValueError: a missing or empty file, or a bad one: each message names the file and
                the 1-based line (text) or vector number (binary) -- a wrong number of values,
                a value that is not a number, a header that disagrees with the rows, a
                truncated binary file, a duplicate word, NaN or infinity.
        """
        if format not in ("auto", *_FORMATS):
            raise ValueError(
                f"format must be 'auto', 'word2vec', 'binary' or 'glove', got {format!r}"
            )
        if limit is not None and limit < 1:
            raise ValueError(f"limit must be at least 1 or None, got {limit}")
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ValueError(f"unknown encoding {encoding!r}") from None
        path = Path(path)
        if not path.exists():
            raise ValueError(f"{path}: no such file")
        if path.is_dir():
            raise ValueError(f"{path}: is a folder, expected a word-vector file")
        if path.stat().st_size == 0:
            raise ValueError(f"{path}: is empty (no vectors in it)")
        _refuse_other_files(path)
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            header = read_header(data, path)
            if format == "auto":
                format = "glove" if header is None else detect_format(data, header, encoding)
            if format == "glove":
                words, vectors = read_text_vectors(data, path, encoding, limit, header=None)
            elif header is None:
                raise ValueError(f"{path}: line 1: expected a word2vec header 'V E' (2 integers)")
            elif format == "word2vec":
                words, vectors = read_text_vectors(data, path, encoding, limit, header=header)
            else:
                words, vectors = read_binary(data, path, encoding, limit, header)
        return cls(words, vectors)

    def save(
        self, path: str | os.PathLike[str], *, format: str = "word2vec", encoding: str = "utf-8"
    ) -> None:
        """Write the table atomically (a crash never leaves half a file).

        Text formats write each float32 in its shortest form that reads back exactly.

        Args:
            path: the file; its folder must exist.
            format: ``"word2vec"`` (text with a ``V E`` header), ``"glove"`` (text, no header)
                or ``"binary"`` (the word2vec C tool's format, a newline after each vector).
            encoding: encoding of the words.

        Raises:
            ValueError: unknown format, or a word that cannot be written: empty, or holding a
                space or a line break (they separate the fields of every format).
        """
        if format not in _FORMATS:
            raise ValueError(f"format must be 'word2vec', 'glove' or 'binary', got {format!r}")
        for word in self._words:
            if not word or any(ch in word for ch in " \n\r"):
                raise ValueError(
                    f"cannot write word {word!r} in {format} format: words there may not be "
                    "empty or hold spaces or line breaks"
                )
        head = f"{len(self)} {self.dim}\n".encode(encoding)

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as f:
                if format != "glove":
                    f.write(head)
                for word, row in zip(self._words, self._vectors):
                    if format == "binary":
                        f.write(word.encode(encoding) + b" " + row.astype("<f4").tobytes() + b"\n")
                    else:  # str(np.float32) is the shortest string that reads back exactly
                        f.write(f"{word} {' '.join(map(str, row))}\n".encode(encoding))

        atomic_write(path, write)


# -- helpers ---------------------------------------------------------------------------------


def _refuse_other_files(path: Path) -> None:
    """A clear ValueError for files people take for word vectors that are not in a vectors
    format: gensim's ``KeyedVectors.save`` pickles and the NumPy arrays beside them."""
    with open(path, "rb") as f:
        head = f.read(8)
    convert = (
        'convert it with gensim (python -c "from gensim.models import KeyedVectors; '
        f"KeyedVectors.load('{path}').save_word2vec_format('vectors.txt')\") and load that"
    )
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        raise ValueError(
            f"{path}: a Python pickle (gensim's KeyedVectors.save writes .kv files "
            f"so), which seqlab never unpickles (loading one runs code); {convert}"
        )
    if head[:6] == b"\x93NUMPY":
        raise ValueError(
            f"{path}: a NumPy array (gensim keeps a .kv file's vectors in such a "
            "file, without the words); load the .kv file with gensim and save it "
            "with save_word2vec_format"
        )


def _unit_vector(v: np.ndarray) -> np.ndarray:
    """v / ||v|| as float32 (a zero vector stays zero)."""
    norm = np.linalg.norm(v)
    return (v / norm if norm > 0 else v).astype(np.float32)
