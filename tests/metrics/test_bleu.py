"""BLEU against the notes' worked example and sacrebleu (tables and seeded fuzzed corpora)."""

import math
import random

import pytest
import sacrebleu
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

from seqlab.metrics import bleu_stats, corpus_bleu, score_from_stats, sentence_bleu, tokenize_13a

SMOOTHS = ["none", "floor", "add-k", "exp"]


def test_the_notes_modified_precision_example():
    # "the the the the the the the" against "the cat is on the mat" / "there is a cat on the mat":
    # 'the' appears at most twice in one reference, so p_1 = 2/7.
    stats = bleu_stats("the the the the the the the",
                       ["the cat is on the mat", "there is a cat on the mat"])  # fmt: skip
    assert stats.matches[0] == 2 and stats.totals[0] == 7
    assert stats.ref_len == 7 and stats.sys_len == 7  # the closest reference length (7, not 6)


def test_brevity_penalty_and_perfect_match():
    perfect = corpus_bleu(["the cat is on the mat"], [["the cat is on the mat"]])
    assert perfect.score == pytest.approx(100.0) and perfect.bp == 1.0
    short = corpus_bleu(["the cat is on"], [["the cat is on the mat"]], smooth="none")
    assert short.bp == pytest.approx(math.exp(1 - 6 / 4))
    p = [4 / 4, 3 / 3, 2 / 2, 1 / 1]
    assert short.score == pytest.approx(100 * short.bp * math.exp(sum(map(math.log, p)) / 4))


@pytest.mark.parametrize("hyp,refs", [
    ("the cat sat on the mat.", ["the cat sat on the mat ."]),
    ("It costs $3.14, or 1,000 yen -- cheap!", ["It costs 3.14 dollars, cheap!"]),
    ("", ["a reference"]),
    ("one", ["one two", "one"]),
    ("x-ray 9-5 &amp; &quot;quoted&quot; <skipped>", ["x-ray 9 - 5 & \"quoted\""]),
    ("Tied lengths", ["a b", "a b c d"]),
])  # fmt: skip
@pytest.mark.parametrize("smooth", SMOOTHS)
def test_table_equals_sacrebleu(hyp, refs, smooth):
    ours = corpus_bleu([hyp], [[r] for r in refs], smooth=smooth)
    theirs = sacrebleu.corpus_bleu([hyp], [[r] for r in refs], smooth_method=smooth)
    assert ours.score == pytest.approx(theirs.score, abs=1e-9)
    assert ours.precisions == pytest.approx(theirs.precisions, abs=1e-9)
    assert (ours.sys_len, ours.ref_len) == (theirs.sys_len, theirs.ref_len)
    assert ours.bp == pytest.approx(theirs.bp, abs=1e-12)


WORDS = ["the", "cat", "sat", "on", "mat", "a", "dog", "3.14", "1,000", "U.S.", "don't",
         "x-ray", "&amp;", "&quot;", "--", "...", "(hi)", "9-5", "Über", "café,"]  # fmt: skip
CHARS = list("abcde .,-12&'\"()é!?$\t")


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(
        rng.choice(WORDS) if rng.random() < 0.7
        else "".join(rng.choice(CHARS) for _ in range(rng.randint(1, 6)))
        for _ in range(n)
    )  # fmt: skip


def test_tokenizer_equals_sacrebleus_13a_on_fuzzed_lines():
    rng, reference = random.Random(1), Tokenizer13a()
    for _ in range(500):
        line = _sentence(rng, rng.randint(0, 12))
        assert tokenize_13a(line) == reference(line), repr(line)


@pytest.mark.parametrize("seed", range(4))
def test_fuzzed_corpora_equal_sacrebleu(seed):
    rng = random.Random(seed)
    for _ in range(25):
        hyps = [_sentence(rng, rng.randint(0, 14)) for _ in range(rng.randint(1, 12))]
        refs = [[h if rng.random() < 0.4 else _sentence(rng, rng.randint(0, 14)) for h in hyps]
                for _ in range(rng.randint(1, 3))]  # fmt: skip
        lower = rng.random() < 0.3
        for smooth in SMOOTHS:
            ours = corpus_bleu(hyps, refs, smooth=smooth, lowercase=lower)
            theirs = sacrebleu.corpus_bleu(hyps, refs, smooth_method=smooth, lowercase=lower)
            assert ours.score == pytest.approx(theirs.score, abs=1e-9), (hyps, refs, smooth)
        h, r = hyps[0], [stream[0] for stream in refs]
        assert sentence_bleu(h, r).score == pytest.approx(
            sacrebleu.sentence_bleu(h, r).score, abs=1e-9)  # fmt: skip


def test_smoothing_constants_equal_sacrebleu():
    hyps, refs = ["a b c x", "d e"], [["a b c d", "d e f"]]
    for smooth, value in [("floor", 0.3), ("add-k", 2.0)]:
        ours = corpus_bleu(hyps, refs, smooth=smooth, smooth_value=value)
        theirs = sacrebleu.corpus_bleu(hyps, refs, smooth_method=smooth, smooth_value=value)
        assert ours.score == pytest.approx(theirs.score, abs=1e-9)


def test_statistics_add_up_to_the_corpus_score():
    hyps, refs = ["the cat sat", "a dog ran fast"], ["the cat sat down", "a dog ran"]
    total = bleu_stats(hyps[0], [refs[0]]) + bleu_stats(hyps[1], [refs[1]])
    assert score_from_stats(total).score == pytest.approx(corpus_bleu(hyps, [refs]).score)


def test_format_is_sacrebleus_line():
    score = corpus_bleu(["the cat sat on the mat"], [["the cat sat on a mat"]])
    theirs = sacrebleu.corpus_bleu(["the cat sat on the mat"], [["the cat sat on a mat"]])
    assert score.format() == theirs.format(width=2)


@pytest.mark.parametrize("call,match", [
    (lambda: corpus_bleu(["a", "b"], [["a"]]), "1 lines but there are 2"),
    (lambda: corpus_bleu(["a"], []), "at least one reference"),
    (lambda: corpus_bleu("a", [["a"]]), "single str"),
    (lambda: corpus_bleu(["a"], [["a"]], smooth="bogus"), "smooth"),
    (lambda: corpus_bleu(["a"], [["a"]], tokenize="intl"), "tokenize"),
    (lambda: bleu_stats("a", []), "at least one reference"),
])  # fmt: skip
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
