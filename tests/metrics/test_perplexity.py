"""seqlab.metrics.perplexity: perplexity and bits per token from log-probabilities."""

import math

import pytest

from seqlab.metrics import bits_per_token, perplexity

LN2 = math.log(2)


@pytest.mark.parametrize(
    ("logprob", "n_tokens", "expected"),
    [
        (0.0, 1, 1.0),  # certain of every token
        (0.0, 7, 1.0),
        (-math.log(4) * 3, 3, 4.0),  # uniform over 4: perplexity 4
        (-math.log(27), 3, 3.0),
        (-10 * math.log(65), 10, 65.0),
        (-2.0, 4, math.exp(0.5)),
        (-2, 1, math.exp(2)),  # an int total
        ([math.log(0.5), math.log(0.25)], None, math.sqrt(8)),  # per-token values
        ([math.log(0.5)] * 6, None, 2.0),
        ((-1.0, -3.0), None, math.exp(2.0)),
        ([-1.0, -3.0], 4, math.exp(1.0)),  # n_tokens given: the values are summed over it
        ([-math.inf, -1.0], None, math.inf),  # a token of probability 0
        (-math.inf, 3, math.inf),
        (-1e6, 1, math.inf),  # overflow is infinity, not an OverflowError
    ],
)
def test_perplexity(logprob, n_tokens, expected):
    assert perplexity(logprob, n_tokens) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("logprob", "n_tokens", "expected"),
    [
        (0.0, 3, 0.0),
        (-4 * LN2, 4, 1.0),  # probability 1/2 per token: 1 bit
        (-3 * LN2 * 5, 5, 3.0),  # 1/8 per token: 3 bits
        ([math.log(0.5), math.log(0.125)], None, 2.0),
        (-LN2, 2, 0.5),
    ],
)
def test_bits_per_token(logprob, n_tokens, expected):
    assert bits_per_token(logprob, n_tokens) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("logprob", "n_tokens"), [(-3.7, 5), ([-0.1, -2.0, -0.5], None)])
def test_perplexity_is_two_to_the_bits(logprob, n_tokens):
    assert perplexity(logprob, n_tokens) == pytest.approx(2 ** bits_per_token(logprob, n_tokens))


def test_a_generator_of_logprobs():
    assert perplexity(math.log(p) for p in (0.5, 0.5)) == pytest.approx(2.0)
    assert bits_per_token(math.log(0.25) for _ in range(3)) == pytest.approx(2.0)


def test_many_small_logprobs_are_summed_exactly():
    values = [-0.1] * 10 + [-1e-17] * 1000
    assert perplexity(values) == pytest.approx(math.exp(math.fsum(values) / -len(values)))


@pytest.mark.parametrize("function", [perplexity, bits_per_token])
@pytest.mark.parametrize(
    ("logprob", "n_tokens", "match"),
    [
        (-1.0, 0, "n_tokens must be an int >= 1"),
        (-1.0, -3, "n_tokens must be an int >= 1"),
        (-1.0, 2.0, "n_tokens must be an int >= 1"),
        (-1.0, True, "n_tokens must be an int >= 1"),
        ([], None, "n_tokens must be an int >= 1"),  # no tokens at all
        (0.5, 1, "logprob must be a natural-log probability <= 0"),
        ([-1.0, 2.0], None, "logprob must be a natural-log probability <= 0"),  # sum is positive
        (math.nan, 1, "logprob must be a natural-log probability <= 0"),
        ([-1.0, math.nan], None, "logprob must be a natural-log probability <= 0"),
        (-1.0, None, "n_tokens is required"),
    ],
)
def test_errors(function, logprob, n_tokens, match):
    with pytest.raises(ValueError, match=match):
        function(logprob, n_tokens)


@pytest.mark.parametrize("function", [perplexity, bits_per_token])
def test_a_positive_per_token_logprob_raises(function):
    with pytest.raises(ValueError, match="logprob"):
        function([-5.0, 0.1])
