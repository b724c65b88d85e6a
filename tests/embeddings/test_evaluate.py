"""seqlab.embeddings.evaluate: analogy accuracy and pair similarity, checked against gensim.

The vectors are made here with a seeded RNG: capitals sit at country + one offset and female
words at male + another (plus noise, so some answers are wrong), "Paris" and "KING" are near
copies of "paris" and "king" (case variants for gensim's upper-casing rule), and "greece" /
"athens" lie past row 250 (skipped under restrict_vocab=250). ``fixtures/questions.txt`` and
``fixtures/pairs.tsv`` use these words.
"""

from pathlib import Path

import numpy as np
import pytest

from seqlab.embeddings import (
    AnalogyResult,
    WordVectors,
    evaluate_analogies,
    evaluate_similarity,
)
from seqlab.embeddings import evaluate as evaluate_module

FIXTURES = Path(__file__).parent / "fixtures"
QUESTIONS = FIXTURES / "questions.txt"
PAIRS = FIXTURES / "pairs.tsv"
COUNTRIES = [
    ("france", "paris"),
    ("germany", "berlin"),
    ("italy", "rome"),
    ("spain", "madrid"),
    ("japan", "tokyo"),
    ("egypt", "cairo"),
]
FAMILY = [
    ("man", "woman"),
    ("king", "queen"),
    ("boy", "girl"),
    ("father", "mother"),
    ("son", "daughter"),
    ("brother", "sister"),
    ("uncle", "aunt"),
]
E = 20


def _make_vectors() -> WordVectors:
    rng = np.random.default_rng(2024)
    head = [word for pair in COUNTRIES + FAMILY for word in pair]  # rows 0..25
    fillers = [f"w{i:03d}" for i in range(270)]
    words = [*head, "Paris", "KING", *fillers[:232], "greece", "athens", *fillers[232:]]
    assert len(words) == 300 and words.index("greece") == 260
    vectors = rng.normal(size=(len(words), E))
    row = {word: i for i, word in enumerate(words)}
    for pairs in (COUNTRIES + [("greece", "athens")], FAMILY):
        offset = rng.normal(size=E)
        for first, second in pairs:
            vectors[row[second]] = vectors[row[first]] + offset + 0.6 * rng.normal(size=E)
    vectors[row["Paris"]] = vectors[row["paris"]] + 0.05 * rng.normal(size=E)
    vectors[row["KING"]] = vectors[row["king"]] + 0.05 * rng.normal(size=E)
    return WordVectors(words, vectors)


@pytest.fixture(scope="module")
def wv() -> WordVectors:
    return _make_vectors()


def _gensim(wv: WordVectors):
    gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
    kv = gensim_kv.KeyedVectors(wv.dim)
    kv.add_vectors(list(wv.words), wv.vectors.copy())
    return kv


def _n_questions() -> int:
    lines = QUESTIONS.read_text().splitlines()
    return sum(1 for line in lines if line.strip() and not line.startswith(":"))


# -- analogies --------------------------------------------------------------------------------


@pytest.mark.parametrize("restrict_vocab", [250, 300, 27])
@pytest.mark.parametrize("case_insensitive", [True, False])
def test_analogies_match_gensim(wv, restrict_vocab, case_insensitive):
    kv = _gensim(wv)
    score, sections = kv.evaluate_word_analogies(
        str(QUESTIONS), restrict_vocab=restrict_vocab, case_insensitive=case_insensitive
    )
    ours = evaluate_analogies(
        wv, QUESTIONS, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive
    )
    total = sections[-1]
    assert ours.accuracy == score
    assert ours.correct == len(total["correct"])
    assert ours.covered == len(total["correct"]) + len(total["incorrect"])
    assert ours.skipped == _n_questions() - ours.covered
    assert ours.sections == {
        s["section"]: (len(s["correct"]), len(s["correct"]) + len(s["incorrect"]))
        for s in sections[:-1]
    }


def test_analogy_counts_by_hand(wv):
    result = evaluate_analogies(wv, QUESTIONS, restrict_vocab=250)
    # skipped: the two questions with greece/athens (past row 250) and the two with
    # atlantis/utopia/prince/princess (unknown); "France Paris ..." counts thanks to upper-casing
    assert (result.covered, result.skipped) == (_n_questions() - 4, 4)
    assert list(result.sections) == ["capital-common-countries", "family", "empty-section"]
    assert result.sections["empty-section"] == (0, 0)
    assert 0.5 < result.accuracy <= 1.0  # the offsets are there to be found


def test_cosmul_analogies_equal_a_loop_over_most_similar_cosmul(wv):
    # exact-case matching over the whole table: gensim's rule then reduces to "the best row
    # that is not a question row", i.e. most_similar_cosmul(...)[0]
    result = evaluate_analogies(
        wv, QUESTIONS, restrict_vocab=len(wv), case_insensitive=False, method="mul"
    )
    correct, covered, section = {}, {}, None
    for line in QUESTIONS.read_text().splitlines():
        if line.startswith(": "):
            section = line[2:]
            correct[section] = covered[section] = 0
        elif line.strip() and all(word in wv for word in line.split()):
            a, b, c, d = line.split()
            covered[section] += 1
            correct[section] += wv.analogy(a, b, c, method="mul")[0][0] == d
    assert result.sections == {name: (correct[name], covered[name]) for name in correct}
    assert result.accuracy != evaluate_analogies(wv, QUESTIONS, restrict_vocab=len(wv)).accuracy


@pytest.mark.parametrize("method", ["add", "mul"])
def test_chunking_does_not_change_the_result(wv, monkeypatch, method):
    whole = evaluate_analogies(wv, QUESTIONS, restrict_vocab=250, method=method)
    monkeypatch.setattr(evaluate_module, "_CHUNK_ELEMENTS", 1)  # one question per product
    monkeypatch.setattr(evaluate_module, "_BLOCK", 7)  # blocks that do not divide 250
    assert evaluate_analogies(wv, QUESTIONS, restrict_vocab=250, method=method) == whole


@pytest.mark.parametrize(
    ("q", "width", "k", "block"), [(4, 384, 5, 128), (3, 35, 5, 7), (2, 6, 2, 3)]
)
def test_top_k_equals_a_full_sort(monkeypatch, q, width, k, block):
    monkeypatch.setattr(evaluate_module, "_BLOCK", block)
    scores = np.random.default_rng(0).normal(size=(q, width)).astype(np.float32)
    expected = np.argsort(-scores, axis=1)[:, :k]
    assert np.array_equal(evaluate_module._top_k(scores, k), expected)


def test_tiny_vocabulary_has_fewer_than_five_candidates(tmp_path):
    wv = WordVectors(["a", "b", "c", "d"], np.random.default_rng(1).normal(size=(4, 3)))
    path = tmp_path / "questions.txt"
    path.write_text(": s\na b c d\n")
    result = evaluate_analogies(wv, path, restrict_vocab=4)
    assert (result.correct, result.covered) == (1, 1)  # "d" is the only row left to answer


def test_no_covered_question_scores_zero(wv, tmp_path):
    path = tmp_path / "questions.txt"
    path.write_text(": s\natlantis utopia france paris\n")
    assert evaluate_analogies(wv, path) == AnalogyResult(0.0, 0, 0, 1, {"s": (0, 0)})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a b c d\n", "line 1: question before the first ': section' line"),
        (": s\nfrance paris germany\n", "line 2: 3 words, expected 4"),
        (": s\n\nfrance paris germany berlin rome\n", "line 3: 5 words, expected 4"),
        (": s\n: t\n", "no questions in it"),
        ("", "is empty"),
    ],
)
def test_analogy_file_errors(wv, tmp_path, text, message):
    path = tmp_path / "questions.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match=message) as info:
        evaluate_analogies(wv, path)
    assert str(path) in str(info.value)


def test_analogy_argument_errors(wv, tmp_path):
    with pytest.raises(ValueError, match="method must be 'add' or 'mul'"):
        evaluate_analogies(wv, QUESTIONS, method="set")
    with pytest.raises(ValueError, match="restrict_vocab must be at least 1"):
        evaluate_analogies(wv, QUESTIONS, restrict_vocab=0)
    with pytest.raises(ValueError, match="no such file"):
        evaluate_analogies(wv, tmp_path / "missing.txt")


# -- similarity -------------------------------------------------------------------------------


@pytest.mark.parametrize("restrict_vocab", [250, 300000])
@pytest.mark.parametrize("case_insensitive", [True, False])
def test_similarity_matches_gensim(wv, restrict_vocab, case_insensitive):
    kv = _gensim(wv)
    pearson, spearman, oov_ratio = kv.evaluate_word_pairs(
        str(PAIRS), restrict_vocab=restrict_vocab, case_insensitive=case_insensitive
    )
    ours = evaluate_similarity(
        wv, PAIRS, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive
    )
    assert ours.spearman == pytest.approx(spearman[0], abs=1e-5)
    assert ours.pearson == pytest.approx(pearson[0], abs=1e-5)
    assert ours.oov_ratio == pytest.approx(oov_ratio, abs=1e-9)
    assert ours.total == 18
    assert ours.covered == round(18 * (1 - oov_ratio / 100))


def test_similarity_counts_by_hand(wv):
    result = evaluate_similarity(wv, PAIRS, restrict_vocab=250)
    assert (result.covered, result.total) == (16, 18)  # atlantis; greece past row 250
    assert result.oov_ratio == pytest.approx(100 * 2 / 18)


def test_rank_averages_ties_as_scipy():
    stats = pytest.importorskip("scipy.stats")
    x = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0])
    assert np.array_equal(evaluate_module._rank(x), stats.rankdata(x))


def test_pearson_of_a_constant_is_nan():
    assert np.isnan(evaluate_module._pearson(np.ones(4), np.arange(4.0)))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# c\nking\tqueen\n", "line 2: 2 tab-separated fields, expected 3"),
        ("king queen 8.0\n", "line 1: 1 tab-separated fields, expected 3"),
        ("king\tqueen\thigh\n", "line 1: score 'high' is not a number"),
        ("king\tqueen\t8\nman\tatlantis\t1\n", "1 of 2 pairs have both words known, need 2"),
    ],
)
def test_similarity_file_errors(wv, tmp_path, text, message):
    path = tmp_path / "pairs.tsv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message) as info:
        evaluate_similarity(wv, path)
    assert str(path) in str(info.value)


def test_methods_equal_the_functions():
    from seqlab.embeddings import WordVectors, evaluate_analogies, evaluate_similarity

    fixtures = Path(__file__).parent / "fixtures"
    questions = fixtures / "questions.txt"
    words = sorted({w for line in questions.read_text().lower().splitlines()
                    if not line.startswith(":") for w in line.split()})  # fmt: skip
    wv = WordVectors(words, np.random.default_rng(4).normal(size=(len(words), 6)))
    assert wv.evaluate_analogies(questions, restrict_vocab=50) == evaluate_analogies(
        wv, questions, restrict_vocab=50
    )
    pairs = fixtures / "pairs.tsv"
    assert wv.evaluate_similarity(pairs) == evaluate_similarity(wv, pairs)
