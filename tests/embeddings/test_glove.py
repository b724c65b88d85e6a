"""seqlab.embeddings.glove: counting vs brute force, AdaGrad vs a NumPy reference, gradient vs
torch autograd, and training that learns something."""

import math

import numpy as np
import pytest
import torch

from seqlab.embeddings.corpus import Corpus, build_corpus
from seqlab.embeddings.glove import (
    GloVe,
    GloVeConfig,
    _adagrad_pass,
    cooccurrence,
    initial_parameters,
    shuffle_order,
    weighting,
)


def _random_corpus(seed: int = 3, n_sentences: int = 40, n_types: int = 15) -> Corpus:
    """Sentences of 1 to 14 tokens over few types, so words repeat (diagonal cells)."""
    rng = np.random.default_rng(seed)
    sentences = [
        [f"w{t}" for t in rng.integers(0, n_types, rng.integers(1, 15))] for _ in range(n_sentences)
    ]
    return build_corpus(sentences, min_count=1)


def _brute_force(corpus: Corpus, window: int) -> dict[tuple[int, int], float]:
    """X[i, j] += 1/d, X[j, i] += 1/d for every pair at distance d <= window in a sentence."""
    index = corpus.index()
    X: dict[tuple[int, int], float] = {}
    for sentence in corpus.sentences():
        ids = [index[w] for w in sentence]
        for p in range(len(ids)):
            for q in range(p + 1, min(len(ids), p + window + 1)):
                for cell in ((ids[p], ids[q]), (ids[q], ids[p])):
                    X[cell] = X.get(cell, 0.0) + 1.0 / (q - p)
    return X


def _topic_corpus(seed: int = 0) -> Corpus:
    """Two topics of six words; a sentence draws 8 words from one topic, rarely (p = 0.2) one
    word of the other, and holds 'the'. Related words co-occur often, unrelated ones seldom."""
    rng = np.random.default_rng(seed)
    topics = [[f"a{k}" for k in range(6)], [f"b{k}" for k in range(6)]]
    sentences = []
    for _ in range(400):
        topic = int(rng.integers(2))
        words = [str(w) for w in rng.choice(topics[topic], size=8)]
        if rng.random() < 0.2:
            words.insert(int(rng.integers(9)), str(rng.choice(topics[1 - topic])))
        words.insert(int(rng.integers(len(words) + 1)), "the")
        sentences.append(words)
    return build_corpus(sentences, min_count=1)


# -- cooccurrence -------------------------------------------------------------------------------


@pytest.mark.parametrize("window", [1, 2, 3, 7, 20])
def test_cooccurrence_equals_brute_force(window):
    corpus = _random_corpus()
    rows, cols, values = cooccurrence(corpus, window)
    expected = _brute_force(corpus, window)
    cells = sorted(expected)  # sorted by (row, col), each once
    assert rows.dtype == np.int32 and cols.dtype == np.int32 and values.dtype == np.float64
    assert list(zip(rows.tolist(), cols.tolist())) == cells
    np.testing.assert_allclose(values, [expected[c] for c in cells], rtol=1e-12)


def test_cooccurrence_hand_computed_with_sentence_boundary():
    # "a b a" with window 2: (a,b) d=1, (b,a) d=1, (a,a) d=2; "c a" is another sentence
    corpus = build_corpus([["a", "b", "a"], ["c", "a"]], min_count=1)  # ids a=0, b=1, c=2
    rows, cols, values = cooccurrence(corpus, 2)
    got = {(r, c): v for r, c, v in zip(rows.tolist(), cols.tolist(), values.tolist())}
    # the diagonal gets 1/d twice (once per direction), as glove's cooccur.c; no (b, c) cell
    assert got == {(0, 0): 1.0, (0, 1): 2.0, (1, 0): 2.0, (0, 2): 1.0, (2, 0): 1.0}


@pytest.mark.parametrize("chunk_tokens", [1, 5, 37, 10_000])
@pytest.mark.parametrize("window", [2, 5])
def test_cooccurrence_chunked_equals_one_chunk(chunk_tokens, window):
    corpus = _random_corpus(seed=11, n_sentences=60)
    one = cooccurrence(corpus, window, chunk_tokens=corpus.n_tokens)
    chunked = cooccurrence(corpus, window, chunk_tokens=chunk_tokens)
    np.testing.assert_array_equal(chunked[0], one[0])
    np.testing.assert_array_equal(chunked[1], one[1])
    np.testing.assert_allclose(chunked[2], one[2], rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"window": 0}, "window must be at least 1"), ({"window": 2, "chunk_tokens": 0}, "chunk")],
)
def test_cooccurrence_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        cooccurrence(_random_corpus(), **kwargs)


# -- weighting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "x_max", "alpha", "expected"),
    [
        (1.0, 100.0, 0.75, 0.01**0.75),
        (50.0, 100.0, 0.75, 0.5**0.75),
        (99.999, 100.0, 0.75, 0.99999**0.75),
        (100.0, 100.0, 0.75, 1.0),
        (1e6, 100.0, 0.75, 1.0),
        (0.5, 2.0, 1.0, 0.25),
        (3.0, 2.0, 1.0, 1.0),
        (0.25, 1.0, 0.5, 0.5),
    ],
)
def test_weighting_matches_formula(x, x_max, alpha, expected):
    got = weighting(np.array([x]), x_max, alpha)
    assert got.dtype == np.float64
    assert got[0] == pytest.approx(expected, rel=1e-12)


def test_weighting_keeps_shape():
    x = np.array([[1.0, 200.0], [10.0, 100.0]])
    got = weighting(x, 100.0, 0.75)
    np.testing.assert_allclose(got, [[0.01**0.75, 1.0], [0.1**0.75, 1.0]], rtol=1e-12)


def test_shuffle_order_is_a_fresh_seeded_permutation_each_epoch():
    first = shuffle_order(1000, seed=0, epoch=1)
    assert sorted(first.tolist()) == list(range(1000))
    np.testing.assert_array_equal(first, shuffle_order(1000, seed=0, epoch=1))
    assert not np.array_equal(first, shuffle_order(1000, seed=0, epoch=2))
    assert not np.array_equal(first, shuffle_order(1000, seed=1, epoch=1))


# -- the AdaGrad step ---------------------------------------------------------------------------


def _reference_training(corpus: Corpus, cfg: GloVeConfig) -> tuple[list[np.ndarray], list[float]]:
    """glove.c's AdaGrad loop written out in float64 NumPy, one pair at a time."""
    rows, cols, x = cooccurrence(corpus, cfg.window)
    f = np.where(x < cfg.x_max, (x / cfg.x_max) ** cfg.alpha, 1.0)
    W, W_t, b, b_t = (p.astype(np.float64) for p in initial_parameters(len(corpus), cfg.dim,
                                                                          cfg.seed))  # fmt: skip
    G_W, G_Wt, G_b, G_bt = np.ones_like(W), np.ones_like(W_t), np.ones_like(b), np.ones_like(b_t)
    eta, clip = cfg.learning_rate, cfg.grad_clip
    losses = []
    for epoch in range(1, cfg.epochs + 1):
        cost = 0.0
        for p in shuffle_order(len(x), seed=cfg.seed, epoch=epoch):
            i, j = rows[p], cols[p]
            diff = W[i] @ W_t[j] + b[i] + b_t[j] - np.log(x[p])
            cost += 0.5 * f[p] * diff**2
            d = f[p] * diff
            step_i = eta * np.clip(d * W_t[j], -clip, clip)
            step_j = eta * np.clip(d * W[i], -clip, clip)
            W[i] -= step_i / np.sqrt(G_W[i])  # update with the old G, then accumulate
            W_t[j] -= step_j / np.sqrt(G_Wt[j])
            G_W[i] += step_i**2
            G_Wt[j] += step_j**2
            b[i] -= eta * d / np.sqrt(G_b[i])
            b_t[j] -= eta * d / np.sqrt(G_bt[j])
            G_b[i] += (eta * d) ** 2
            G_bt[j] += (eta * d) ** 2
        losses.append(cost / len(x))
    return [W, W_t, b, b_t], losses


@pytest.mark.parametrize(
    ("epochs", "grad_clip"), [(1, 100.0), (2, 100.0), (2, 0.004)]
)  # 0.004 clips most steps
def test_training_equals_numpy_reference(epochs, grad_clip):
    corpus = _random_corpus(seed=5, n_sentences=12, n_types=8)
    cfg = GloVeConfig(dim=6, window=3, x_max=2.0, learning_rate=0.3, epochs=epochs, threads=1,
                      seed=4, grad_clip=grad_clip)  # fmt: skip
    model = GloVe(cfg)
    history = model.train(corpus)
    expected, losses = _reference_training(corpus, cfg)
    for got, want in zip([model.W, model.W_tilde, model.b, model.b_tilde], expected):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-6)
    np.testing.assert_allclose([s.loss for s in history], losses, rtol=1e-5)
    assert model.epoch_losses == [s.loss for s in history]


def test_kernel_step_is_the_autograd_gradient():
    """One pair, fresh G = 1, no clipping: w_new = w - eta dJ/dw and G_new = 1 + (eta dJ/dw)^2,
    for J = 0.5 f diff^2."""
    rng = np.random.default_rng(1)
    V, E, eta, x, f = 4, 7, 0.1, 3.5, 0.4
    W, W_t = rng.normal(size=(2, V, E)).astype(np.float32)
    b, b_t = rng.normal(size=(2, V)).astype(np.float32)
    i, j = 2, 1
    params = [torch.tensor(a[k], dtype=torch.float64, requires_grad=True)
              for a, k in ((W, i), (W_t, j), (b, i), (b_t, j))]  # fmt: skip
    w_i, w_j, b_i, b_j = params
    J = 0.5 * f * (w_i @ w_j + b_i + b_j - math.log(x)) ** 2
    J.backward()
    old = [W[i].copy(), W_t[j].copy(), b[i].copy(), b_t[j].copy()]
    G = [np.ones_like(W), np.ones_like(W_t), np.ones_like(b), np.ones_like(b_t)]
    cost = _adagrad_pass(
        np.array([i], np.int32), np.array([j], np.int32), np.array([math.log(x)], np.float32),
        np.array([f], np.float32), W, W_t, b, b_t, *G,
        np.float32(eta), np.float32(1e9),
    )  # fmt: skip
    assert cost == pytest.approx(J.item(), rel=1e-5)
    G_new = [G[0][i], G[1][j], G[2][i], G[3][j]]
    for before, after, p, G_p in zip(old, [W[i], W_t[j], b[i], b_t[j]], params, G_new):
        grad = p.grad.numpy()
        np.testing.assert_allclose((before - after) / eta, grad, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(G_p, 1 + (eta * grad) ** 2, rtol=1e-5)
    assert G[0][0].tolist() == [1.0] * E  # other rows untouched


# -- training -----------------------------------------------------------------------------------


def test_loss_falls_and_topic_words_end_up_similar():
    corpus = _topic_corpus()
    model = GloVe(GloVeConfig(dim=10, window=4, x_max=10.0, epochs=40, threads=2))
    history = model.train(corpus)
    losses = [s.loss for s in history]
    assert losses[-1] < 0.3 * losses[0]
    assert losses[-1] < losses[-5]
    wv = model.vectors
    topics = [[f"a{k}" for k in range(6)], [f"b{k}" for k in range(6)]]
    within = [wv.similarity(u, v) for g in topics for u in g for v in g if u < v]
    across = [wv.similarity(u, v) for u in topics[0] for v in topics[1]]
    assert min(within) > max(across) + 0.5, (min(within), max(across))
    for group in topics:
        for word in group:
            neighbours = wv.subset(topics[0] + topics[1]).most_similar(word, topn=5)
            assert {w for w, _ in neighbours} == set(group) - {word}


def test_threads_1_is_deterministic_and_seeds_differ():
    corpus = _random_corpus()
    cfg = GloVeConfig(dim=8, window=3, epochs=3, threads=1, seed=7)
    first, second = GloVe(cfg), GloVe(cfg)
    first.train(corpus)
    second.train(corpus)
    np.testing.assert_array_equal(first.W, second.W)
    np.testing.assert_array_equal(first.b_tilde, second.b_tilde)
    assert first.epoch_losses == second.epoch_losses
    other = GloVe(GloVeConfig(dim=8, window=3, epochs=3, threads=1, seed=8))
    other.train(corpus)
    assert not np.array_equal(first.W, other.W)


def test_vectors_are_W_plus_W_tilde():
    corpus = _random_corpus()
    model = GloVe(GloVeConfig(dim=5, window=2, epochs=1))
    model.train(corpus)
    wv = model.vectors
    assert wv.words == corpus.words
    assert model.W.shape == model.W_tilde.shape == (len(corpus), 5)
    assert model.b.shape == model.b_tilde.shape == (len(corpus),)
    np.testing.assert_array_equal(wv.vectors, model.W + model.W_tilde)


@pytest.mark.parametrize("threads", [1, 3])
def test_progress_speaks_corpus_tokens(threads):
    corpus = _random_corpus()
    reported: list[int] = []
    stats = []
    cfg = GloVeConfig(dim=4, window=2, epochs=3, threads=threads)
    history = GloVe(cfg).train(corpus, callbacks=[stats.append], on_progress=reported.append)
    assert sum(reported) == 3 * corpus.n_tokens
    assert all(n > 0 for n in reported)
    assert stats == history
    assert [s.epoch for s in history] == [1, 2, 3]
    assert all(s.words == corpus.n_tokens and s.learning_rate == 0.05 for s in history)


def test_progress_hook_exception_propagates():
    def hook(n: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        GloVe(GloVeConfig(dim=4, epochs=2)).train(_random_corpus(), on_progress=hook)


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field_value",
    [("dim", 0), ("window", 0), ("x_max", 0.0), ("x_max", math.inf), ("alpha", -0.5),
     ("alpha", math.nan), ("learning_rate", 0.0), ("learning_rate", math.nan), ("epochs", 0),
     ("threads", 0), ("seed", -1), ("grad_clip", 0.0), ("chunk_tokens", 0)],
)  # fmt: skip
def test_config_rejects_bad_values_naming_the_field(field_value):
    field, value = field_value
    with pytest.raises(ValueError, match=rf"GloVeConfig\.{field} must be"):
        GloVeConfig(**{field: value})


def test_untrained_model_has_no_vectors():
    model = GloVe()
    assert model.W is None and model.epoch_losses == []
    with pytest.raises(ValueError, match="call train"):
        _ = model.vectors


def test_rejects_corpus_of_one_word():
    with pytest.raises(ValueError, match="at least 2 words"):
        GloVe().train(build_corpus([["a", "a", "a"]], min_count=1))


def test_rejects_corpus_without_cooccurrences():
    with pytest.raises(ValueError, match="no co-occurring pair"):
        GloVe().train(build_corpus([["a"], ["b"], ["a"]], min_count=1))


def test_divergence_is_reported():
    cfg = GloVeConfig(dim=8, window=3, learning_rate=1e30, grad_clip=1e38, epochs=3, threads=1)
    model = GloVe(cfg)
    with pytest.raises(ValueError, match="diverged.*lower learning_rate"):
        model.train(_random_corpus())
    with pytest.raises(ValueError, match="call train"):
        _ = model.vectors
