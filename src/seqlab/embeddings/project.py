"""2-D projections of word vectors for plots: PCA and t-SNE.

The notes' "Visualizing word embeddings" (van der Maaten & Hinton 2008, t-SNE) and the plots
of Bolukbasi et al. 2016, where words are drawn along the bias direction.

Implemented here:

- :func:`pca_2d`: the first two principal components by SVD of the centred matrix, with
  scikit-learn's sign convention (the largest-magnitude entry of each component is positive),
  so that the same matrix always gives the same picture.
- :func:`tsne_2d`: scikit-learn's ``TSNE`` (a dependency of seqlab, imported only here), with
  the perplexity clamped to what a small set of words allows.
- :func:`project`: either one applied to the vectors of a list of words.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from seqlab.embeddings.vectors import WordVectors

__all__ = ["pca_2d", "project", "tsne_2d"]

logger = logging.getLogger(__name__)

_MIN_TSNE_ITER = 250  # scikit-learn's smallest max_iter


def pca_2d(matrix: np.ndarray) -> np.ndarray:
    """Coordinates of each row on the first two principal components.

    X_c = X - mean(X), X_c = U S V^T, coordinates = X_c V[:, :2]. Each component (row of V^T)
    is flipped so its largest-magnitude entry is positive, as scikit-learn's PCA does.

    Args:
        matrix: (N, E) finite numbers, N >= 2 rows, E >= 2 columns.

    Returns:
        float64 (N, 2).

    Raises:
        ValueError: not 2-D, fewer than 2 rows or columns, or NaN/infinity.
    """
    x = _check_matrix(matrix, min_rows=2)
    if x.shape[1] < 2:
        raise ValueError(f"pca_2d needs at least 2 columns, got {x.shape[1]}")
    centred = x - x.mean(axis=0)  # (N, E)
    components = np.linalg.svd(centred, full_matrices=False)[2][:2]  # (2, E)
    largest = np.argmax(np.abs(components), axis=1)  # (2,)
    signs = np.sign(components[np.arange(2), largest])  # (2,)
    return centred @ (components * signs[:, None]).T  # (N, 2)


def tsne_2d(
    matrix: np.ndarray,
    *,
    perplexity: float = 30.0,
    n_iter: int = 1000,
    seed: int = 0,
    init: str = "pca",
) -> np.ndarray:
    """t-SNE embedding of the rows in 2-D, by scikit-learn's ``TSNE``.

    t-SNE needs about 3 * perplexity neighbours per point, so the perplexity is clamped to
    (N - 1) / 3 for small N (scikit-learn itself only refuses perplexity >= N).

    Args:
        matrix: (N, E) finite numbers, N >= 3 rows.
        perplexity: the effective number of neighbours, > 0.
        n_iter: optimisation steps, >= 250 (scikit-learn's ``max_iter``).
        seed: the random state; the same seed gives the same result.
        init: ``"pca"`` or ``"random"``.

    Returns:
        float64 (N, 2).

    Raises:
        ValueError: fewer than 3 rows, bad arguments, NaN/infinity, or scikit-learn missing.
    """
    x = _check_matrix(matrix, min_rows=3)
    if not perplexity > 0:
        raise ValueError(f"perplexity must be > 0, got {perplexity}")
    if n_iter < _MIN_TSNE_ITER:
        raise ValueError(f"n_iter must be at least {_MIN_TSNE_ITER}, got {n_iter}")
    if init not in ("pca", "random"):
        raise ValueError(f"init must be 'pca' or 'random', got {init!r}")
    try:
        from sklearn.manifold import TSNE
    except ImportError:
        raise ValueError("t-SNE needs scikit-learn, a dependency of seqlab that is missing "
                         "here: pip install scikit-learn") from None  # fmt: skip
    n = x.shape[0]
    if perplexity > (n - 1) / 3:
        logger.info(
            "tsne_2d: perplexity %s clamped to %s for %d points", perplexity, (n - 1) / 3, n
        )
        perplexity = (n - 1) / 3
    options = {"perplexity": perplexity, "init": init, "random_state": seed}
    try:
        tsne = TSNE(n_components=2, max_iter=n_iter, **options)
    except TypeError:  # scikit-learn < 1.5 calls max_iter n_iter
        tsne = TSNE(n_components=2, n_iter=n_iter, **options)
    return tsne.fit_transform(x).astype(np.float64)  # (N, 2)


def project(
    wv: WordVectors,
    words: Sequence[str],
    *,
    method: str = "pca",
    perplexity: float = 30.0,
    n_iter: int = 1000,
    seed: int = 0,
    init: str = "pca",
) -> tuple[list[str], np.ndarray]:
    """2-D coordinates of the vectors of ``words``, ready to scatter-plot and label.

    Args:
        wv: the table.
        words: the N words to place.
        method: ``"pca"`` (:func:`pca_2d`) or ``"tsne"`` (:func:`tsne_2d`).
        perplexity, n_iter, seed, init: passed to :func:`tsne_2d`; ignored for PCA.

    Returns:
        ``(words, coordinates)``: the words as a list, and float64 (N, 2), row i for word i.

    Raises:
        ValueError: unknown method, unknown words (all are named), or what the method raises.
    """
    if method not in ("pca", "tsne"):
        raise ValueError(f"method must be 'pca' or 'tsne', got {method!r}")
    words = list(words)
    missing = [word for word in dict.fromkeys(words) if word not in wv]
    if len(missing) == 1:
        wv.index(missing[0])  # the table's own message, with suggestions
    if missing:
        shown = ", ".join(repr(word) for word in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        raise ValueError(f"{len(missing)} unknown words: {shown}{more}")
    matrix = wv.vectors[[wv.index(word) for word in words]]  # (N, E)
    if method == "pca":
        return words, pca_2d(matrix)
    return words, tsne_2d(matrix, perplexity=perplexity, n_iter=n_iter, seed=seed, init=init)


def _check_matrix(matrix: np.ndarray, *, min_rows: int) -> np.ndarray:
    """``matrix`` as float64 (N, E), N >= ``min_rows``; ValueError otherwise or if not finite."""
    x = np.asarray(matrix, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"matrix must be 2-D (N, E), got shape {x.shape}")
    if x.shape[0] < min_rows:
        raise ValueError(f"need at least {min_rows} rows (words) to project, got {x.shape[0]}")
    if not np.isfinite(x).all():
        raise ValueError("matrix holds NaN or infinity")
    return x
