"""seqlab.speech.ctc: collapse tables, greedy vs beam, prefix beam search vs brute force and
torch's CTC loss."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from seqlab.speech import collapse, greedy_decode, prefix_beam_search

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
