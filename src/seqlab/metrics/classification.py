"""Scores of a many-to-one classifier (sentiment, emoji): accuracy, per-class P/R/F1, confusion.

For each class c, with tp = sentences of class c predicted c::

    precision_c = tp / (predicted c)     recall_c = tp / (truly c)
    f1_c = 2 tp / (truly c + predicted c)

each 0 when its denominator is 0. ``macro_f1`` is the unweighted mean of f1_c over the labels,
so every class counts the same however rare (the usual summary for unbalanced label sets;
accuracy is enough when classes are balanced, as in SST-2). The confusion matrix has one row
per true label and one column per predicted label. Everything equals scikit-learn's
``accuracy_score``, ``precision_recall_fscore_support(zero_division=0)`` and
``confusion_matrix`` with the same ``labels`` (tested on tables and fuzzed labels).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["ClassScores", "ClassificationScores", "classification_scores"]

Label = str | int


@dataclass(frozen=True)
class ClassScores:
    """Scores of one class (or an average over classes)."""

    precision: float
    recall: float
    f1: float
    support: int  # sentences truly of the class


@dataclass(frozen=True)
class ClassificationScores:
    """Accuracy, per-class scores and the confusion matrix of a set of predictions."""

    accuracy: float  # 0..1, over all sentences
    labels: list[Label]  # the classes, in the order of per_class and the matrix
    per_class: dict[Label, ClassScores]
    macro_f1: float  # unweighted mean of the per-class f1
    confusion: list[list[int]]  # confusion[i][j]: truly labels[i], predicted labels[j]

    @property
    def macro(self) -> ClassScores:
        """Unweighted means over the labels."""
        rows, n = self.per_class.values(), max(len(self.per_class), 1)
        support = sum(s.support for s in rows)
        return ClassScores(sum(s.precision for s in rows) / n, sum(s.recall for s in rows) / n,
                           self.macro_f1, support)  # fmt: skip

    @property
    def weighted(self) -> ClassScores:
        """Means over the labels weighted by support (0 if no label has support)."""
        rows = self.per_class.values()
        support = sum(s.support for s in rows)
        if support == 0:
            return ClassScores(0.0, 0.0, 0.0, 0)
        return ClassScores(
            sum(s.precision * s.support for s in rows) / support,
            sum(s.recall * s.support for s in rows) / support,
            sum(s.f1 * s.support for s in rows) / support,
            support,
        )

    def format(self, digits: int = 4) -> str:
        """scikit-learn's ``classification_report`` text: per-class lines, accuracy, averages.

        With ``labels`` left out this is the same text as scikit-learn's report.
        """
        names = [str(label) for label in self.labels]
        width = max([len("weighted avg"), digits, *map(len, names)])

        def row(name: str, s: ClassScores) -> str:
            return (f"{name:>{width}s}  {s.precision:>9.{digits}f} {s.recall:>9.{digits}f} "
                    f"{s.f1:>9.{digits}f} {s.support:>9}")  # fmt: skip

        head = f"{'':>{width}s}  {'precision':>9} {'recall':>9} {'f1-score':>9} {'support':>9}"
        lines = [head, "", *(row(n, s) for n, s in zip(names, self.per_class.values())), ""]
        total = sum(s.support for s in self.per_class.values())
        lines.append(f"{'accuracy':>{width}s}  {'':>9} {'':>9} {self.accuracy:>9.{digits}f} "
                     f"{total:>9}")  # fmt: skip
        lines += [row("macro avg", self.macro), row("weighted avg", self.weighted), ""]
        return "\n".join(lines)


def _label_order(y_true: Sequence[Label], y_pred: Sequence[Label]) -> list[Label]:
    """The sorted union of the labels (ValueError if str and int labels are mixed)."""
    seen = set(y_true) | set(y_pred)
    try:
        return sorted(seen)
    except TypeError:
        raise ValueError(f"labels mix types that cannot be sorted: {sorted(map(repr, seen))}; "
                         "give labels= in the order you want") from None  # fmt: skip


def classification_scores(
    y_true: Sequence[Label],
    y_pred: Sequence[Label],
    *,
    labels: Sequence[Label] | None = None,
) -> ClassificationScores:
    """Accuracy, per-class precision/recall/F1, macro F1 and confusion matrix.

    Args:
        y_true: the true label of each sentence (str or int).
        y_pred: the predicted label of each sentence.
        labels: the classes to report, in this order; default: every label in ``y_true`` or
            ``y_pred``, sorted. Sentences with a label outside ``labels`` still count in
            ``accuracy`` but in no class (as scikit-learn does).

    Returns:
        A :class:`ClassificationScores`.

    Raises:
        ValueError: if the inputs are empty, single strings or of different lengths, if
            ``labels`` is empty or repeats a label, or if str and int labels are mixed without
            ``labels``.
    """
    if isinstance(y_true, str) or isinstance(y_pred, str):
        raise ValueError("y_true and y_pred must be sequences of labels, not a single str")
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} labels but y_pred has {len(y_pred)}")
    if not y_true:
        raise ValueError("no labels to score (y_true and y_pred are empty)")
    if labels is None:
        labels = _label_order(y_true, y_pred)
    labels = list(labels)
    if not labels:
        raise ValueError("labels is empty")
    if len(set(labels)) != len(labels):
        repeated = sorted({repr(x) for x in labels if labels.count(x) > 1})
        raise ValueError(f"labels repeats {', '.join(repeated)}")
    index = {label: i for i, label in enumerate(labels)}
    confusion = [[0] * len(labels) for _ in labels]
    for true, pred in zip(y_true, y_pred):
        if true in index and pred in index:
            confusion[index[true]][index[pred]] += 1
    n_true, n_pred = Counter(y_true), Counter(y_pred)
    per_class = {}
    for i, label in enumerate(labels):
        tp = confusion[i][i]
        precision = tp / n_pred[label] if n_pred[label] else 0.0
        recall = tp / n_true[label] if n_true[label] else 0.0
        both = n_true[label] + n_pred[label]
        per_class[label] = ClassScores(precision, recall, 2 * tp / both if both else 0.0,
                                       n_true[label])  # fmt: skip
    accuracy = sum(t == p for t, p in zip(y_true, y_pred)) / len(y_true)
    macro_f1 = sum(s.f1 for s in per_class.values()) / len(labels)
    return ClassificationScores(accuracy, labels, per_class, macro_f1, confusion)
