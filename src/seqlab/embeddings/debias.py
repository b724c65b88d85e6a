"""Hard debiasing of word embeddings: bias direction, neutralize, equalize, direct bias.

The notes' "Debiasing word embeddings", after Bolukbasi et al. 2016, "Man is to Computer
Programmer as Woman is to Homemaker? Debiasing Word Embeddings" (NeurIPS), sections 5-6:

1. identify the bias direction g from definitional pairs (woman - man, she - he, ...);
2. neutralize: remove the g-component from every word that is not gender-specific,
   e_bias = (e . g / ||g||^2) g, e_debiased = e - e_bias;
3. equalize: move each gender-specific pair (actress, actor) to be symmetric about the
   g-orthogonal hyperplane, so every neutralized word is equally far from both.

Implemented here:

- :func:`bias_direction`: g as the first principal component of the centred pair
  differences (Bolukbasi's ``doPCA``), or as the normalised mean difference (the notes'
  g = e_woman - e_man, averaged over pairs).
- :func:`neutralize`, :func:`equalize`: the notes' two formulas, returning new tables.
- :func:`direct_bias`: DirectBias_c = mean over words of |cos(w, g)|^c (Bolukbasi eq. 5).
- :func:`debias`: the whole hard-debias recipe with a before/after report.
- :func:`load_word_list`: the word lists shipped in ``seqlab/data/debias/`` (see SOURCES.md).

Equalize follows the paper and Bolukbasi's code: the corrected g-component is
sqrt(|1 - ||mu_orth||^2|) (e_wB - mu_B) / ||e_wB - mu_B||. The course's notebook divides by
||(e_w - mu_orth) - mu_B|| = ||e_w - mu|| instead, which equals ||e_wB - mu_B|| only when the
pair's g-orthogonal parts already agree; otherwise its outputs are not unit length.

All functions are pure: they take a :class:`WordVectors` and return a new one. Computation is
in float64; the returned tables are float32, as every :class:`WordVectors`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from importlib.resources import files

import numpy as np

from seqlab.embeddings.vectors import WordVectors

__all__ = [
    "bias_direction",
    "debias",
    "direct_bias",
    "equalize",
    "load_word_list",
    "neutralize",
]

logger = logging.getLogger(__name__)

# name -> words per line: the files of seqlab/data/debias/
_WORD_LISTS = {
    "definitional_pairs": 2,
    "equalize_pairs": 2,
    "gender_specific": 1,
    "professions": 1,
}
_TINY = 1e-12  # below this a norm counts as zero (inputs are float32, norms near 1)


def bias_direction(
    wv: WordVectors,
    pairs: Sequence[tuple[str, str]],
    *,
    method: str = "pca",
    normalize: bool = False,
) -> np.ndarray:
    """The bias direction g from definitional pairs such as ``[("woman", "man"), ...]``.

    ``"pca"`` (Bolukbasi's ``doPCA``): for each pair subtract the pair mean mu from both
    vectors, stack the 2P rows (e_a - mu, e_b - mu) and take the first right singular vector.
    ``"mean"``: the normalised mean of the differences e_a - e_b. Either way g is oriented so
    that the first pair's difference e_a - e_b projects positively on it.

    Args:
        wv: the table.
        pairs: P >= 1 pairs ``(a, b)`` of two different words; ``a`` gives g its sign.
        method: ``"pca"`` or ``"mean"``.
        normalize: unit-normalise the vectors first, as Bolukbasi do.

    Returns:
        g: float64 (E,), unit length.

    Raises:
        ValueError: unknown method, no pairs, a pair that is not two different words, an
            unknown word, or pairs whose vectors coincide (no direction to find).
    """
    if method not in ("pca", "mean"):
        raise ValueError(f"method must be 'pca' or 'mean', got {method!r}")
    pairs = _check_pairs(pairs, "bias_direction")
    if not pairs:
        raise ValueError("bias_direction needs at least 1 definitional pair, got none")
    e_a = _rows(wv, [a for a, _ in pairs], normalize)  # (P, E)
    e_b = _rows(wv, [b for _, b in pairs], normalize)  # (P, E)
    if np.abs(e_a - e_b).max() < _TINY:
        raise ValueError("the pairs' vectors coincide: their differences give no direction")
    if method == "mean":
        g = (e_a - e_b).mean(axis=0)  # (E,)
    else:
        mu = (e_a + e_b) / 2  # (P, E)
        centred = np.concatenate([e_a - mu, e_b - mu])  # (2P, E)
        g = np.linalg.svd(centred, full_matrices=False)[2][0]  # (E,)
    norm = np.linalg.norm(g)
    if norm < _TINY:
        raise ValueError("the pairs' differences cancel out: their mean gives no direction")
    g = g / norm
    return -g if (e_a[0] - e_b[0]) @ g < 0 else g


def neutralize(
    wv: WordVectors,
    words: Iterable[str],
    direction: np.ndarray,
    *,
    normalize: bool = False,
) -> WordVectors:
    """Remove the bias component from each of ``words`` (the notes' neutralize).

    e_bias = (e . g / ||g||^2) g, e_debiased = e - e_bias. With ``normalize=True`` (as
    Bolukbasi do) e is unit-normalised first and e_debiased renormalised to unit length; a
    vector that lay along g becomes zero either way. Other words are copied unchanged.

    Args:
        wv: the table.
        words: the words to neutralize (none gives an unchanged copy).
        direction: g, (E,), any nonzero length.
        normalize: work on unit vectors and return unit vectors.

    Returns:
        A new table with the same words.

    Raises:
        ValueError: an unknown word, or a direction that is not a nonzero finite (E,) vector.
    """
    g = _check_direction(direction, wv.dim)  # (E,)
    ids = [wv.index(word) for word in words]
    vectors = wv.vectors.astype(np.float64)  # (V, E), a copy
    e = vectors[ids]  # (N, E)
    if normalize:
        e = _unit_rows(e)
    e_bias = (e @ g / (g @ g))[:, None] * g  # (N, E)
    e_debiased = e - e_bias  # (N, E)
    vectors[ids] = _unit_rows(e_debiased) if normalize else e_debiased
    return WordVectors(wv.words, vectors)


def equalize(
    wv: WordVectors,
    pairs: Sequence[tuple[str, str]],
    direction: np.ndarray,
) -> WordVectors:
    """Make each pair symmetric about the hyperplane orthogonal to g (the notes' equalize).

    Defined for unit vectors, so both words are unit-normalised first. For a pair (w1, w2):

        mu = (e_w1 + e_w2) / 2,  mu_B = (mu . g) g,  mu_orth = mu - mu_B
        e_wB = (e_w . g) g
        e_wB' = sqrt(|1 - ||mu_orth||^2|) (e_wB - mu_B) / ||e_wB - mu_B||
        e_w = e_wB' + mu_orth

    Afterwards both words are unit length, share the g-orthogonal part mu_orth, have opposite
    g-components, and so are equally far from every word orthogonal to g (every neutralized
    word). The division is by ||e_wB - mu_B|| as in the paper, not the course's
    ||(e_w - mu_orth) - mu_B|| (see the module docstring). If both words project equally on g,
    w1 goes to +g, as in Bolukbasi's code.

    Args:
        wv: the table.
        pairs: pairs of two different words; no word may be in two pairs.
        direction: g, (E,), any nonzero length (it is normalised here).

    Returns:
        A new table with the same words; words outside the pairs are unchanged.

    Raises:
        ValueError: a pair that is not two different words, a word in two pairs, an unknown
            word, or a bad direction.
    """
    g = _check_direction(direction, wv.dim)
    g = g / np.linalg.norm(g)  # (E,) unit
    pairs = _check_pairs(pairs, "equalize")
    vectors = wv.vectors.astype(np.float64)  # (V, E), a copy
    for w1, w2 in pairs:
        i1, i2 = wv.index(w1), wv.index(w2)
        e_w1, e_w2 = _unit_rows(vectors[[i1, i2]])  # (E,) each
        mu = (e_w1 + e_w2) / 2  # (E,)
        mu_B = (mu @ g) * g  # (E,)
        mu_orth = mu - mu_B  # (E,)
        e_w1B = (e_w1 @ g) * g  # (E,)
        e_w2B = (e_w2 @ g) * g  # (E,)
        scale = np.sqrt(np.abs(1 - mu_orth @ mu_orth))
        e_w1B_corrected = scale * _unit_or(e_w1B - mu_B, g)  # (E,)
        e_w2B_corrected = scale * _unit_or(e_w2B - mu_B, -g)  # (E,)
        vectors[i1] = e_w1B_corrected + mu_orth
        vectors[i2] = e_w2B_corrected + mu_orth
    return WordVectors(wv.words, vectors)


def direct_bias(
    wv: WordVectors,
    words: Sequence[str],
    direction: np.ndarray,
    *,
    c: float = 1.0,
) -> float:
    """Bolukbasi's DirectBias_c = (1/N) sum_w |cos(e_w, g)|^c over ``words``.

    c = 1 is the paper's headline number; larger c forgives small cosines; c = 0 counts the
    fraction of words not exactly orthogonal to g. A zero vector has cosine 0.

    Args:
        wv: the table.
        words: N >= 1 words, usually gender-neutral ones such as professions.
        direction: g, (E,), any nonzero length.
        c: the strictness exponent, >= 0.

    Returns:
        The direct bias in [0, 1].

    Raises:
        ValueError: no words, an unknown word, c < 0, or a bad direction.
    """
    if not c >= 0:
        raise ValueError(f"c must be >= 0, got {c}")
    words = list(words)
    if not words:
        raise ValueError("direct_bias needs at least 1 word, got none")
    g = _check_direction(direction, wv.dim)
    cos = _rows(wv, words, normalize=True) @ (g / np.linalg.norm(g))  # (N,)
    scores = (np.abs(cos) > 0).astype(np.float64) if c == 0 else np.abs(cos) ** c
    return float(scores.mean())


def debias(
    wv: WordVectors,
    *,
    definitional: Sequence[tuple[str, str]],
    equalize_pairs: Sequence[tuple[str, str]],
    neutral_words: Sequence[str] | None = None,
    gender_specific: Iterable[str] | None = None,
) -> tuple[WordVectors, dict]:
    """Bolukbasi's hard debias: normalise, find g, neutralize, equalize.

    As in Bolukbasi's ``debias.py`` every vector is first unit-normalised, so the returned
    table holds unit vectors (zero vectors stay zero). g comes from the definitional pairs
    (PCA). The neutral words (``neutral_words`` if given, else every word that is neither in
    ``gender_specific`` nor in an equalize pair) lose their g-component and are renormalised.
    Then the equalize pairs are equalized; a pair with a word missing from the table is skipped
    (as Bolukbasi's code does) and listed in the report.

    Args:
        wv: the table.
        definitional: pairs that define g, e.g. ``load_word_list("definitional_pairs")``.
        equalize_pairs: pairs to equalize, e.g. ``load_word_list("equalize_pairs")``.
        neutral_words: the words to neutralize; all must be in the table.
        gender_specific: words to leave alone when ``neutral_words`` is not given, e.g.
            ``load_word_list("gender_specific")``; words missing from the table are ignored.

    Returns:
        ``(debiased, report)``; report holds ``"direction"`` (g, float64 (E,)),
        ``"direct_bias_before"`` and ``"direct_bias_after"`` (DirectBias_1 over the
        neutralized words), ``"neutralized"`` (how many words), ``"equalized"`` (how many
        pairs) and ``"skipped_pairs"`` (the equalize pairs not in the table).

    Raises:
        ValueError: bad definitional pairs (see :func:`bias_direction`), a bad equalize pair,
            an unknown neutral word, or no word left to neutralize.
    """
    equalize_pairs = _check_pairs(equalize_pairs, "equalize")
    unit = WordVectors(wv.words, _unit_rows(wv.vectors.astype(np.float64)))
    g = bias_direction(unit, definitional)  # (E,)
    if neutral_words is None:
        excluded = set(gender_specific or ()) | {w for pair in equalize_pairs for w in pair}
        neutral_words = [word for word in wv.words if word not in excluded]
    neutral_words = list(neutral_words)
    if not neutral_words:
        raise ValueError("no word left to neutralize: every word is gender-specific")
    present = [(a, b) for a, b in equalize_pairs if a in wv and b in wv]
    skipped = [(a, b) for a, b in equalize_pairs if a not in wv or b not in wv]
    if skipped:
        logger.info("debias: skipped %d equalize pairs not in the table", len(skipped))
    before = direct_bias(unit, neutral_words, g)
    debiased = neutralize(unit, neutral_words, g, normalize=True)
    debiased = equalize(debiased, present, g)
    report = {
        "direction": g,
        "direct_bias_before": before,
        "direct_bias_after": direct_bias(debiased, neutral_words, g),
        "neutralized": len(set(neutral_words)),
        "equalized": len(present),
        "skipped_pairs": skipped,
    }
    return debiased, report


def load_word_list(name: str) -> list[str] | list[tuple[str, str]]:
    """A word list shipped with seqlab (``seqlab/data/debias/<name>.txt``, see SOURCES.md).

    Args:
        name: ``"definitional_pairs"`` (10 pairs), ``"equalize_pairs"`` (pairs),
            ``"gender_specific"`` (words) or ``"professions"`` (words).

    Returns:
        Pairs ``(female, male)`` for the two pair lists, words for the others, in file order.

    Raises:
        ValueError: an unknown name, or a line with the wrong number of words.
    """
    if name not in _WORD_LISTS:
        choices = ", ".join(repr(n) for n in _WORD_LISTS)
        raise ValueError(f"unknown word list {name!r}; choose from {choices}")
    width = _WORD_LISTS[name]
    text = files("seqlab.data").joinpath("debias").joinpath(f"{name}.txt").read_text("utf-8")
    entries = []
    for n, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        if len(fields) != width:
            raise ValueError(f"{name}.txt: line {n}: expected {width} words, got {len(fields)}")
        entries.append(tuple(fields) if width == 2 else fields[0])
    return entries


# -- helpers ---------------------------------------------------------------------------------


def _check_pairs(pairs: Sequence[tuple[str, str]], caller: str) -> list[tuple[str, str]]:
    """The pairs as a list of 2-tuples; ValueError on a malformed, identical or repeated pair."""
    checked: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, pair in enumerate(pairs):
        if isinstance(pair, str) or len(pair) != 2:
            raise ValueError(f"{caller}: pair {i} must be two words, got {pair!r}")
        a, b = pair
        if a == b:
            raise ValueError(f"{caller}: pair {i} holds the same word twice: ({a!r}, {b!r})")
        if caller == "equalize":  # equalizing a word twice would depend on the pairs' order
            for word in (a, b):
                if word in seen:
                    raise ValueError(f"equalize: word {word!r} is in more than one pair")
                seen.add(word)
        checked.append((a, b))
    return checked


def _check_direction(direction: np.ndarray, dim: int) -> np.ndarray:
    """``direction`` as float64 (E,); ValueError if it has another shape, is zero or not finite."""
    g = np.asarray(direction, dtype=np.float64)
    if g.shape != (dim,):
        raise ValueError(f"direction must have shape ({dim},), got {g.shape}")
    if not np.isfinite(g).all() or np.linalg.norm(g) < _TINY:
        raise ValueError("direction must be a nonzero finite vector")
    return g


def _rows(wv: WordVectors, words: Sequence[str], normalize: bool) -> np.ndarray:
    """The float64 vectors (N, E) of ``words``, unit-normalised if asked; unknown -> ValueError."""
    e = wv.vectors[[wv.index(word) for word in words]].astype(np.float64)  # (N, E)
    return _unit_rows(e) if normalize else e


def _unit_rows(e: np.ndarray) -> np.ndarray:
    """Each row of ``e`` (N, E) divided by its length; zero rows stay zero."""
    norms = np.linalg.norm(e, axis=-1, keepdims=True)  # (N, 1)
    return e / np.where(norms > _TINY, norms, 1.0)


def _unit_or(v: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """v / ||v||, or ``fallback`` when v is (numerically) zero."""
    norm = np.linalg.norm(v)
    return v / norm if norm > _TINY else fallback
