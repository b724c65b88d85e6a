"""seqlab.metrics.wer: edit distance tables, and WER/CER equal to jiwer's."""

import random

import pytest

from seqlab.metrics import cer, edit_distance, error_rate, wer


@pytest.mark.parametrize(
    ("ref", "hyp", "cost"),
    [
        ("", "", 0),
        ("abc", "abc", 0),
        ("abc", "", 3),
        ("", "ab", 2),
        ("kitten", "sitting", 3),
        ("flaw", "lawn", 2),
        ("intention", "execution", 5),
        ("abcdef", "azced", 3),
    ],
)
def test_edit_distance_table(ref, hyp, cost):
    s, d, i = edit_distance(list(ref), list(hyp))
    assert s + d + i == cost
    assert len(ref) - d + i == len(hyp)  # deletions and insertions account for the lengths


def test_counts():
    assert edit_distance("the cat sat".split(), "the cat".split()) == (0, 1, 0)
    assert edit_distance("a b".split(), "a x b y".split()) == (0, 0, 2)
    assert edit_distance("a b c".split(), "a x c".split()) == (1, 0, 0)
    r = error_rate([["a", "b"], ["c"]], [["a"], ["c", "d"]])
    assert (r.deletions, r.insertions, r.reference_length, r.rate) == (1, 1, 3, 2 / 3)


def _random_sentences(rng, n, vocab):
    refs, hyps = [], []
    for _ in range(n):
        ref = [rng.choice(vocab) for _ in range(rng.randint(1, 12))]
        hyp = list(ref)
        for _ in range(rng.randint(0, 4)):
            op = rng.choice("sdi")
            k = rng.randrange(len(hyp) + 1)
            if op == "i" or not hyp:
                hyp.insert(k, rng.choice(vocab))
            elif op == "d":
                del hyp[min(k, len(hyp) - 1)]
            else:
                hyp[min(k, len(hyp) - 1)] = rng.choice(vocab)
        refs.append(" ".join(ref))
        hyps.append(" ".join(hyp))
    return refs, hyps


@pytest.mark.parametrize("seed", range(5))
def test_equal_to_jiwer(seed):
    jiwer = pytest.importorskip("jiwer")
    rng = random.Random(seed)
    refs, hyps = _random_sentences(rng, 40, ["one", "two", "three", "four", "oh", "zero"])
    assert wer(refs, hyps) == pytest.approx(jiwer.wer(refs, hyps), abs=1e-12)
    assert cer(refs, hyps) == pytest.approx(jiwer.cer(refs, hyps), abs=1e-12)
    assert wer(refs[0], hyps[0]) == pytest.approx(jiwer.wer(refs[0], hyps[0]), abs=1e-12)


def test_errors():
    with pytest.raises(ValueError, match="2 references but 1 hypotheses"):
        wer(["a", "b"], ["a"])
    with pytest.raises(ValueError, match="no tokens"):
        wer([""], ["a"])
