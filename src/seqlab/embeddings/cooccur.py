"""Word-word co-occurrence counts X_ij for GloVe (Pennington et al. 2014, section 3).

X_ij sums, over every time word j appears within ``window`` tokens of word i in the same
sentence, the weight 1/d of their distance d: the symmetric, distance-weighted count that
GloVe's ``cooccur.c`` writes (``-symmetric 1``, ``-distance-weighting 1``). A pair of equal
words at distance d adds 1/d twice to the diagonal cell X_ii, once for each direction, as
``cooccur.c`` does. Windows stop at sentence ends (``cooccur.c`` resets its history at each
line break).

Counting is memory-bounded, as ``cooccur.c`` is with its temporary files:

    sentences ─┬─ chunk 1 ─> emit (pair, d) keys ─> sort ─> reduce ─┐
               ├─ chunk 2 ─> ...                                    ├─> merge into the running
               └─ chunk k ─> ...                                    ┘   sorted (pair, X) arrays

Only one triangle is counted (the pair (min(i, j), max(i, j))); both are written out at the end.
Each emitted key packs the pair and the distance into one int64, ((lo V + hi) window + d - 1),
so a plain in-place ``np.sort`` (6x faster than an argsort carrying the weights along) groups
it. Peak memory while counting: 8 bytes per (token, distance) of one chunk plus 16 bytes per
unique pair of the chunk, then 16 bytes per unique pair for the running result (twice during a
merge); the returned arrays take 32 bytes per unique pair (16 per cell, both triangles).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from seqlab.embeddings.corpus import Corpus

__all__ = ["cooccurrence"]

_INT64_MAX = np.iinfo(np.int64).max


def cooccurrence(
    corpus: Corpus, window: int, *, chunk_tokens: int = 1_000_000
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse symmetric co-occurrence matrix X of ``corpus`` with 1/distance weighting.

    For each pair of tokens i, j at distance d <= ``window`` within a sentence,
    X[i, j] += 1/d and X[j, i] += 1/d.

    Args:
        corpus: the token ids and sentence boundaries (vocabulary size V).
        window: the largest distance counted, >= 1.
        chunk_tokens: sentences are counted in chunks of about this many tokens (a chunk
            holds whole sentences, at least one); it bounds the memory of one chunk's keys to
            8 * window * chunk_tokens bytes.

    Returns:
        ``(rows, cols, values)``: int32 (nnz,), int32 (nnz,), float64 (nnz,), the non-zero
        cells sorted by (row, col), each cell once.

    Raises:
        ValueError: ``window`` or ``chunk_tokens`` below 1, or a vocabulary too large for
            the int64 keys (V^2 window >= 2^63).
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    if chunk_tokens < 1:
        raise ValueError(f"chunk_tokens must be at least 1, got {chunk_tokens}")
    V = len(corpus)
    if V * V * window >= _INT64_MAX:
        raise ValueError(f"vocabulary of {V} words is too large to count with window {window}")
    ids = np.ascontiguousarray(corpus.ids, dtype=np.int32)  # (N,)
    offsets = np.asarray(corpus.offsets, dtype=np.int64)  # (S + 1,)
    keys = np.zeros(0, dtype=np.int64)  # (U,) lo * V + hi, sorted, one triangle
    values = np.zeros(0, dtype=np.float64)  # (U,)
    for first, last in _chunks(offsets, chunk_tokens):
        chunk_offsets = offsets[first : last + 1]
        packed = np.empty(_n_pairs(chunk_offsets, window), dtype=np.int64)  # (P,)
        _emit_pairs(ids, chunk_offsets, window, V, packed)
        packed.sort()
        chunk_keys, chunk_values = _reduce_sorted(packed, window, V)
        del packed
        keys, values = _merge(keys, values, chunk_keys, chunk_values)
    return _both_triangles(keys, values, V)


def _chunks(offsets: np.ndarray, chunk_tokens: int) -> list[tuple[int, int]]:
    """Sentence ranges [first, last) of about ``chunk_tokens`` tokens each, at least one each."""
    n_sentences = offsets.shape[0] - 1
    ranges = []
    first = 0
    while first < n_sentences:
        target = offsets[first] + chunk_tokens
        last = int(np.searchsorted(offsets, target, side="right")) - 1  # offsets[last] <= target
        last = min(max(last, first + 1), n_sentences)
        ranges.append((first, last))
        first = last
    return ranges


def _n_pairs(offsets: np.ndarray, window: int) -> int:
    """How many (token, later token within ``window``) pairs sentences of these lengths hold.

    A sentence of L tokens holds sum_{d=1}^{m} (L - d) = m L - m (m + 1) / 2, m = min(window, L-1).
    """
    lengths = np.diff(offsets)  # (S,)
    m = np.clip(lengths - 1, 0, window)  # (S,)
    return int((m * lengths - m * (m + 1) // 2).sum())


@njit(nogil=True, error_model="numpy", cache=True)
def _emit_pairs(ids, offsets, window, V, out):
    """Write ((lo V + hi) window + d - 1) for every token pair at distance d <= window."""
    k = 0
    for s in range(offsets.shape[0] - 1):
        end = offsets[s + 1]
        for p in range(offsets[s], end):
            w_p = np.int64(ids[p])
            for q in range(p + 1, min(end, p + window + 1)):
                w_q = np.int64(ids[q])
                lo, hi = (w_p, w_q) if w_p <= w_q else (w_q, w_p)
                out[k] = (lo * V + hi) * window + (q - p - 1)
                k += 1


@njit(nogil=True, error_model="numpy", cache=True)
def _reduce_sorted(packed, window, V):
    """Sorted packed keys (P,) -> unique pair keys (U,) and their summed weights 1/d (U,)."""
    n = 0
    for k in range(packed.shape[0]):  # count first, so the outputs are allocated once
        if k == 0 or packed[k] // window != packed[k - 1] // window:
            n += 1
    keys = np.empty(n, dtype=np.int64)
    values = np.zeros(n, dtype=np.float64)
    n = -1
    for k in range(packed.shape[0]):
        pair = packed[k] // window
        if k == 0 or pair != packed[k - 1] // window:
            n += 1
            keys[n] = pair
        weight = 1.0 / (packed[k] % window + 1)
        values[n] += 2.0 * weight if pair // V == pair % V else weight  # i == j: both directions
    return keys, values


@njit(nogil=True, error_model="numpy", cache=True)
def _merge(keys_a, values_a, keys_b, values_b):
    """Merge two sorted unique key arrays, adding the values of keys found in both."""
    n_a, n_b = keys_a.shape[0], keys_b.shape[0]
    n, a, b = n_a + n_b, 0, 0
    while a < n_a and b < n_b:  # count the shared keys first, so memory is allocated once
        if keys_a[a] == keys_b[b]:
            n -= 1
        a, b = a + (keys_a[a] <= keys_b[b]), b + (keys_b[b] <= keys_a[a])
    keys = np.empty(n, dtype=np.int64)
    values = np.empty(n, dtype=np.float64)
    a = b = 0
    for k in range(n):
        if b == n_b or (a < n_a and keys_a[a] < keys_b[b]):
            keys[k], values[k] = keys_a[a], values_a[a]
            a += 1
        elif a == n_a or keys_b[b] < keys_a[a]:
            keys[k], values[k] = keys_b[b], values_b[b]
            b += 1
        else:
            keys[k], values[k] = keys_a[a], values_a[a] + values_b[b]
            a += 1
            b += 1
    return keys, values


@njit(nogil=True, error_model="numpy", cache=True)
def _both_triangles(keys, values, V):
    """One sorted triangle (lo V + hi) -> both, sorted by (row, col), by a counting sort.

    Row r holds first the mirrored cells (r, lo) with lo < r, then the cells (r, hi) with
    hi >= r; the sorted input yields each group in increasing column order.
    """
    lo = (keys // V).astype(np.int32)  # (U,)
    hi = (keys % V).astype(np.int32)  # (U,)
    next_slot = np.zeros(V + 1, dtype=np.int64)
    for k in range(keys.shape[0]):
        next_slot[lo[k] + 1] += 1
        if lo[k] != hi[k]:
            next_slot[hi[k] + 1] += 1
    next_slot = np.cumsum(next_slot)  # row r starts at next_slot[r]
    nnz = next_slot[V]
    rows = np.empty(nnz, dtype=np.int32)
    cols = np.empty(nnz, dtype=np.int32)
    out = np.empty(nnz, dtype=np.float64)
    for k in range(keys.shape[0]):  # mirrored cells first ...
        if lo[k] != hi[k]:
            s = next_slot[hi[k]]
            rows[s], cols[s], out[s] = hi[k], lo[k], values[k]
            next_slot[hi[k]] += 1
    for k in range(keys.shape[0]):  # ... then the stored triangle
        s = next_slot[lo[k]]
        rows[s], cols[s], out[s] = lo[k], hi[k], values[k]
        next_slot[lo[k]] += 1
    return rows, cols, out
