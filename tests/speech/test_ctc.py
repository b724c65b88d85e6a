"""seqlab.speech.ctc: collapse tables, greedy vs beam, prefix beam search vs brute force,
torch's CTC loss and a straightforward reference implementation (with and without an LM)."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from seqlab.speech import Hypothesis, collapse, greedy_decode, prefix_beam_search

B = 0  # the blank


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("ttt_h_eee___ ___qqq", "the q"),  # the notes' example
        ("", ""),
        ("____", ""),
        ("aa", "a"),
        ("a_a", "aa"),
        ("a__aa_a", "aaa"),
        ("_ab_ba_", "abba"),
        ("hh_ee_ll_ll_oo", "hello"),
        ("hheelllloo", "helo"),
    ],
)
def test_collapse_table(path, text):
    alphabet = "_ abcdefghijklmnopqrstuvwxyz"
    ids = [alphabet.index(ch) for ch in path]
    assert "".join(alphabet[i] for i in collapse(ids, blank=0)) == text


def _random_log_probs(rng, T, C, peak=None):
    logits = rng.normal(size=(T, C))
    if peak is not None:
        logits[np.arange(T), rng.integers(0, C, size=T)] += peak
    return logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)


def _brute_force(log_probs):
    """log P(labels) for every labelling, summing all C^T frame paths."""
    T, C = log_probs.shape
    totals: dict[tuple[int, ...], float] = {}
    for path in itertools.product(range(C), repeat=T):
        labels = tuple(collapse(path, B))
        lp = float(sum(log_probs[t, c] for t, c in enumerate(path)))
        totals[labels] = float(np.logaddexp(totals.get(labels, -np.inf), lp))
    return totals


@pytest.mark.parametrize(
    ("seed", "T", "C"), [(0, 3, 3), (1, 4, 3), (2, 5, 3), (3, 4, 4), (4, 6, 2)]
)
def test_unbounded_beam_equals_brute_force(seed, T, C):
    rng = np.random.default_rng(seed)
    log_probs = _random_log_probs(rng, T, C)
    exact = _brute_force(log_probs)
    found = prefix_beam_search(log_probs, beam_size=10**6)
    assert {h.labels for h in found} == set(exact)
    for h in found:
        assert h.log_prob == pytest.approx(exact[h.labels], abs=1e-9)
    best = max(exact, key=exact.get)
    assert found[0].labels == best
    assert np.logaddexp.reduce([h.log_prob for h in found]) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_probability_equals_torch_ctc_loss(seed):
    rng = np.random.default_rng(seed)
    T, C = 8, 4
    log_probs = _random_log_probs(rng, T, C, peak=2.0)
    for h in prefix_beam_search(log_probs, beam_size=10**6, top=5):  # unpruned: exact sums
        if not h.labels:
            continue
        loss = F.ctc_loss(
            torch.tensor(log_probs)[:, None, :], torch.tensor([h.labels]),
            torch.tensor([T]), torch.tensor([len(h.labels)]), blank=B, reduction="sum",
        )  # fmt: skip
        assert h.log_prob == pytest.approx(-loss.item(), abs=1e-9)


@pytest.mark.parametrize("seed", range(10))
def test_beam_one_equals_greedy_on_peaked_outputs(seed):
    rng = np.random.default_rng(seed)
    log_probs = _random_log_probs(rng, 30, 6, peak=6.0)  # every frame's best label above 1/2
    assert (np.exp(log_probs).max(axis=1) > 0.5).all()
    assert list(prefix_beam_search(log_probs, beam_size=1)[0].labels) == greedy_decode(log_probs)


def test_wider_beams_never_score_lower():
    rng = np.random.default_rng(7)
    log_probs = _random_log_probs(rng, 25, 4, peak=1.0)
    scores = [prefix_beam_search(log_probs, beam_size=k)[0].log_prob for k in (1, 2, 4, 16)]
    assert scores == sorted(scores)


def test_language_model_changes_the_ranking():
    # two frames, labels 1 and 2 almost equally likely; the LM prefers 2
    y = np.log(np.array([[0.02, 0.50, 0.48], [0.98, 0.01, 0.01]]))
    assert prefix_beam_search(y)[0].labels == (1,)

    def lm(prefix):
        return np.log(np.array([1e-9, 0.1, 0.9]))

    best = prefix_beam_search(y, lm=lm, lm_weight=1.0)[0]
    assert best.labels == (2,)
    assert best.score == pytest.approx(best.log_prob + np.log(0.9))
    # the insertion bonus favours longer outputs
    z = np.log(np.array([[0.4, 0.6, 1e-9], [0.6, 1e-9, 0.4]]))
    assert prefix_beam_search(z)[0].labels == (1,)
    assert prefix_beam_search(z, insertion_bonus=2.0)[0].labels == (1, 2)


@pytest.mark.parametrize(
    ("array", "kwargs", "message"),
    [
        (np.zeros(5), {}, "must be \\(T, C\\)"),
        (np.zeros((3, 1)), {}, "C >= 2"),
        (np.full((2, 3), np.nan), {}, "NaN"),
        (np.zeros((2, 3)), {"blank": 3}, "blank"),
        (np.zeros((2, 3)), {"beam_size": 0}, "beam_size"),
    ],
)
def test_errors(array, kwargs, message):
    with pytest.raises(ValueError, match=message):
        prefix_beam_search(array, **kwargs)


def _reference_beam_search(log_probs, *, beam_size, blank=B, lm=None, lm_weight=0.5,
                           insertion_bonus=0.0):  # fmt: skip
    """The first, straightforward prefix beam search (np.logaddexp on scalars, tuples as keys)."""
    T, C = log_probs.shape
    lm_cache = {(): 0.0}

    def lm_score(prefix):
        if prefix not in lm_cache:
            step = 0.0 if lm is None else lm_weight * float(lm(prefix[:-1])[prefix[-1]])
            lm_cache[prefix] = lm_score(prefix[:-1]) + step + insertion_bonus
        return lm_cache[prefix]

    beams = {(): (0.0, -np.inf)}
    labels = [c for c in range(C) if c != blank]
    for t in range(T):
        y = log_probs[t]
        nxt = {}
        for prefix, (p_b, p_nb) in beams.items():
            p = np.logaddexp(p_b, p_nb)
            entry = nxt.setdefault(prefix, [-np.inf, -np.inf])
            entry[0] = np.logaddexp(entry[0], p + y[blank])
            last = prefix[-1] if prefix else None
            for c in labels:
                if y[c] == -np.inf:
                    continue
                grow = nxt.setdefault(prefix + (c,), [-np.inf, -np.inf])
                if c == last:
                    grow[1] = np.logaddexp(grow[1], p_b + y[c])
                    entry[1] = np.logaddexp(entry[1], p_nb + y[c])
                else:
                    grow[1] = np.logaddexp(grow[1], p + y[c])
        alive = [(k, v) for k, v in nxt.items() if v[0] > -np.inf or v[1] > -np.inf]
        ranked = sorted(alive, key=lambda kv: -(np.logaddexp(*kv[1]) + lm_score(kv[0])))
        beams = {prefix: (pb, pnb) for prefix, (pb, pnb) in ranked[:beam_size]}
    out = [Hypothesis(k, float(np.logaddexp(*v)), float(np.logaddexp(*v) + lm_score(k)))
           for k, v in beams.items()]  # fmt: skip
    return sorted(out, key=lambda h: -h.score)


def _toy_lm(C, seed):
    """A deterministic character LM: next-label log-probs depend on the prefix's last two."""
    table = np.random.default_rng(seed).normal(size=(C + 1, C + 1, C)) * 2.0
    table -= np.logaddexp.reduce(table, axis=-1, keepdims=True)

    def lm(prefix):
        assert isinstance(prefix, tuple)
        padded = (C, C, *prefix)
        return table[padded[-2], padded[-1]]

    return lm


def _assert_same(found, expected):
    assert [h.labels for h in found] == [h.labels for h in expected]
    for f, e in zip(found, expected):
        assert f.log_prob == pytest.approx(e.log_prob, abs=1e-9)
        assert f.score == pytest.approx(e.score, abs=1e-9)


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("with_lm", [False, True])
def test_equals_reference_implementation(seed, with_lm):
    rng = np.random.default_rng(seed)
    T, C = int(rng.integers(1, 30)), int(rng.integers(2, 8))
    log_probs = _random_log_probs(rng, T, C, peak=float(rng.uniform(0.0, 6.0)))
    if seed % 4 == 0:  # some impossible labels, some frames where only the blank is possible
        log_probs[rng.random(size=log_probs.shape) < 0.4] = -np.inf
        log_probs[rng.random(size=T) < 0.3, 1:] = -np.inf
        log_probs[:, 0] = np.maximum(log_probs[:, 0], -1.0)
    kwargs = {"beam_size": int(rng.integers(1, 12)), "blank": 0 if seed % 3 else C - 1}
    if with_lm:
        kwargs |= {"lm": _toy_lm(C, seed), "lm_weight": float(rng.uniform(0.2, 1.5)),
                   "insertion_bonus": float(rng.uniform(-1.0, 2.0))}  # fmt: skip
    _assert_same(prefix_beam_search(log_probs, **kwargs),
                 _reference_beam_search(log_probs, **kwargs))  # fmt: skip


@pytest.mark.parametrize("with_lm", [False, True])
def test_equals_reference_on_long_peaked_outputs(with_lm):
    """Long prefixes (the trie), many labels, wide beams: the realistic case."""
    rng = np.random.default_rng(11)
    log_probs = _random_log_probs(rng, 120, 29, peak=5.0)
    kwargs = {"beam_size": 16, "insertion_bonus": 0.2}
    if with_lm:
        kwargs |= {"lm": _toy_lm(29, 1), "lm_weight": 0.7}
    _assert_same(prefix_beam_search(log_probs, **kwargs),
                 _reference_beam_search(log_probs, **kwargs))  # fmt: skip


@pytest.mark.parametrize("seed", range(10))
def test_pruning_equals_reference_on_pruned_frames(seed):
    """min_log_prob drops a frame's unlikely labels (never its best one): the same as the
    exact search on log-probs where those labels are impossible."""
    rng = np.random.default_rng(100 + seed)
    log_probs = _random_log_probs(rng, 40, 6, peak=4.0)
    threshold = -3.0
    pruned = np.where(log_probs >= threshold, log_probs, -np.inf)
    best = np.argmax(log_probs, axis=1)
    pruned[np.arange(40), best] = log_probs[np.arange(40), best]
    pruned[:, B] = log_probs[:, B]  # the blank is never pruned
    kwargs = {"beam_size": 4, "lm": _toy_lm(6, seed), "insertion_bonus": 0.5}
    _assert_same(prefix_beam_search(log_probs, min_log_prob=threshold, **kwargs),
                 _reference_beam_search(pruned, **kwargs))  # fmt: skip
    exact = prefix_beam_search(log_probs, min_log_prob=-np.inf, **kwargs)
    _assert_same(exact, _reference_beam_search(log_probs, **kwargs))


def test_blank_only_frames_keep_the_beams():
    rng = np.random.default_rng(3)
    log_probs = _random_log_probs(rng, 12, 4, peak=3.0)
    log_probs[3:9, 1:] = -np.inf  # a run of frames where only the blank is possible
    log_probs[3:9, B] = 0.0
    _assert_same(prefix_beam_search(log_probs, beam_size=3),
                 _reference_beam_search(log_probs, beam_size=3))  # fmt: skip


def test_language_model_asked_once_per_prefix():
    calls = []
    lm = _toy_lm(5, 0)
    rng = np.random.default_rng(4)
    log_probs = _random_log_probs(rng, 30, 5, peak=2.0)
    prefix_beam_search(log_probs, beam_size=6, lm=lambda p: calls.append(p) or lm(p))
    assert len(calls) == len(set(calls))


def test_language_model_of_the_wrong_size():
    with pytest.raises(ValueError, match="expected \\(3,\\)"):
        prefix_beam_search(np.log(np.full((2, 3), 1 / 3)), lm=lambda p: np.zeros(4))


@pytest.mark.parametrize(("seed", "T", "C"), [(0, 4, 3), (1, 5, 3), (2, 4, 4)])
def test_ctc_log_likelihood_equals_brute_force(seed, T, C):
    from seqlab.speech.ctc import ctc_log_likelihood

    rng = np.random.default_rng(seed)
    log_probs = _random_log_probs(rng, T, C)
    exact = _brute_force(log_probs)
    for labels, value in exact.items():
        assert ctc_log_likelihood(log_probs, labels, B) == pytest.approx(value, abs=1e-9)
    too_long = tuple([1] * (T + 1))
    assert ctc_log_likelihood(log_probs, too_long, B) == -np.inf


def test_lexicon_decode_picks_the_most_likely_entry():
    from seqlab.speech.ctc import lexicon_decode

    rng = np.random.default_rng(5)
    log_probs = _random_log_probs(rng, 5, 3)
    exact = _brute_force(log_probs)
    lexicon = [(1,), (2, 1), (1, 2, 1), (2,)]
    best, scores = lexicon_decode(log_probs, lexicon, B)
    want = [exact.get(entry, -np.inf) for entry in lexicon]
    np.testing.assert_allclose(scores, want, atol=1e-9)
    assert best == int(np.argmax(want))
    with pytest.raises(ValueError, match="empty"):
        lexicon_decode(log_probs, [], B)
