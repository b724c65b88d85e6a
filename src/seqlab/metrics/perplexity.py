"""Perplexity and bits per token of a language model, from log-probabilities.

The notes' language model gives P(y<1>, ..., y<T>) = prod_t P(y<t> | y<1..t-1>); its log is the
sum of the per-token log-probabilities. Perplexity is exp of the mean negative log-probability
per token, and bits per character (for a character model) is that mean in base 2.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["bits_per_token", "perplexity"]


def _mean_nll(logprob: float, n_tokens: int) -> float:
    if isinstance(n_tokens, bool) or not isinstance(n_tokens, int) or n_tokens < 1:
        raise ValueError(f"n_tokens must be an int >= 1, got {n_tokens!r}")
    if math.isnan(logprob) or logprob > 0:
        raise ValueError(f"logprob must be a natural-log probability <= 0, got {logprob!r}")
    return -logprob / n_tokens


def perplexity(logprob: float | Iterable[float], n_tokens: int | None = None) -> float:
    """exp(-logprob / n_tokens): the model's average branching factor.

    Args:
        logprob: the total natural-log probability of the tokens, or the per-token
            log-probabilities (then ``n_tokens`` defaults to how many there are).
        n_tokens: how many tokens ``logprob`` covers (``<eos>`` included when scored).

    Returns:
        The perplexity (inf when a token had probability 0).

    Raises:
        ValueError: if ``n_tokens`` < 1 or a log-probability is positive or NaN.
    """
    logprob, n_tokens = _total(logprob, n_tokens)
    mean = _mean_nll(logprob, n_tokens)
    return math.exp(mean) if mean < 709 else math.inf


def bits_per_token(logprob: float | Iterable[float], n_tokens: int | None = None) -> float:
    """-logprob / (n_tokens ln 2): bits per character for a character model.

    Same arguments and errors as :func:`perplexity`.
    """
    logprob, n_tokens = _total(logprob, n_tokens)
    return _mean_nll(logprob, n_tokens) / math.log(2)


def _total(logprob: float | Iterable[float], n_tokens: int | None) -> tuple[float, int]:
    if isinstance(logprob, (int, float)):
        if n_tokens is None:
            raise ValueError("n_tokens is required when logprob is a total")
        return float(logprob), n_tokens
    values = [float(v) for v in logprob]
    bad = [v for v in values if math.isnan(v) or v > 0]
    if bad:
        raise ValueError(f"logprob must be a natural-log probability <= 0, got {bad[0]!r}")
    return math.fsum(values), len(values) if n_tokens is None else n_tokens
