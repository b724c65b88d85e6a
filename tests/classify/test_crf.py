"""LinearChainCRF against brute-force enumeration of every tag sequence on tiny inputs."""

import itertools
import math

import pytest
import torch

from seqlab.classify import LinearChainCRF, allowed_transitions

C = 3


def _crf(seed=0, allowed=None, n_tags=C) -> LinearChainCRF:
    torch.manual_seed(seed)
    crf = LinearChainCRF(n_tags, allowed).double()
    with torch.no_grad():
        for p in crf.parameters():
            p.normal_()
    return crf


def _batch(lengths, seed=1, n_tags=C):
    g = torch.Generator().manual_seed(seed)
    B, T = len(lengths), max(lengths)
    emissions = torch.randn(B, T, n_tags, generator=g, dtype=torch.float64)
    mask = torch.arange(T).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)
    return emissions, mask


def _brute_score(crf, em, tags):
    """s(x, y) written out for one sentence, with Python floats."""
    start, trans, end = crf._scores(torch.float64)
    s = start[tags[0]].item() + sum(em[t, y].item() for t, y in enumerate(tags))
    s += sum(trans[a, b].item() for a, b in zip(tags, tags[1:]))
    return s + end[tags[-1]].item()


def _all_paths(n, n_tags=C):
    return list(itertools.product(range(n_tags), repeat=n))


@pytest.mark.parametrize("lengths", [[1], [4], [4, 2, 3, 1]])
def test_log_partition_equals_the_sum_over_all_sequences(lengths):
    crf = _crf()
    em, mask = _batch(lengths)
    log_z = crf.log_partition(em, mask)
    for b, n in enumerate(lengths):
        scores = [_brute_score(crf, em[b], p) for p in _all_paths(n)]
        m = max(scores)
        expected = m + math.log(sum(math.exp(s - m) for s in scores))
        assert log_z[b].item() == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize("lengths", [[3], [4, 2, 3, 1]])
def test_likelihoods_of_all_sequences_sum_to_one(lengths):
    crf = _crf(2)
    em, mask = _batch(lengths, seed=3)
    for b, n in enumerate(lengths):
        paths = _all_paths(n)
        T = em.shape[1]
        tags = torch.tensor([list(p) + [0] * (T - n) for p in paths])  # padded with tag 0
        rows = em[b : b + 1].expand(len(paths), -1, -1)
        ll = crf.log_likelihood(rows, tags, mask[b : b + 1].expand(len(paths), -1))
        assert torch.logsumexp(ll, 0).item() == pytest.approx(0.0, abs=1e-10)
        log_z = crf.log_partition(rows[:1], mask[b : b + 1]).item()
        for p, value in zip(paths, ll.tolist()):  # each one is s(x, y) - log Z
            assert value == pytest.approx(_brute_score(crf, em[b], p) - log_z, abs=1e-10)


@pytest.mark.parametrize("seed", range(6))
def test_viterbi_equals_the_brute_force_argmax(seed):
    lengths = [5, 1, 3, 4]
    crf = _crf(seed)
    em, mask = _batch(lengths, seed=seed + 10)
    best = crf.viterbi(em, mask)
    for b, n in enumerate(lengths):
        scores = {p: _brute_score(crf, em[b], p) for p in _all_paths(n)}
        assert tuple(best[b]) == max(scores, key=scores.get)
        assert len(best[b]) == n


def test_padding_does_not_change_a_sentence():
    crf = _crf(4)
    em, mask = _batch([3], seed=5)
    padded = torch.cat([em, torch.randn(1, 4, C, dtype=torch.float64) * 100], dim=1)
    pmask = torch.cat([mask, torch.zeros(1, 4, dtype=torch.bool)], dim=1)
    assert crf.log_partition(padded, pmask).item() == pytest.approx(
        crf.log_partition(em, mask).item(), abs=1e-10
    )
    assert crf.viterbi(padded, pmask) == crf.viterbi(em, mask)
    tags = torch.tensor([[2, 0, 1]])
    ptags = torch.cat([tags, torch.tensor([[1, 1, 1, 1]])], dim=1)
    assert crf.score(padded, ptags, pmask).item() == pytest.approx(
        crf.score(em, tags, mask).item(), abs=1e-10
    )


def test_gradient_of_log_partition_is_the_tag_marginals():
    """d log Z / d P[t, j] = P(y<t> = j | x): checked against enumeration."""
    crf = _crf(6)
    em, mask = _batch([4], seed=7)
    em.requires_grad_(True)
    crf.log_partition(em, mask).sum().backward()
    paths = _all_paths(4)
    scores = [_brute_score(crf, em[0].detach(), p) for p in paths]
    weights = torch.tensor(scores, dtype=torch.float64).softmax(0)
    marginals = torch.zeros(4, C, dtype=torch.float64)
    for w, p in zip(weights, paths):
        for t, y in enumerate(p):
            marginals[t, y] += w
    torch.testing.assert_close(em.grad[0], marginals, atol=1e-10, rtol=0)


def test_finite_differences_of_the_likelihood_wrt_transitions():
    crf = _crf(8)
    em, mask = _batch([4, 2], seed=9)
    tags = torch.tensor([[0, 2, 1, 1], [1, 0, 0, 0]])
    assert torch.autograd.gradcheck(
        lambda A: _with_transitions(crf, A).log_likelihood(em, tags, mask),
        (crf.transitions.detach().clone().requires_grad_(True),),
    )


def _with_transitions(crf, A):
    clone = LinearChainCRF(crf.n_tags).double()
    clone.load_state_dict(crf.state_dict())
    del clone.transitions
    clone.transitions = A
    return clone


TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def test_bio_constraints_forbid_exactly_the_invalid_transitions():
    start, trans, end = allowed_transitions(TAGS, "BIO")
    assert start.tolist() == [True, True, False, True, False]
    assert end.all()
    allowed = {(a, b) for i, a in enumerate(TAGS) for j, b in enumerate(TAGS) if trans[i, j]}
    forbidden = {(a, b) for a in TAGS for b in TAGS} - allowed
    assert forbidden == {
        ("O", "I-PER"),
        ("O", "I-LOC"),
        ("B-LOC", "I-PER"),
        ("I-LOC", "I-PER"),
        ("B-PER", "I-LOC"),
        ("I-PER", "I-LOC"),
    }


def test_iobes_constraints():
    tags = ["O", "B-X", "I-X", "E-X", "S-X"]
    start, trans, end = allowed_transitions(tags, "IOBES")
    assert start.tolist() == [True, True, False, False, True]
    assert end.tolist() == [True, False, False, True, True]
    ok = {(tags[i], tags[j]) for i in range(5) for j in range(5) if trans[i, j]}
    assert ok == {
        ("O", "O"),
        ("O", "B-X"),
        ("O", "S-X"),
        ("B-X", "I-X"),
        ("B-X", "E-X"),
        ("I-X", "I-X"),
        ("I-X", "E-X"),
        ("E-X", "O"),
        ("E-X", "B-X"),
        ("E-X", "S-X"),
        ("S-X", "O"),
        ("S-X", "B-X"),
        ("S-X", "S-X"),
    }


def test_constrained_viterbi_never_decodes_an_invalid_sequence():
    crf = _crf(10, allowed_transitions(TAGS, "BIO"), n_tags=len(TAGS))
    g = torch.Generator().manual_seed(11)
    em = torch.randn(20, 6, len(TAGS), generator=g, dtype=torch.float64) * 5
    em[:, :, 2] += 10  # I-PER everywhere is what the emissions want
    mask = torch.ones(20, 6, dtype=torch.bool)
    for row in crf.viterbi(em, mask):
        names = [TAGS[i] for i in row]
        for prev, cur in zip(["O", *names], names):
            assert not (cur.startswith("I-") and prev[2:] != cur[2:]), names


def test_bad_shapes_are_named():
    crf = _crf()
    em, mask = _batch([2, 2])
    with pytest.raises(ValueError, match=r"emissions must be \(B, T, C\)"):
        crf.log_partition(em[0], mask)
    with pytest.raises(ValueError, match="mask shape"):
        crf.log_partition(em, mask[:, :1])
    with pytest.raises(ValueError, match="at least one token"):
        crf.viterbi(em, torch.zeros_like(mask))
    with pytest.raises(ValueError, match="n_tags"):
        LinearChainCRF(0)
