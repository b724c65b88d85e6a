"""Score a trained classifier or tagger on labelled data with seqlab.metrics.

Classification: accuracy, per-class precision/recall/F1 and the confusion matrix (as
scikit-learn computes them). Tagging: entity-level (span) precision/recall/F1 as seqeval and
conlleval count them: an entity is right only when its type and both boundaries are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from seqlab.classify.classifier import ClassifierEnsemble, SentenceClassifier
from seqlab.classify.tagger import SequenceTagger
from seqlab.metrics import ClassificationScores, SpanScores, classification_scores, span_scores

__all__ = ["evaluate_classifier", "evaluate_tagger"]


def evaluate_classifier(
    model: SentenceClassifier | ClassifierEnsemble,
    rows: Sequence[tuple[str, str]],
    *,
    batch_size: int = 256,
    on_long: str = "error",
) -> tuple[ClassificationScores, list[str]]:
    """Predict every (text, label) row and score it (``on_long``: a text over
    :data:`~seqlab.text.limits.MAX_TOKENS` tokens is an error, or read from its first tokens).

    Returns:
        The scores (over the model's labels) and the predicted labels, in row order.

    Raises:
        ValueError: on no rows, an empty text, or a label the model was not trained on.
    """
    if not rows:
        raise ValueError("no sentences to evaluate")
    for i, (_, label) in enumerate(rows):
        if label not in model.labels:
            raise ValueError(
                f"sentence {i + 1} has label {label!r}, which the model was not trained on "
                f"(its labels: {model.labels})"
            )
    texts = [t for t, _ in rows]
    predicted = [p.label for p in model.predict(texts, batch_size=batch_size, on_long=on_long)]
    scores = classification_scores([y for _, y in rows], predicted, labels=model.labels)
    return scores, predicted


def evaluate_tagger(
    model: SequenceTagger, sentences: Sequence[Any], *, batch_size: int = 128
) -> tuple[SpanScores, list[list[str]]]:
    """Tag every sentence (objects with ``tokens`` and ``tags``) and score the entities.

    Returns:
        The span scores (in the model's scheme, seqeval's default mode) and the predicted tags.

    Raises:
        ValueError: on no sentences or a tag the model does not know.
    """
    if not sentences:
        raise ValueError("no sentences to evaluate")
    known = set(model.tags)
    for i, s in enumerate(sentences):
        unknown = sorted(set(s.tags) - known)
        if unknown:
            raise ValueError(
                f"sentence {i + 1} has tag(s) {unknown} the model was not trained on "
                f"(its tags: {model.tags})"
            )
    predictions = model.predict([list(s.tokens) for s in sentences], batch_size=batch_size)
    predicted = [p.tags for p in predictions]
    gold = [list(s.tags) for s in sentences]
    return span_scores(gold, predicted, scheme=model.config.scheme), predicted
