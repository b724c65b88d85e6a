"""Intrinsic evaluation of word vectors: analogies and word-pair similarity, as gensim scores them.

The notes' "Properties of word embeddings": analogies solved by vector offset (Mikolov et al.
2013, the Google ``questions-words.txt`` set) and cosine similarity against human judgements
(WordSim-353, SimLex-999).

- :func:`evaluate_analogies` follows gensim 4.4's ``KeyedVectors.evaluate_word_analogies`` rule
  for rule: only the first ``restrict_vocab`` words take part (a question with any other word is
  skipped); with ``case_insensitive`` words are compared upper-cased and a word maps to its first
  case variant; the answer is the best of the first five candidates (input rows excluded) whose
  form differs from the three question words. Unlike gensim it scores the questions in chunks as
  one matrix product each (19,544 questions on 30,000 x 50 take seconds), offers 3CosMul too,
  and refuses malformed lines instead of skipping them.
- :func:`evaluate_similarity` follows ``KeyedVectors.evaluate_word_pairs``: tab-separated
  ``word1 word2 score`` lines, ``#`` comments, pairs with an unknown word skipped; Spearman and
  Pearson correlation computed here in NumPy (ranks of ties averaged, as scipy does).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from seqlab.datasets.text import read_text
from seqlab.embeddings.vectors import WordVectors

__all__ = ["AnalogyResult", "SimilarityResult", "evaluate_analogies", "evaluate_similarity"]

_N_CANDIDATES = 5  # gensim looks at the top five answers for one not among the question words
_EPSILON = 1e-6  # 3CosMul's guard, as in WordVectors.most_similar_cosmul
_CHUNK_ELEMENTS = 1 << 22  # questions x candidates scored per matrix product (16 MB of float32)
_BLOCK = 128  # columns per block in _top_k


@dataclass(frozen=True)
class AnalogyResult:
    """Accuracy on an analogy set.

    Attributes:
        accuracy: correct / covered (0.0 when nothing was covered).
        correct: questions answered right.
        covered: questions whose four words are all in the restricted vocabulary.
        skipped: questions left out because a word is not.
        sections: ``{section name: (correct, covered)}`` in file order.
    """

    accuracy: float
    correct: int
    covered: int
    skipped: int
    sections: dict[str, tuple[int, int]]


@dataclass(frozen=True)
class SimilarityResult:
    """Agreement of cosine similarity with human scores.

    Attributes:
        spearman: Spearman's rank correlation (NaN if either side is constant).
        pearson: Pearson's correlation.
        covered: pairs scored (both words known).
        total: pairs in the file.
        oov_ratio: percent of pairs skipped for an unknown word, as gensim reports it (0-100).
    """

    spearman: float
    pearson: float
    covered: int
    total: int
    oov_ratio: float


def evaluate_analogies(
    wv: WordVectors,
    path: str | os.PathLike[str],
    *,
    restrict_vocab: int = 30000,
    case_insensitive: bool = True,
    method: str = "add",
) -> AnalogyResult:
    """Accuracy on "a b c d" questions ("a is to b as c is to d") grouped by ``: section`` lines.

    Args:
        wv: the vectors, most frequent words first.
        path: a ``questions-words.txt``-style file (blank lines are ignored).
        restrict_vocab: only the first this many words take part, as questions and answers.
        case_insensitive: compare words upper-cased (the first case variant stands for all).
        method: ``"add"`` (3CosAdd, gensim's only method) or ``"mul"`` (3CosMul).

    Returns:
        The accuracy, counts and per-section counts.

    Raises:
        ValueError: unreadable or empty file, a question before the first section, a line that
            is not four words (named by line), an unknown method, or ``restrict_vocab`` < 1.
    """
    if method not in ("add", "mul"):
        raise ValueError(f"method must be 'add' or 'mul', got {method!r}")
    if restrict_vocab < 1:
        raise ValueError(f"restrict_vocab must be at least 1, got {restrict_vocab}")
    fold = str.upper if case_insensitive else str
    ok_vocab = _ok_vocab(wv, restrict_vocab, fold)
    questions, section_names = _read_questions(path, fold)
    known = [q for q in questions if all(word in ok_vocab for word in q[1:])]
    ids = np.array([[ok_vocab[word] for word in q[1:4]] for q in known], dtype=np.int64)
    candidates = _candidates(wv, ids.reshape(-1, 3), min(restrict_vocab, len(wv)), method)
    sections = {name: [0, 0] for name in section_names}
    for (section, a, b, c, expected), best in zip(known, candidates):
        predicted = None
        for i in best[best >= 0]:
            predicted = fold(wv.words[i])
            if predicted not in (a, b, c):
                break
        sections[section][0] += predicted == expected
        sections[section][1] += 1
    correct = sum(counts[0] for counts in sections.values())
    return AnalogyResult(
        accuracy=correct / len(known) if known else 0.0,
        correct=correct,
        covered=len(known),
        skipped=len(questions) - len(known),
        sections={name: (hits, total) for name, (hits, total) in sections.items()},
    )


def evaluate_similarity(
    wv: WordVectors,
    path: str | os.PathLike[str],
    *,
    restrict_vocab: int = 300000,
    case_insensitive: bool = True,
) -> SimilarityResult:
    """Correlation of cos(e_a, e_b) with human scores on ``word1<TAB>word2<TAB>score`` lines.

    Args:
        wv: the vectors, most frequent words first.
        path: the pairs file; lines starting with ``#`` and blank lines are ignored.
        restrict_vocab: only the first this many words count as known.
        case_insensitive: compare words upper-cased (the first case variant stands for all).

    Returns:
        Spearman and Pearson correlation over the covered pairs, and the counts.

    Raises:
        ValueError: unreadable file, a line that is not three tab-separated fields or whose
            score is not a number (named by line), fewer than two covered pairs, or
            ``restrict_vocab`` < 1.
    """
    if restrict_vocab < 1:
        raise ValueError(f"restrict_vocab must be at least 1, got {restrict_vocab}")
    fold = str.upper if case_insensitive else str
    ok_vocab = _ok_vocab(wv, restrict_vocab, fold)
    unit = wv.vectors / _safe_norms(wv.vectors)[:, None]  # (V, E)
    gold, model, total = [], [], 0
    for n, line in enumerate(read_text(path).split("\n"), start=1):
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise ValueError(f"{path}: line {n}: {len(fields)} tab-separated fields, expected 3")
        try:
            score = float(fields[2])
        except ValueError:
            raise ValueError(f"{path}: line {n}: score {fields[2]!r} is not a number") from None
        a, b = fold(fields[0].strip()), fold(fields[1].strip())
        total += 1
        if a in ok_vocab and b in ok_vocab:
            gold.append(score)
            model.append(float(np.dot(unit[ok_vocab[a]], unit[ok_vocab[b]])))
    if len(gold) < 2:
        raise ValueError(f"{path}: {len(gold)} of {total} pairs have both words known, need 2")
    gold_, model_ = np.array(gold), np.array(model)
    return SimilarityResult(
        spearman=_pearson(_rank(gold_), _rank(model_)),
        pearson=_pearson(gold_, model_),
        covered=len(gold),
        total=total,
        oov_ratio=100.0 * (total - len(gold)) / total,
    )


def _ok_vocab(wv: WordVectors, restrict_vocab: int, fold: Callable[[str], str]) -> dict[str, int]:
    """Folded word -> row among the first ``restrict_vocab`` words; the first variant wins."""
    ok_vocab: dict[str, int] = {}
    for i, word in enumerate(wv.words[:restrict_vocab]):
        ok_vocab.setdefault(fold(word), i)
    return ok_vocab


def _read_questions(
    path: str | os.PathLike[str], fold: Callable[[str], str]
) -> tuple[list[tuple[str, str, str, str, str]], list[str]]:
    """``(section, a, b, c, d)`` per question (words folded) and the section names in order."""
    questions, sections = [], []
    for n, line in enumerate(read_text(path).split("\n"), start=1):
        if line.startswith(": "):
            sections.append(line.lstrip(": ").strip())  # gensim's reading of the name
            continue
        words = line.split()
        if not words:
            continue
        if not sections:
            raise ValueError(f"{path}: line {n}: question before the first ': section' line")
        if len(words) != 4:
            raise ValueError(f"{path}: line {n}: {len(words)} words, expected 4 (a b c d)")
        questions.append((sections[-1], *(fold(word) for word in words)))
    if not questions:
        raise ValueError(f"{path}: no questions in it")
    return questions, list(dict.fromkeys(sections))


def _safe_norms(vectors: np.ndarray) -> np.ndarray:
    """||e_w|| (V,) with zeros replaced by 1, so a zero vector scores 0 rather than NaN."""
    norms = np.linalg.norm(vectors, axis=1)
    return np.where(norms > 0, norms, np.float32(1.0)).astype(np.float32)


def _candidates(wv: WordVectors, ids: np.ndarray, end: int, method: str) -> np.ndarray:
    """Best ``_N_CANDIDATES`` rows among the first ``end`` for each question, best first.

    ids: (Q, 3) rows of a, b, c -> (Q, min(5, end)) row indices. A question's own rows never
    answer; when fewer than five other rows exist the missing places hold -1.

        chunk of questions (q, 3) --gather--> queries (q, E) --@ vectors.T--> scores (q, W)

    The searched rows are padded with zero vectors to W, a multiple of ``_BLOCK``, for
    :func:`_top_k`; padding and the question's own rows score -inf.
    """
    norms = _safe_norms(wv.vectors)  # (V,)
    unit = wv.vectors / norms[:, None]  # (V, E)
    width = -(-end // _BLOCK) * _BLOCK
    vectors = np.zeros((width, wv.dim), dtype=np.float32)  # (W, E)
    vectors[:end] = wv.vectors[:end]
    norms = np.concatenate([norms[:end], np.ones(width - end, dtype=np.float32)])  # (W,)
    k = min(_N_CANDIDATES, end)
    chunk = max(1, _CHUNK_ELEMENTS // width)
    best = np.empty((len(ids), k), dtype=np.int64)  # (Q, k)
    for start in range(0, len(ids), chunk):
        a, b, c = ids[start : start + chunk].T  # (q,) each
        if method == "add":
            scores = _cos_add(unit, a, b, c, vectors, norms)  # (q, W)
        else:
            scores = _cos_mul(unit, a, b, c, vectors, norms)  # (q, W)
        scores[:, end:] = -np.inf
        scores[np.arange(len(a))[:, None], np.stack([a, b, c], axis=1)] = -np.inf
        top = _top_k(scores, k)  # (q, k)
        top[np.take_along_axis(scores, top, axis=1) == -np.inf] = -1
        best[start : start + chunk] = top
    return best


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k largest scores per row, best first: (q, W) -> (q, k).

    One argpartition over 30,000 columns per question is the slow part of an evaluation, so
    partition in two steps: the k best of a row lie in the k blocks of ``_BLOCK`` columns
    with the highest maxima, and only those blocks are searched (6x faster at W = 30,000).
    """
    q, width = scores.shape
    blocks = scores.reshape(q, width // _BLOCK, _BLOCK)  # (q, n_blocks, BLOCK)
    n_best = min(k, blocks.shape[1])
    best_blocks = np.argpartition(blocks.max(axis=2), -n_best, axis=1)[:, -n_best:]  # (q, n)
    columns = best_blocks[:, :, None] * _BLOCK + np.arange(_BLOCK)  # (q, n, BLOCK)
    columns = columns.reshape(q, n_best * _BLOCK)  # (q, n * BLOCK)
    candidates = np.take_along_axis(scores, columns, axis=1)  # (q, n * BLOCK)
    top = np.argpartition(candidates, -k, axis=1)[:, -k:]  # (q, k) unordered
    order = np.argsort(-np.take_along_axis(candidates, top, axis=1), axis=1)
    return np.take_along_axis(columns, np.take_along_axis(top, order, axis=1), axis=1)


def _cos_add(unit, a, b, c, vectors, norms) -> np.ndarray:
    """3CosAdd: cos(e_w, unit(e_b + e_c - e_a)) for each question and searched row -> (q, W)."""
    mean = (unit[b] + unit[c]) - unit[a]  # (q, E) float32, summed in gensim's order
    mean = mean.astype(np.float64) / 3
    length = np.linalg.norm(mean, axis=1, keepdims=True)  # (q, 1)
    query = (mean / np.where(length > 0, length, 1.0)).astype(np.float32)  # (q, E)
    return (query @ vectors.T) / norms  # (q, W)


def _cos_mul(unit, a, b, c, vectors, norms) -> np.ndarray:
    """3CosMul: s(w, b) s(w, c) / (s(w, a) + 1e-6) with s = (1 + cos) / 2 -> (q, W)."""
    shifted = unit[np.concatenate([a, b, c])] @ vectors.T  # (3q, W), in place from here on
    shifted /= norms
    shifted += 1
    shifted /= 2
    s_a, s_b, s_c = np.split(shifted, 3)  # (q, W) each
    s_a += _EPSILON
    s_b *= s_c
    s_b /= s_a
    return s_b


def _rank(x: np.ndarray) -> np.ndarray:
    """1-based ranks of ``x`` (n,), ties sharing their average rank (scipy's rankdata)."""
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x), dtype=np.float64)
    ranks[order] = np.arange(1, len(x) + 1)
    _, groups, counts = np.unique(x, return_inverse=True, return_counts=True)
    return (np.bincount(groups, weights=ranks) / counts)[groups]


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson's r of two (n,) arrays; NaN when either is constant."""
    dx, dy = x - x.mean(), y - y.mean()
    scale = np.sqrt((dx @ dx) * (dy @ dy))
    return float(dx @ dy / scale) if scale > 0 else float("nan")
