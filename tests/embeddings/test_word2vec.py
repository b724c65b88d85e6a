"""seqlab.embeddings.word2vec: the compiled loop vs a NumPy reference, the samplers, learning."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from seqlab.embeddings import _w2v_kernel as kernel
from seqlab.embeddings.corpus import build_corpus, noise_distribution
from seqlab.embeddings.huffman import build_huffman
from seqlab.embeddings.word2vec import Word2Vec, Word2VecConfig, _jobs

EXP, LOSS = kernel.sigmoid_tables()


def _table_sigmoid(f: float) -> float:
    if f >= kernel.MAX_EXP:
        return 1.0
    if f <= -kernel.MAX_EXP:
        return 0.0
    return float(EXP[int((f + kernel.MAX_EXP) * (kernel.EXP_TABLE_SIZE / kernel.MAX_EXP / 2))])


def test_sigmoid_tables_approximate_sigmoid():
    x = np.linspace(-5.99, 5.99, 2001)
    idx = ((x + kernel.MAX_EXP) * (kernel.EXP_TABLE_SIZE / kernel.MAX_EXP / 2)).astype(int)
    np.testing.assert_allclose(EXP[idx], 1 / (1 + np.exp(-x)), atol=4e-3)
    np.testing.assert_allclose(LOSS[idx], np.log1p(np.exp(-x)), atol=1.3e-2)


# -- negative sampling: P(w) ~ count^(3/4) ---------------------------------------------------


def test_alias_table_implies_the_noise_distribution_exactly():
    counts = np.array([1000, 300, 120, 40, 7, 1, 1])
    p = noise_distribution(counts)
    prob, alias = kernel.alias_table(p)
    V = len(p)
    implied = prob.astype(np.float64) / V
    for i in range(V):
        implied[alias[i]] += (1.0 - prob[i]) / V
    np.testing.assert_allclose(implied, p, atol=1e-7)


def test_negatives_are_drawn_from_unigram_to_three_quarters():
    counts = np.array([5000, 1200, 300, 80, 10, 3])
    p = counts**0.75 / (counts**0.75).sum()
    prob, alias = kernel.alias_table(noise_distribution(counts))
    n = 400_000
    draws = kernel.draw_noise(prob, alias, n, 12345)
    freq = np.bincount(draws, minlength=len(counts)) / n
    sigma = np.sqrt(p * (1 - p) / n)
    assert (np.abs(freq - p) < 5 * sigma).all(), (freq, p)
    # and not plain unigram frequencies
    assert abs(freq[0] - counts[0] / counts.sum()) > 0.05


# -- one logistic decision vs autograd -----------------------------------------------------


@pytest.mark.parametrize("label", [0.0, 1.0])
def test_binary_step_is_sgd_on_the_logistic_loss(label):
    rng = np.random.default_rng(int(label))
    l1 = rng.normal(scale=0.5, size=16).astype(np.float32)
    theta = rng.normal(scale=0.5, size=16).astype(np.float32)
    alpha = np.float32(0.1)
    e = torch.tensor(l1, dtype=torch.float64, requires_grad=True)
    t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    z = (e @ t) if label else -(e @ t)
    loss = -torch.nn.functional.logsigmoid(z)
    loss.backward()
    theta_new = theta.copy()
    got_loss, neu1e = kernel.binary_step(l1, theta_new, np.float32(label), alpha, EXP, LOSS)
    assert got_loss == pytest.approx(loss.item(), abs=1.3e-2)
    scale = np.abs(l1).max() * 4e-3 * alpha + 1e-6  # the sigmoid table's step
    np.testing.assert_allclose(neu1e, -alpha * e.grad.numpy(), atol=scale * 10)
    np.testing.assert_allclose(theta_new - theta, -alpha * t.grad.numpy(), atol=scale * 10)


# -- the whole loop vs a NumPy reference (hierarchical softmax, window 1: no randomness) -----


def _reference(sentences, syn0, syn1, tree, alpha, *, sg):
    """Sequential word2vec with hierarchical softmax, written from the paper's equations."""
    total = 0.0
    for sent in sentences:
        for i, target in enumerate(sent):
            context = [sent[j] for j in (i - 1, i + 1) if 0 <= j < len(sent)]
            inputs = [[c] for c in context] if sg else ([context] if context else [])
            for group in inputs:
                h = syn0[group].mean(axis=0)
                neu1e = np.zeros_like(h)
                for d in range(tree.lengths[target]):
                    node, label = tree.points[target, d], 1.0 - tree.codes[target, d]
                    f = float(h @ syn1[node])
                    total += np.log1p(np.exp(-f if label else f))
                    g = (label - _table_sigmoid(f)) * alpha
                    neu1e += g * syn1[node]
                    syn1[node] += g * h
                for c in group:
                    syn0[c] += neu1e
    return total


@pytest.mark.parametrize("sg", [True, False])
def test_hierarchical_softmax_loop_equals_reference(sg):
    rng = np.random.default_rng(5)
    sentences = [list(rng.integers(0, 7, size=int(rng.integers(1, 9)))) for _ in range(12)]
    corpus = build_corpus([[f"w{i}" for i in s] for s in sentences], min_count=1)
    index = corpus.index()
    sentences = [[index[f"w{i}"] for i in s] for s in sentences]
    V, D = len(corpus), 6
    tree = build_huffman(corpus.counts)
    syn0 = rng.normal(scale=0.8, size=(V, D)).astype(np.float32)
    syn1 = rng.normal(scale=0.8, size=(V - 1, D)).astype(np.float32)
    ref0, ref1 = syn0.astype(np.float64), syn1.astype(np.float64)
    ref_loss = _reference(sentences, ref0, ref1, tree, 0.05, sg=sg)
    prob, alias = kernel.alias_table(noise_distribution(corpus.counts))
    loss, n_examples, n_kept = kernel.train_job(
        corpus.ids,
        corpus.offsets,
        0,
        corpus.n_sentences,
        syn0,
        np.zeros_like(syn0),
        syn1,
        np.ones(V, np.float32),
        prob,
        alias,
        tree.codes,
        tree.points,
        tree.lengths,
        sg,
        True,
        1,
        0,
        True,
        np.float32(0.05),
        3,
        EXP,
        LOSS,
    )
    assert n_kept == corpus.n_tokens
    n_pairs = sum(2 * len(s) - 2 for s in sentences if len(s) > 1)
    n_targets = sum(len(s) for s in sentences if len(s) > 1)
    assert n_examples == (n_pairs if sg else n_targets)
    np.testing.assert_allclose(syn0, ref0, atol=2e-5)
    np.testing.assert_allclose(syn1, ref1, atol=2e-5)
    n_decisions = n_examples * tree.lengths.mean()
    assert loss == pytest.approx(ref_loss, abs=1.3e-2 * n_decisions)


# -- training --------------------------------------------------------------------------------


def _topics(seed=0, n=600):
    """Sentences drawn from one of two disjoint topics: words of a topic co-occur."""
    rng = np.random.default_rng(seed)
    topics = [[f"a{i}" for i in range(8)], [f"b{i}" for i in range(8)]]
    return [list(rng.choice(topics[k % 2], size=10)) for k in range(n)]


def _separation(wv):
    unit = wv.vectors / np.linalg.norm(wv.vectors, axis=1, keepdims=True)
    a = [wv.index(f"a{i}") for i in range(8)]
    b = [wv.index(f"b{i}") for i in range(8)]
    within = (unit[a] @ unit[a].T)[np.triu_indices(8, 1)].mean()
    across = (unit[a] @ unit[b].T).mean()
    return within - across


@pytest.mark.parametrize(
    ("sg", "hs", "negative"),
    [(True, False, 5), (False, False, 5), (True, True, 0), (False, True, 0), (True, True, 3)],
)
def test_learns_topics_and_loss_falls(sg, hs, negative):
    corpus = build_corpus(_topics(), min_count=1)
    cfg = Word2VecConfig(
        sg=sg,
        hs=hs,
        negative=negative,
        dim=16,
        epochs=8,
        sample=0,
        threads=1,
        alpha=0.05 if sg else 0.1,
    )
    model = Word2Vec(cfg)
    seen, progress = [], []
    stats = model.train(corpus, callbacks=[seen.append], on_progress=progress.append)
    assert seen == stats and len(stats) == 8
    assert sum(progress) == 8 * corpus.n_tokens
    assert stats[-1].learning_rate == pytest.approx(cfg.min_alpha, abs=1e-9)
    assert _separation(model.vectors) > 0.5
    # an ordered corpus is predictable: the loss falls well below its first epoch
    rng = np.random.default_rng(0)
    chains = [[f"c{(k + i) % 12}" for i in range(12)] for k in rng.integers(0, 12, size=300)]
    stats = Word2Vec(replace(cfg, window=1)).train(build_corpus(chains, min_count=1))
    assert stats[-1].loss < 0.8 * stats[0].loss, [s.loss for s in stats]


def test_one_thread_is_reproducible_and_seed_matters():
    corpus = build_corpus(_topics(1, 200), min_count=1)

    def train(seed, threads=1):
        model = Word2Vec(Word2VecConfig(dim=8, epochs=2, seed=seed, threads=threads))
        model.train(corpus)
        return model.vectors.vectors

    assert np.array_equal(train(1), train(1))
    assert not np.allclose(train(1), train(2))
    assert np.isfinite(train(1, threads=2)).all()


def test_subsampling_drops_frequent_words():
    sentences = [["the"] * 50 + ["rare"] for _ in range(50)]
    corpus = build_corpus(sentences, min_count=1)
    cfg = Word2VecConfig(dim=4, window=1, sample=1e-3, threads=1)
    keep = np.array([0.5, 1.0], np.float32)
    assert cfg.sample > 0
    prob, alias = kernel.alias_table(noise_distribution(corpus.counts))
    tree = build_huffman(corpus.counts)
    syn0 = np.zeros((2, 4), np.float32)
    _, _, n_kept = kernel.train_job(
        corpus.ids,
        corpus.offsets,
        0,
        corpus.n_sentences,
        syn0,
        syn0.copy(),
        syn0[:1].copy(),
        keep,
        prob,
        alias,
        tree.codes,
        tree.points,
        tree.lengths,
        True,
        True,
        1,
        1,
        False,
        np.float32(0.01),
        1,
        EXP,
        LOSS,
    )
    expected = 50 * (50 * 0.5 + 1)
    assert abs(n_kept - expected) < 4 * np.sqrt(2500 * 0.25)


def test_jobs_cover_every_sentence_once():
    offsets = np.array([0, 4000, 4001, 9000, 16000, 16010, 30000], dtype=np.int64)
    jobs = _jobs(offsets, 10_000)
    assert jobs[0][0] == 0 and jobs[-1][1] == 6
    assert all(a[1] == b[0] for a, b in zip(jobs, jobs[1:]))
    assert [j[2] for j in jobs] == [int(offsets[j[0]]) for j in jobs]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dim": 0}, "dim must be at least 1"),
        ({"window": 0}, "window"),
        ({"negative": 0, "hs": False}, "output layer"),
        ({"negative": -1}, "negative"),
        ({"sample": float("nan")}, "sample"),
        ({"alpha": 0}, "alpha"),
        ({"min_alpha": 1.0}, "min_alpha"),
        ({"threads": 0}, "threads"),
    ],
)
def test_config_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Word2VecConfig(**kwargs)


def test_untrained_and_diverged():
    with pytest.raises(ValueError, match="not trained"):
        _ = Word2Vec().vectors
    corpus = build_corpus(_topics(2, 50), min_count=1)
    model = Word2Vec(Word2VecConfig(dim=8, epochs=1, alpha=1e30, min_alpha=0, threads=1))
    with pytest.raises(ValueError, match="diverged"):
        model.train(corpus)


def test_vectors_round_trip_through_gensim(tmp_path):
    gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
    corpus = build_corpus(_topics(3, 100), min_count=1)
    model = Word2Vec(Word2VecConfig(dim=8, epochs=1, threads=1))
    model.train(corpus)
    path = tmp_path / "v.txt"
    model.vectors.save(path)
    kv = gensim_kv.KeyedVectors.load_word2vec_format(str(path), binary=False)
    assert list(kv.index_to_key) == list(corpus.words)
    np.testing.assert_allclose(kv.vectors, model.vectors.vectors, atol=1e-6)
