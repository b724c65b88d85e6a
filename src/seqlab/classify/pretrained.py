"""Pretrained word vectors (e.g. GloVe) as the first embeddings of a classifier or tagger."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor

from seqlab.text import Vocabulary

__all__ = ["check_vectors", "load_vectors", "pretrained_rows", "vector_words"]


def pretrained_rows(
    vocab: Vocabulary, vectors: Any, *, lower_fallback: bool = True
) -> tuple[Tensor, Tensor]:
    """The rows of a word-vector store for a vocabulary.

    Args:
        vocab: the model's vocabulary.
        vectors: a :class:`seqlab.embeddings.WordVectors`.
        lower_fallback: try the lower-cased word when the exact one is missing.

    Returns:
        (matrix (V, E) float32, found (V,) bool): found is False for the special tokens and
        for words the vectors do not know (their rows are zero).
    """
    V, E = len(vocab), vectors.dim
    matrix = np.zeros((V, E), dtype=np.float32)
    found = np.zeros(V, dtype=bool)
    for i, word in enumerate(vocab.tokens):
        if i < len(Vocabulary.SPECIALS):
            continue
        for candidate in (word, word.lower()) if lower_fallback else (word,):
            if candidate in vectors:
                matrix[i] = vectors.vector(candidate)
                found[i] = True
                break
    return torch.from_numpy(matrix), torch.from_numpy(found)


def check_vectors(vectors: Any, embedding_size: int) -> None:
    """A ValueError unless the vectors (if any) have the embedding size."""
    if vectors is not None and vectors.dim != embedding_size:
        raise ValueError(
            f"the vectors have dimension {vectors.dim} but embedding_size is {embedding_size} "
            f"(set --embedding-size {vectors.dim})"
        )


def vector_words(vectors: Any, use: bool, lower: bool) -> list[str]:
    """The words of the vectors to add to the vocabulary (``use``: --vectors full), lower-cased
    ones only when the model lower-cases its input."""
    if vectors is None or not use:
        return []
    return [w for w in vectors.words if not lower or w == w.lower()]


def load_vectors(model: Any, vocab: Vocabulary, vectors: Any) -> int:
    """Copy the vectors' rows into the model; returns how many vocabulary words they knew."""
    if vectors is None:
        return 0
    matrix, found = pretrained_rows(vocab, vectors)
    model.set_embeddings(matrix, keep=found)
    return int(found.sum())
