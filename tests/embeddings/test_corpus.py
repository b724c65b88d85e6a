"""seqlab.embeddings.corpus: vocabulary, token ids, subsampling and the noise distribution."""

import numpy as np
import pytest

from seqlab.embeddings.corpus import (
    MAX_SENTENCE_LENGTH,
    build_corpus,
    keep_probabilities,
    noise_distribution,
    read_corpus,
)


def test_vocabulary_order_and_ids():
    sentences = [["b", "a", "c", "a"], ["c", "d", "a"], ["b", "rare"]]
    corpus = build_corpus(sentences, min_count=2)
    # a: 3, b: 2, c: 2 (b first seen before c), d and rare dropped
    assert corpus.words == ("a", "b", "c")
    assert corpus.counts.tolist() == [3, 2, 2]
    assert corpus.ids.dtype == np.int32 and corpus.offsets.dtype == np.int64
    assert corpus.sentences() == [["b", "a", "c", "a"], ["c", "a"], ["b"]]
    assert (corpus.n_tokens, corpus.n_sentences, corpus.n_raw_tokens) == (7, 3, 9)


def test_max_vocab_keeps_the_most_frequent():
    corpus = build_corpus([["x"] * 5 + ["y"] * 3 + ["z"] * 4], min_count=1, max_vocab=2)
    assert corpus.words == ("x", "z") and corpus.n_tokens == 9


def test_long_lines_are_cut_like_gensim():
    corpus = build_corpus([["w"] * (MAX_SENTENCE_LENGTH + 5)], min_count=1)
    assert np.diff(corpus.offsets).tolist() == [MAX_SENTENCE_LENGTH, 5]


def test_read_corpus(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("The cat sat\n\n  the   dog sat \nthe end\n", encoding="utf-8")
    corpus = read_corpus(path, min_count=2, lowercase=True)
    assert corpus.words == ("the", "sat") and corpus.n_sentences == 3
    assert corpus.sentences() == [["the", "sat"], ["the", "sat"], ["the"]]


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("   \n\n", {}, "empty"),
        ("a b c\n", {"min_count": 2}, "no word occurs min_count=2"),
        ("a a\n", {"min_count": 0}, "min_count must be at least 1"),
        ("a a\n", {"max_vocab": 0}, "max_vocab"),
    ],
)
def test_errors(tmp_path, text, kwargs, message):
    path = tmp_path / "c.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_corpus(path, **kwargs)


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match="does not exist|not found|no such"):
        read_corpus(tmp_path / "nope.txt")


def test_keep_probabilities_formula():
    counts = np.array([1000, 100, 10, 1])
    t = 1e-2
    p = keep_probabilities(counts, t)
    f = counts / counts.sum()
    expected = np.minimum((np.sqrt(f / t) + 1) * t / f, 1.0)
    np.testing.assert_allclose(p, expected)
    assert p[0] < p[1] < 1.0 and p[-1] == 1.0
    assert keep_probabilities(counts, 0).tolist() == [1.0] * 4
    with pytest.raises(ValueError, match="sample"):
        keep_probabilities(counts, -1.0)


def test_keep_probabilities_equal_gensims():
    gensim = pytest.importorskip("gensim.models")
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(60)]
    weights = 1.0 / np.arange(1, 61)  # Zipf
    sentences = [list(rng.choice(words, size=20, p=weights / weights.sum())) for _ in range(400)]
    corpus = build_corpus(sentences, min_count=1)
    model = gensim.Word2Vec(vector_size=4, min_count=1, sample=1e-2)
    model.build_vocab(sentences)
    theirs = [model.wv.get_vecattr(w, "sample_int") / 2**32 for w in corpus.words]
    np.testing.assert_allclose(keep_probabilities(corpus.counts, 1e-2), theirs, atol=1e-6)


def test_noise_distribution_is_unigram_to_three_quarters():
    counts = np.array([81, 16, 1])
    p = noise_distribution(counts)
    np.testing.assert_allclose(p, np.array([27, 8, 1]) / 36)
