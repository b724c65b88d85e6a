"""seqlab.embeddings.huffman: codes are prefix-free, the tree is full, the cost optimal."""

import heapq
import itertools

import numpy as np
import pytest

from seqlab.embeddings.huffman import build_huffman


def _optimal_cost(counts) -> int:
    """Independent: the optimal prefix-code cost is the sum of all merged weights."""
    heap = list(int(c) for c in counts)
    heapq.heapify(heap)
    cost = 0
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        cost += merged
        heapq.heappush(heap, merged)
    return cost


def _brute_force_optimal(counts) -> int:
    """Exhaustive over code-length vectors that satisfy Kraft's equality (tiny V only)."""
    V = len(counts)
    best = None
    for lengths in itertools.product(range(1, V), repeat=V):
        if sum(2.0**-length for length in lengths) == 1.0:
            cost = sum(c * length for c, length in zip(counts, lengths))
            best = cost if best is None else min(best, cost)
    return best


@pytest.mark.parametrize("seed", range(5))
def test_prefix_free_full_and_optimal(seed):
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 1000, size=int(rng.integers(2, 60)))
    tree = build_huffman(counts)
    codes = [tree.code(w) for w in range(len(counts))]
    assert len(set(codes)) == len(codes)
    for a, b in itertools.permutations(codes, 2):
        assert not b.startswith(a)
    assert sum(2.0 ** -len(c) for c in codes) == pytest.approx(1.0)  # a full binary tree
    assert int((counts * tree.lengths).sum()) == _optimal_cost(counts)


@pytest.mark.parametrize("counts", [[5, 1], [1, 1, 1], [10, 6, 3, 1], [4, 4, 2, 1, 1]])
def test_cost_equals_brute_force(counts):
    tree = build_huffman(np.array(counts))
    assert int((np.array(counts) * tree.lengths).sum()) == _brute_force_optimal(counts)


def test_points_are_inner_nodes_root_first():
    counts = np.array([8, 4, 2, 1, 1])
    tree = build_huffman(counts)
    V = len(counts)
    root = V - 2  # the last inner node made
    for w in range(V):
        points = tree.points[w, : tree.lengths[w]]
        assert points[0] == root and ((0 <= points) & (points < V - 1)).all()
        assert len(set(points.tolist())) == len(points)
    # words sharing a code prefix share the inner nodes of that prefix
    for a, b in itertools.combinations(range(V), 2):
        ca, cb = tree.code(a), tree.code(b)
        common = 0
        while common < min(len(ca), len(cb)) and ca[common] == cb[common]:
            common += 1
        assert (tree.points[a, : common + 1] == tree.points[b, : common + 1]).all()


def test_code_lengths_match_gensims():
    gensim = pytest.importorskip("gensim.models")
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    weights = 1.0 / np.arange(1, 41) ** 1.1
    sentences = [list(rng.choice(words, size=15, p=weights / weights.sum())) for _ in range(300)]
    model = gensim.Word2Vec(vector_size=4, min_count=1, hs=1, negative=0)
    model.build_vocab(sentences)
    counts = np.array([model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key])
    ours = build_huffman(counts)
    theirs = [len(model.wv.get_vecattr(w, "code")) for w in model.wv.index_to_key]
    assert int((counts * ours.lengths).sum()) == int((counts * np.array(theirs)).sum())


def test_errors():
    with pytest.raises(ValueError, match="at least 2"):
        build_huffman(np.array([3]))
    with pytest.raises(ValueError, match="positive"):
        build_huffman(np.array([3, 0]))
