"""seqlab.metrics: pure functions on strings and numbers (perplexity, BLEU, F1, WER/CER)."""

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
from seqlab.metrics.wer import ErrorRate, cer, edit_distance, error_rate, wer

__all__ = [
    "BleuScore",
    "BleuStats",
    "ClassScores",
    "ClassificationScores",
    "ErrorRate",
    "SpanScores",
    "TypeScores",
    "bits_per_token",
    "bleu_stats",
    "cer",
    "classification_scores",
    "corpus_bleu",
    "edit_distance",
    "error_rate",
    "perplexity",
    "score_from_stats",
    "sentence_bleu",
    "span_scores",
    "tokenize_13a",
    "wer",
]
