"""seqlab.embeddings.project: PCA checked against scikit-learn, t-SNE shape and reproducibility."""

import sys

import numpy as np
import pytest
from sklearn.decomposition import PCA

from seqlab.embeddings import WordVectors, pca_2d, project, tsne_2d


def _matrix(n: int = 30, e: int = 8) -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.normal(size=(n, e)) * np.linspace(3.0, 0.5, e)  # distinct variances


def _table(n: int = 30, e: int = 8) -> WordVectors:
    return WordVectors([f"w{i:02d}" for i in range(n)], _matrix(n, e))


# -- pca_2d -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "e"), [(30, 8), (5, 12), (2, 3)])
def test_pca_2d_equals_sklearn_up_to_sign(n, e):
    x = _matrix(n, e)
    got = pca_2d(x)
    expected = PCA(n_components=2).fit_transform(x)
    assert got.shape == (n, 2) and got.dtype == np.float64
    for k in range(2):
        sign = np.sign(got[:, k] @ expected[:, k]) or 1.0
        np.testing.assert_allclose(got[:, k], sign * expected[:, k], atol=1e-9)


def test_pca_2d_sign_convention():
    x = _matrix()
    centred = x - x.mean(axis=0)
    components = np.linalg.lstsq(centred, pca_2d(x), rcond=None)[0].T  # (2, E)
    for component in components:
        assert component[np.argmax(np.abs(component))] > 0
    np.testing.assert_allclose(pca_2d(x + 5.0), pca_2d(x), atol=1e-9)  # centred


def test_pca_2d_known_answer():
    x = np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 0.0]])  # points on the x-axis
    np.testing.assert_allclose(pca_2d(x), [[-2.0, 0.0], [0.0, 0.0], [2.0, 0.0]], atol=1e-12)


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        (np.ones(4), "2-D"),
        (np.ones((1, 4)), "at least 2 rows"),
        (np.ones((4, 1)), "at least 2 columns"),
        (np.array([[1.0, np.nan], [0.0, 1.0]]), "NaN"),
    ],
)
def test_pca_2d_errors(matrix, message):
    with pytest.raises(ValueError, match=message):
        pca_2d(matrix)


# -- tsne_2d ------------------------------------------------------------------------------------


def test_tsne_2d_is_finite_and_reproducible():
    x = _matrix()
    first = tsne_2d(x, n_iter=250, seed=3)  # perplexity 30 is clamped for 30 points
    again = tsne_2d(x, n_iter=250, seed=3)
    assert first.shape == (30, 2) and first.dtype == np.float64
    assert np.isfinite(first).all()
    np.testing.assert_array_equal(first, again)
    other = tsne_2d(x, n_iter=250, seed=4, init="random")
    assert not np.allclose(first, other)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"matrix": np.ones((2, 4))}, "at least 3 rows"),
        ({"perplexity": 0}, "perplexity must be > 0"),
        ({"n_iter": 100}, "n_iter must be at least 250"),
        ({"init": "spectral"}, "'pca' or 'random'"),
    ],
)
def test_tsne_2d_errors(kwargs, message):
    kwargs = {"matrix": _matrix(), **kwargs}
    with pytest.raises(ValueError, match=message):
        tsne_2d(kwargs.pop("matrix"), **kwargs)


def test_tsne_2d_without_sklearn(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.manifold", None)  # import now fails
    with pytest.raises(ValueError, match="pip install scikit-learn"):
        tsne_2d(_matrix())


# -- project ------------------------------------------------------------------------------------


def test_project_pca_uses_the_words_vectors():
    wv = _table()
    words = ["w03", "w10", "w00", "w29", "w07"]
    got_words, coords = project(wv, words)
    assert got_words == words
    np.testing.assert_allclose(coords, pca_2d(wv.subset(words).vectors), atol=1e-12)


def test_project_tsne():
    wv = _table()
    words, coords = project(wv, wv.words, method="tsne", n_iter=250, seed=1)
    assert words == list(wv.words) and coords.shape == (30, 2) and np.isfinite(coords).all()


@pytest.mark.parametrize(
    ("words", "method", "message"),
    [
        (["w01", "w1"], "pca", "unknown word 'w1'.*did you mean"),
        (["w01", "x", "y", "x"], "pca", "2 unknown words: 'x', 'y'"),
        (["w01", "w02"], "umap", "'pca' or 'tsne'"),
        (["w01"], "pca", "at least 2 rows"),
        (["w01", "w02"], "tsne", "at least 3 rows"),
    ],
)
def test_project_errors(words, method, message):
    with pytest.raises(ValueError, match=message):
        project(_table(), words, method=method)


def test_scikit_learn_is_a_dependency_so_a_plain_install_draws_t_sne():
    """`make demo` installs seqlab's dependencies only (pip install -e .): t-SNE needs them."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    dependencies = text.split("\ndependencies = [", 1)[1].split("\n]", 1)[0]
    assert '"scikit-learn' in dependencies
