"""seqlab.metrics: pure functions on strings and numbers (perplexity, BLEU)."""

from seqlab.metrics.bleu import (
    BleuScore,
    BleuStats,
    bleu_stats,
    corpus_bleu,
    score_from_stats,
    sentence_bleu,
    tokenize_13a,
)
from seqlab.metrics.perplexity import bits_per_token, perplexity

__all__ = [
    "BleuScore",
    "BleuStats",
    "bits_per_token",
    "bleu_stats",
    "corpus_bleu",
    "perplexity",
    "score_from_stats",
    "sentence_bleu",
    "tokenize_13a",
]
