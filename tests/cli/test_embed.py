"""``seqlab embed``: smoke tests through main([...]) on tiny files, JSON contracts, errors."""

from pathlib import Path

import numpy as np
import pytest

from seqlab.cli import main
from seqlab.embeddings import WordVectors, load_word_list
from tests.cli._helpers import capture_figures, fails, json_lines, write_lines

FIXTURES = Path(__file__).parents[1] / "embeddings" / "fixtures"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> str:
    """Sentences from two topics, so trained vectors have something to find."""
    rng = np.random.default_rng(0)
    topics = [[f"a{i}" for i in range(6)], [f"b{i}" for i in range(6)]]
    lines = [" ".join(rng.choice(topics[k % 2], size=8)) for k in range(300)]
    return write_lines(tmp_path_factory.mktemp("corpus") / "corpus.txt", lines)


@pytest.fixture(scope="module")
def vectors(tmp_path_factory) -> str:
    """A table holding the debias word lists, the fixture questions' words and filler."""
    words = {w for pair in load_word_list("definitional_pairs") for w in pair}
    words |= {w for pair in load_word_list("equalize_pairs")[:10] for w in pair}
    words |= set(load_word_list("professions")[:20])
    for line in (FIXTURES / "questions.txt").read_text().splitlines():
        if not line.startswith(":"):
            words |= set(line.lower().split())
    words = sorted(words) + [f"filler{i}" for i in range(30)]
    rng = np.random.default_rng(1)
    path = tmp_path_factory.mktemp("vectors") / "v.txt"
    WordVectors(words, rng.normal(size=(len(words), 12))).save(path)
    return str(path)


@pytest.mark.parametrize("method", ["skipgram", "cbow", "glove", "nplm"])
def test_train_writes_vectors_and_json(corpus, tmp_path, capsys, method):
    out = tmp_path / "v.txt"
    argv = [
        "embed",
        "train",
        corpus,
        "--method",
        method,
        "--dim",
        "8",
        "--epochs",
        "2",
        "--min-count",
        "1",
        "--out",
        out,
        "--json",
        "--no-progress",
        "--threads",
        "1",
    ]
    assert main([str(a) for a in argv]) == 0
    lines = json_lines(capsys.readouterr().out)
    assert [line["epoch"] for line in lines[:-1]] == [1, 2]
    summary = lines[-1]
    assert summary["vocab_size"] == 12 and summary["words_per_second"] > 0
    assert summary["train_seconds"] > 0 and np.isfinite(summary["final_loss"])
    wv = WordVectors.load(out)
    assert (len(wv), wv.dim) == (12, 8)
    assert out.read_text().splitlines()[0] == "12 8"  # the word2vec text header


@pytest.mark.parametrize(("fmt", "header"), [("glove", False), ("binary", True)])
def test_train_formats(corpus, tmp_path, capsys, fmt, header):
    out = tmp_path / "v.out"
    argv = [
        "embed",
        "train",
        corpus,
        "--dim",
        "4",
        "--epochs",
        "1",
        "--min-count",
        "1",
        "--out",
        out,
        "--format",
        fmt,
        "--no-progress",
    ]
    assert main([str(a) for a in argv]) == 0
    assert "words/s" in capsys.readouterr().out
    assert len(WordVectors.load(out)) == 12
    assert out.read_bytes().startswith(b"12 4\n") == header


def test_similar_and_analogy(vectors, capsys):
    assert main(["embed", "similar", vectors, "king", "-n", "3", "--json"]) == 0
    results = json_lines(capsys.readouterr().out)[0]["results"]
    wv = WordVectors.load(vectors)
    assert results == [[w, pytest.approx(s, abs=1e-6)] for w, s in wv.most_similar("king", topn=3)]
    assert main(["embed", "analogy", vectors, "man", "woman", "king", "--json"]) == 0
    got = json_lines(capsys.readouterr().out)[0]["results"]
    expected = wv.most_similar(positive=["woman", "king"], negative=["man"], topn=10)
    assert [w for w, _ in got] == [w for w, _ in expected]
    assert main(["embed", "analogy", vectors, "man", "woman", "king", "--cosmul"]) == 0
    assert "man : woman :: king : ?" in capsys.readouterr().out


def test_evaluate_json(vectors, capsys):
    argv = [
        "embed",
        "evaluate",
        vectors,
        "--analogies",
        FIXTURES / "questions.txt",
        "--similarity",
        FIXTURES / "pairs.tsv",
        "--json",
    ]
    assert main([str(a) for a in argv]) == 0
    report = json_lines(capsys.readouterr().out)[0]
    assert set(report) == {"analogy_accuracy", "analogy_covered", "analogy_skipped", "similarity"}
    assert 0 <= report["analogy_accuracy"] <= 1 and report["analogy_covered"] > 0
    assert set(report["similarity"]["pairs"]) == {"spearman", "covered", "total"}


def test_plot_and_debias(vectors, tmp_path, capsys):
    png = tmp_path / "map.png"
    words = ["king", "queen", "man", "woman"]
    assert main(["embed", "plot", vectors, *words, "--plot", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG" and "4 words placed by pca" in capsys.readouterr().out
    assert (
        main(
            [
                "embed",
                "plot",
                vectors,
                "-n",
                "20",
                "--method",
                "tsne",
                "--perplexity",
                "5",
                "--plot",
                str(png),
                "--json",
            ]
        )
        == 0
    )
    placed = json_lines(capsys.readouterr().out)[-1]
    assert len(placed["words"]) == 20 and len(placed["coordinates"]) == 20
    out = tmp_path / "debiased.txt"
    assert main(["embed", "debias", vectors, "--out", str(out), "--json"]) == 0
    report = json_lines(capsys.readouterr().out)[0]
    assert report["direct_bias_after"] < 1e-6 < report["direct_bias_before"]
    assert report["professions_bias_after"] < 1e-6
    assert len(WordVectors.load(out)) == len(WordVectors.load(vectors))


def test_plot_axes_and_labels(tmp_path, monkeypatch, capsys):
    """PCA's axes are named; the most frequent words leave punctuation out; no two labels
    overlap (t-SNE clumps words: a label with no free place is left out)."""
    from matplotlib.transforms import Bbox

    from seqlab.cli import embed as module

    words = [",", "the", ".", "of", '"', "and"] + [f"w{i}" for i in range(60)]
    rng = np.random.default_rng(3)
    path = tmp_path / "v.txt"
    WordVectors(words, rng.normal(size=(len(words), 8))).save(path)
    figures = capture_figures(monkeypatch, module)
    assert main(["embed", "plot", str(path), "-n", "40", "--plot", str(tmp_path / "p.png"),
                 "--json"]) == 0  # fmt: skip
    placed = json_lines(capsys.readouterr().out)[0]
    assert placed["words"][:4] == ["the", "of", "and", "w0"] and len(placed["words"]) == 40
    ax = figures[0].axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("first principal component",
                                                 "second principal component")  # fmt: skip
    assert main(["embed", "plot", str(path), "-n", "60", "--method", "tsne", "--plot",
                 str(tmp_path / "t.png")]) == 0  # fmt: skip
    ax = figures[1].axes[0]
    assert ax.get_xlabel().startswith("t-SNE 1")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figures[1]).get_renderer()  # (pyplot closed the figure)
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert 10 <= len(boxes) <= 60 and not any(
        Bbox.intersection(a, b) is not None and Bbox.intersection(a, b).width > 0.5
        and Bbox.intersection(a, b).height > 0.5
        for i, a in enumerate(boxes) for b in boxes[i + 1 :]
    )  # fmt: skip
    assert {t.get_text() for t in ax.texts} <= {w for w in words if w[0].isalnum()}


def test_errors(corpus, vectors, tmp_path, capsys):
    out = tmp_path / "v.txt"
    empty = write_lines(tmp_path / "empty.txt", ["   "])
    fails(["embed", "train", empty, "--out", out], "empty", capsys)
    fails(
        ["embed", "train", corpus, "--out", out, "--min-count", "1000"],
        "no word occurs min_count=1000",
        capsys,
    )
    fails(["embed", "train", tmp_path / "nope.txt", "--out", out], "nope.txt", capsys)
    fails(["embed", "train", corpus, "--out", tmp_path / "no" / "v.txt"], "folder", capsys)
    fails(
        ["embed", "train", corpus, "--method", "glove", "--negative", "3", "--out", out],
        "--negative does not apply to glove",
        capsys,
    )
    fails(["embed", "train", corpus, "--dim", "0", "--out", out], "dim must be", capsys)
    fails(["embed", "train", corpus, "--method", "nplm", "--lr", "1e38", "--min-count", "1",
           "--out", out, "--no-progress"], "diverged", capsys)  # fmt: skip
    assert not out.exists()
    fails(["embed", "similar", vectors, "kingg"], "unknown word 'kingg'", capsys)
    fails(["embed", "similar", tmp_path / "nope.txt", "king"], "not found", capsys)
    bad = write_lines(tmp_path / "bad.txt", ["2 3", "a 1 2 3", "b 1 2"])
    fails(["embed", "similar", bad, "a"], "line 3", capsys)
    fails(["embed", "evaluate", vectors], "nothing to evaluate", capsys)
    fails(["embed", "plot", vectors, "king", "nope", "--plot", tmp_path / "m.png"], "nope", capsys)
    assert not (tmp_path / "m.png").exists()
