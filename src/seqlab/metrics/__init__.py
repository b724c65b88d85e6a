"""seqlab.metrics: pure functions on strings and numbers (perplexity, ...)."""

from seqlab.metrics.perplexity import bits_per_token, perplexity

__all__ = ["bits_per_token", "perplexity"]
