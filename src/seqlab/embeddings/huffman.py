"""The Huffman tree of hierarchical softmax (Morin & Bengio 2005; word2vec's ``-hs 1``).

The notes' hierarchical softmax replaces one V-way softmax by a path of binary decisions down a
tree whose leaves are the words. A Huffman tree built from the word counts gives frequent words
short paths, so the expected cost per word is the entropy of the unigram distribution, not log V.

Each word w gets a code (the left/right bits from the root) and the points (the inner nodes on
its path, numbered 0 .. V-2, the rows of the output matrix ``syn1``). Word w's probability is
prod_d sigmoid((1 - 2 code_d) * theta_{point_d} . e), the form word2vec.c and gensim train.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

__all__ = ["HuffmanTree", "build_huffman"]


@dataclass(frozen=True, eq=False)
class HuffmanTree:
    """Codes and paths of every word, padded into matrices for the compiled training loop.

    Attributes:
        codes: uint8 (V, L), bit d of word w's code in ``codes[w, d]`` for d < lengths[w].
        points: int32 (V, L), the inner node (0 .. V-2) deciding bit d, root first.
        lengths: int32 (V,), code length of each word.
    """

    codes: np.ndarray
    points: np.ndarray
    lengths: np.ndarray

    def code(self, w: int) -> str:
        """Word w's code as a string of 0/1, root first."""
        return "".join(str(b) for b in self.codes[w, : self.lengths[w]])


def build_huffman(counts: np.ndarray) -> HuffmanTree:
    """Build the Huffman tree of the given word counts.

    Args:
        counts: int (V,) positive counts, V >= 2.

    Returns:
        The tree; the two least frequent subtrees are merged first, the smaller (or, on ties,
        the earlier-made) node taking bit 0, as word2vec.c assigns them.
    """
    counts = np.asarray(counts, dtype=np.int64)
    V = counts.shape[0]
    if V < 2:
        raise ValueError(f"hierarchical softmax needs at least 2 words, got {V}")
    if (counts <= 0).any():
        raise ValueError("Huffman counts must be positive")
    # nodes 0..V-1 are leaves, V..2V-2 inner nodes; heap entries (count, node)
    heap = [(int(c), w) for w, c in enumerate(counts)]
    heapq.heapify(heap)
    parent = np.zeros(2 * V - 1, dtype=np.int64)
    bit = np.zeros(2 * V - 1, dtype=np.uint8)
    for node in range(V, 2 * V - 1):
        c0, n0 = heapq.heappop(heap)
        c1, n1 = heapq.heappop(heap)
        parent[n0], parent[n1] = node, node
        bit[n1] = 1
        heapq.heappush(heap, (c0 + c1, node))
    root = 2 * V - 2
    paths: list[tuple[list[int], list[int]]] = []
    for w in range(V):
        codes, points, node = [], [], w
        while node != root:
            codes.append(int(bit[node]))
            points.append(int(parent[node]) - V)
            node = int(parent[node])
        paths.append((codes[::-1], points[::-1]))
    L = max(len(c) for c, _ in paths)
    tree_codes = np.zeros((V, L), dtype=np.uint8)
    tree_points = np.zeros((V, L), dtype=np.int32)
    lengths = np.zeros(V, dtype=np.int32)
    for w, (codes, points) in enumerate(paths):
        lengths[w] = len(codes)
        tree_codes[w, : len(codes)] = codes
        tree_points[w, : len(points)] = points
    return HuffmanTree(codes=tree_codes, points=tree_points, lengths=lengths)
