"""seqlab.embeddings.debias: bias direction, neutralize, equalize, direct bias, hard debias.

The vectors are made here with a seeded RNG: 200 words x 20 dims. A known unit direction g0 is
planted: each female word is base + 0.8 g0 and its male partner base - 0.8 g0 (plus a little
noise), and the "profession" words lean along g0 by a random amount; the fillers are noise.
References are written out in the tests with NumPy (SVD, projections, Bolukbasi's code form).
"""

import numpy as np
import pytest

from seqlab.embeddings import (
    WordVectors,
    bias_direction,
    debias,
    direct_bias,
    equalize,
    load_word_list,
    neutralize,
)

E = 20
DEFINITIONAL = [
    ("woman", "man"),
    ("girl", "boy"),
    ("she", "he"),
    ("mother", "father"),
    ("daughter", "son"),
    ("her", "his"),
]
EQUALIZE = [("woman", "man"), ("queen", "king"), ("aunt", "uncle"), ("actress", "actor")]
SPECIFIC = sorted({w for pair in DEFINITIONAL + EQUALIZE for w in pair} | {"sorority", "nun"})
PROFESSIONS = ["nurse", "engineer", "receptionist", "programmer", "homemaker", "architect"]


def _planted() -> tuple[WordVectors, np.ndarray]:
    rng = np.random.default_rng(2016)
    g0 = rng.normal(size=E)
    g0 /= np.linalg.norm(g0)
    pairs = list(dict.fromkeys(DEFINITIONAL + EQUALIZE))
    fillers = [f"w{i:03d}" for i in range(200 - 2 * len(pairs) - 2 - len(PROFESSIONS))]
    words = [w for pair in pairs for w in pair] + ["sorority", "nun"] + PROFESSIONS + fillers
    vectors = rng.normal(size=(len(words), E))
    for k in range(len(pairs)):  # rows 2k (female) and 2k + 1 (male)
        base = rng.normal(size=E)
        vectors[2 * k] = base + 0.8 * g0 + 0.05 * rng.normal(size=E)
        vectors[2 * k + 1] = base - 0.8 * g0 + 0.05 * rng.normal(size=E)
    for word in PROFESSIONS:
        vectors[words.index(word)] += rng.uniform(-1.5, 1.5) * g0
    return WordVectors(words, vectors), g0


@pytest.fixture(scope="module")
def planted() -> tuple[WordVectors, np.ndarray]:
    return _planted()


def _cos(u: np.ndarray, v: np.ndarray) -> float:
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


# -- bias_direction ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["pca", "mean"])
def test_bias_direction_recovers_planted_direction(planted, method):
    wv, g0 = planted
    g = bias_direction(wv, DEFINITIONAL, method=method)
    assert g.shape == (E,)
    assert np.linalg.norm(g) == pytest.approx(1.0, abs=1e-12)
    assert _cos(g, g0) > 0.99  # oriented towards "woman", the female end


@pytest.mark.parametrize("normalize", [False, True])
def test_bias_direction_pca_equals_numpy_svd(planted, normalize):
    wv, _ = planted
    rows = []
    for a, b in DEFINITIONAL:
        e_a, e_b = wv.vector(a).astype(np.float64), wv.vector(b).astype(np.float64)
        if normalize:
            e_a, e_b = e_a / np.linalg.norm(e_a), e_b / np.linalg.norm(e_b)
        center = (e_a + e_b) / 2
        rows += [e_a - center, e_b - center]
        if len(rows) == 2:
            first_difference = e_a - e_b
    reference = np.linalg.svd(np.array(rows))[2][0]
    reference *= np.sign(reference @ first_difference)
    got = bias_direction(wv, DEFINITIONAL, normalize=normalize)
    np.testing.assert_allclose(got, reference, atol=1e-10)


def test_bias_direction_mean_is_the_normalised_mean_difference(planted):
    wv, _ = planted
    diff = np.mean([wv.vector(a) - wv.vector(b) for a, b in DEFINITIONAL], axis=0)
    expected = diff / np.linalg.norm(diff)
    np.testing.assert_allclose(bias_direction(wv, DEFINITIONAL, method="mean"), expected, atol=1e-6)


@pytest.mark.parametrize("method", ["pca", "mean"])
def test_bias_direction_follows_the_first_pair(planted, method):
    wv, _ = planted
    g = bias_direction(wv, DEFINITIONAL, method=method)
    flipped = [(b, a) for a, b in DEFINITIONAL]
    np.testing.assert_allclose(bias_direction(wv, flipped, method=method), -g, atol=1e-10)
    one = bias_direction(wv, [("she", "he")], method=method)  # one pair: g = unit(e_she - e_he)
    diff = wv.vector("she").astype(np.float64) - wv.vector("he")
    np.testing.assert_allclose(one, diff / np.linalg.norm(diff), atol=1e-7)


# -- neutralize ---------------------------------------------------------------------------------


def test_neutralize_is_the_course_formula(planted):
    wv, _ = planted
    g = 3.0 * bias_direction(wv, DEFINITIONAL)  # any length: the formula divides by ||g||^2
    out = neutralize(wv, PROFESSIONS, g)
    for word in PROFESSIONS:
        e = wv.vector(word).astype(np.float64)
        expected = e - (e @ g) / (g @ g) * g
        np.testing.assert_allclose(out.vector(word), expected, atol=1e-5)
        assert abs(out.vector(word).astype(np.float64) @ (g / 3)) < 1e-6
    untouched = [w for w in wv.words if w not in PROFESSIONS]
    np.testing.assert_array_equal(out.subset(untouched).vectors, wv.subset(untouched).vectors)
    assert out.words == wv.words


def test_neutralize_course_example_cosine_goes_to_zero(planted):
    # the notes: cos(e_receptionist, g) is clearly nonzero before and ~0 after neutralizing
    wv, _ = planted
    g = wv.vector("woman").astype(np.float64) - wv.vector("man")  # the course's g
    before = _cos(wv.vector("receptionist").astype(np.float64), g)
    after = neutralize(wv, ["receptionist"], g)
    assert abs(before) > 0.05
    assert abs(_cos(after.vector("receptionist").astype(np.float64), g)) < 1e-6


def test_neutralize_normalize_gives_unit_vectors(planted):
    wv, _ = planted
    g = bias_direction(wv, DEFINITIONAL)
    out = neutralize(wv, PROFESSIONS, g, normalize=True)
    e = out.subset(PROFESSIONS).vectors.astype(np.float64)
    np.testing.assert_allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-6)
    assert np.abs(e @ g).max() < 1e-6


def test_neutralize_does_not_mutate_its_input(planted):
    wv, _ = planted
    before = wv.vectors.copy()
    neutralize(wv, wv.words, bias_direction(wv, DEFINITIONAL), normalize=True)
    np.testing.assert_array_equal(wv.vectors, before)


# -- equalize -----------------------------------------------------------------------------------


def _split(e: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(g-component, g-orthogonal part) of e, for unit g."""
    along = (e @ g) * g
    return along, e - along


def test_equalize_pairs_are_unit_symmetric_and_equidistant(planted):
    wv, _ = planted
    g = bias_direction(wv, DEFINITIONAL)
    neutral = PROFESSIONS + [w for w in wv.words if w.startswith("w0")]
    out = equalize(neutralize(wv, neutral, g, normalize=True), EQUALIZE, g)
    n = out.subset(neutral).vectors.astype(np.float64)  # (N, E)
    for a, b in EQUALIZE:
        e_a, e_b = out.vector(a).astype(np.float64), out.vector(b).astype(np.float64)
        assert np.linalg.norm(e_a) == pytest.approx(1.0, abs=1e-6)
        assert np.linalg.norm(e_b) == pytest.approx(1.0, abs=1e-6)
        along_a, orth_a = _split(e_a, g)
        along_b, orth_b = _split(e_b, g)
        np.testing.assert_allclose(along_a, -along_b, atol=1e-6)
        np.testing.assert_allclose(orth_a, orth_b, atol=1e-6)
        assert e_a @ g > 0  # the female word keeps the female side
        d_a = np.linalg.norm(n - e_a, axis=1)
        d_b = np.linalg.norm(n - e_b, axis=1)
        np.testing.assert_allclose(d_a, d_b, atol=1e-6)


def test_equalize_matches_bolukbasi_code_form(planted):
    # Bolukbasi's debias.py: y = drop(mean, g); z = sqrt(1 - ||y||^2); a = z g + y, b = -z g + y
    wv, _ = planted
    g = bias_direction(wv, DEFINITIONAL)
    out = equalize(wv, EQUALIZE, g)
    for a, b in EQUALIZE:
        e_a = wv.vector(a).astype(np.float64)
        e_b = wv.vector(b).astype(np.float64)
        e_a, e_b = e_a / np.linalg.norm(e_a), e_b / np.linalg.norm(e_b)
        mean = (e_a + e_b) / 2
        y = mean - (mean @ g) * g
        z = np.sqrt(1 - y @ y) * np.sign((e_a - e_b) @ g)
        np.testing.assert_allclose(out.vector(a), z * g + y, atol=1e-6)
        np.testing.assert_allclose(out.vector(b), -z * g + y, atol=1e-6)
    others = [w for w in wv.words if w not in {x for pair in EQUALIZE for x in pair}]
    np.testing.assert_array_equal(out.subset(others).vectors, wv.subset(others).vectors)


def test_equalize_tie_sends_first_word_to_plus_g():
    g = np.array([1.0, 0.0, 0.0])
    wv = WordVectors(["a", "b"], [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # both orthogonal to g
    out = equalize(wv, [("a", "b")], g)
    z = np.sqrt(1 - 0.5)  # mu_orth = (0, .5, .5)
    np.testing.assert_allclose(out.vector("a"), [z, 0.5, 0.5], atol=1e-7)
    np.testing.assert_allclose(out.vector("b"), [-z, 0.5, 0.5], atol=1e-7)


# -- direct_bias --------------------------------------------------------------------------------


@pytest.mark.parametrize("c", [0.5, 1.0, 2.0])
def test_direct_bias_is_mean_abs_cosine_to_the_c(planted, c):
    wv, _ = planted
    g = bias_direction(wv, DEFINITIONAL)
    cos = [_cos(wv.vector(w).astype(np.float64), g) for w in PROFESSIONS]
    expected = np.mean(np.abs(cos) ** c)
    assert direct_bias(wv, PROFESSIONS, g, c=c) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("vectors", "expected"),
    [
        ([[1.0, 0.0], [0.0, 1.0]], 0.5),  # c = 0: the fraction not orthogonal to g
        ([[0.0, 2.0], [0.0, 0.0]], 0.0),  # a zero vector scores 0
    ],
)
def test_direct_bias_c0_and_zero_vectors(vectors, expected):
    wv = WordVectors(["x", "y"], vectors)
    assert direct_bias(wv, ["x", "y"], np.array([1.0, 0.0]), c=0) == expected


# -- debias -------------------------------------------------------------------------------------


def test_debias_removes_direct_bias_and_reports(planted):
    wv, g0 = planted
    before_vectors = wv.vectors.copy()
    out, report = debias(
        wv,
        definitional=DEFINITIONAL,
        equalize_pairs=EQUALIZE + [("duchess", "duke")],  # not in the table: skipped
        gender_specific=SPECIFIC + ["not-a-word"],
    )
    g = report["direction"]
    assert _cos(g, g0) > 0.99
    neutral = [w for w in wv.words if w not in SPECIFIC]
    assert report["neutralized"] == len(neutral) == 200 - len(SPECIFIC)
    assert report["equalized"] == len(EQUALIZE)
    assert report["skipped_pairs"] == [("duchess", "duke")]
    assert report["direct_bias_before"] > 0.1
    assert report["direct_bias_after"] < 1e-6
    assert direct_bias(wv, PROFESSIONS, g) > 0.1
    assert direct_bias(out, PROFESSIONS, g) < 1e-6
    norms = np.linalg.norm(out.vectors.astype(np.float64), axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=1e-6)  # Bolukbasi: everything unit length
    kept = [w for w in SPECIFIC if w not in {x for pair in EQUALIZE for x in pair}]
    for word in kept:  # gender-specific, not equalized: only normalised
        e = wv.vector(word).astype(np.float64)
        np.testing.assert_allclose(out.vector(word), e / np.linalg.norm(e), atol=1e-6)
    np.testing.assert_array_equal(wv.vectors, before_vectors)


def test_debias_with_explicit_neutral_words(planted):
    wv, _ = planted
    out, report = debias(
        wv, definitional=DEFINITIONAL, equalize_pairs=EQUALIZE, neutral_words=PROFESSIONS
    )
    assert report["neutralized"] == len(PROFESSIONS)
    g = report["direction"]
    assert direct_bias(out, PROFESSIONS, g) < 1e-6
    assert direct_bias(out, ["w000", "w001", "w002", "w003"], g) > 0  # left alone


# -- errors -------------------------------------------------------------------------------------


G = np.ones(E)
ERRORS = [
    (lambda wv: bias_direction(wv, [("woman", "mann")]), "unknown word 'mann'"),
    (lambda wv: bias_direction(wv, []), "at least 1 definitional pair"),
    (lambda wv: bias_direction(wv, [("she", "she")]), "same word twice"),
    (lambda wv: bias_direction(wv, [("she", "he", "it")]), "must be two words"),
    (lambda wv: bias_direction(wv, DEFINITIONAL, method="svd"), "'pca' or 'mean'"),
    (lambda wv: neutralize(wv, ["nurse", "nursee"], G), "unknown word 'nursee'"),
    (lambda wv: neutralize(wv, ["nurse"], np.zeros(E)), "nonzero finite"),
    (lambda wv: neutralize(wv, ["nurse"], np.ones(E + 1)), r"shape \(20,\)"),
    (lambda wv: equalize(wv, [("queen", "king"), ("king", "aunt")], G), "more than one pair"),
    (lambda wv: equalize(wv, [("queen", "queen")], G), "same word twice"),
    (lambda wv: direct_bias(wv, [], G), "at least 1 word"),
    (lambda wv: direct_bias(wv, ["nurse"], G, c=-1), "c must be >= 0"),
    (lambda wv: direct_bias(wv, ["nurze"], G), "did you mean 'nurse'"),
    (lambda wv: debias(wv, definitional=[("she", "hee")], equalize_pairs=[]), "word 'hee'"),
    (
        lambda wv: debias(wv, definitional=DEFINITIONAL, equalize_pairs=[], neutral_words=[]),
        "no word left",
    ),
    (lambda wv: load_word_list("colours"), "unknown word list 'colours'"),
]


@pytest.mark.parametrize(("call", "message"), ERRORS)
def test_errors(planted, call, message):
    with pytest.raises(ValueError, match=message):
        call(planted[0])


@pytest.mark.parametrize(
    ("pairs", "method", "message"),
    [
        ([("a", "b")], "pca", "coincide"),  # a and b have the same vector
        ([("a", "b")], "mean", "coincide"),
        ([("a", "c"), ("c", "a")], "mean", "cancel out"),
    ],
)
def test_degenerate_pairs_give_no_direction(pairs, method, message):
    wv = WordVectors(["a", "b", "c"], [[1.0, 2.0], [1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match=message):
        bias_direction(wv, pairs, method=method)


# -- word lists ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "is_pairs", "at_least"),
    [
        ("definitional_pairs", True, 10),
        ("equalize_pairs", True, 40),
        ("gender_specific", False, 200),
        ("professions", False, 100),
    ],
)
def test_word_lists_load_without_duplicates(name, is_pairs, at_least):
    entries = load_word_list(name)
    assert len(entries) >= at_least
    assert len(set(entries)) == len(entries)
    words = [w for pair in entries for w in pair] if is_pairs else entries
    if is_pairs:
        assert all(isinstance(pair, tuple) and len(pair) == 2 for pair in entries)
        assert len(set(words)) == len(words)  # no word in two pairs
    assert all(isinstance(w, str) and w == w.lower() and w.strip() == w for w in words)


def test_word_lists_agree_with_each_other():
    definitional = load_word_list("definitional_pairs")
    assert definitional[:3] == [("woman", "man"), ("girl", "boy"), ("she", "he")]
    specific = set(load_word_list("gender_specific"))
    pairs = load_word_list("definitional_pairs") + load_word_list("equalize_pairs")
    paired = {w for pair in pairs for w in pair}
    assert paired <= specific
    assert not specific & set(load_word_list("professions"))
    assert {"nurse", "engineer", "receptionist", "programmer", "homemaker"} <= set(
        load_word_list("professions")
    )
