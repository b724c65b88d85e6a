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
from seqlab.metrics.classification import (
    ClassificationScores,
    ClassScores,
    classification_scores,
)
from seqlab.metrics.perplexity import bits_per_token, perplexity
from seqlab.metrics.spans import SpanScores, TypeScores, span_scores

__all__ = [
    "BleuScore",
    "BleuStats",
    "ClassScores",
    "ClassificationScores",
    "SpanScores",
    "TypeScores",
    "bits_per_token",
    "bleu_stats",
    "classification_scores",
    "corpus_bleu",
    "perplexity",
    "score_from_stats",
    "sentence_bleu",
    "span_scores",
    "tokenize_13a",
]
