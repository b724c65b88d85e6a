"""Entity-level precision, recall and F1 for sequence tagging (CoNLL NER), as seqeval scores it.

Tags become entities with :func:`seqlab.text.tags.get_entities`; an entity is
(sentence index, type, start, end). A predicted entity is correct only if a true entity has
the same type and both boundaries, so one wrong boundary costs a false positive and a false
negative::

    precision = n_correct / n_pred      recall = n_correct / n_true
    f1 = 2 * precision * recall / (precision + recall)

Each is 0 when its denominator is 0 (seqeval with ``zero_division`` left at its default). The
overall scores are micro averages over all entities; per-type scores, and their macro and
support-weighted averages, are kept for the report. ``strict=False`` is seqeval's default
(conlleval) reading and ``strict=True`` its ``mode="strict"`` with the given scheme; both are
tested to equal seqeval's ``precision_score`` / ``recall_score`` / ``f1_score`` /
``classification_report`` on tables and fuzzed tag sequences.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from seqlab.text import get_entities

__all__ = ["SpanScores", "TypeScores", "span_scores"]


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _f1(precision: float, recall: float) -> float:
    # seqeval's form (2PR / (P + R)), not 2TP / (T + P): the same number up to rounding
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(frozen=True)
class TypeScores:
    """Scores of one entity type (or an average over types)."""

    precision: float
    recall: float
    f1: float
    support: int  # true entities of the type(s)


@dataclass(frozen=True)
class SpanScores:
    """Micro-averaged entity scores, with per-type scores (types sorted by name)."""

    precision: float  # 0..1
    recall: float  # 0..1
    f1: float  # 0..1
    n_true: int  # entities in y_true
    n_pred: int  # entities in y_pred
    n_correct: int  # predicted entities with the type and both boundaries of a true one
    per_type: dict[str, TypeScores]

    @property
    def macro(self) -> TypeScores:
        """Unweighted mean over types (all 0 when there is no entity at all; seqeval: NaN)."""
        n = len(self.per_type)
        rows = self.per_type.values()
        if n == 0:
            return TypeScores(0.0, 0.0, 0.0, 0)
        return TypeScores(sum(s.precision for s in rows) / n, sum(s.recall for s in rows) / n,
                          sum(s.f1 for s in rows) / n, self.n_true)  # fmt: skip

    @property
    def weighted(self) -> TypeScores:
        """Mean over types weighted by support (all 0 when there is no true entity)."""
        if self.n_true == 0:
            return TypeScores(0.0, 0.0, 0.0, 0)
        rows = self.per_type.values()
        return TypeScores(
            sum(s.precision * s.support for s in rows) / self.n_true,
            sum(s.recall * s.support for s in rows) / self.n_true,
            sum(s.f1 * s.support for s in rows) / self.n_true,
            self.n_true,
        )

    def format(self, digits: int = 4) -> str:
        """A seqeval-style report: one line per type, then micro, macro and weighted averages.

        Example (``digits=2``; the same text as seqeval's ``classification_report``)::

                          precision    recall  f1-score   support

                     LOC       1.00      0.50      0.67         2
                     PER       0.50      1.00      0.67         1

               micro avg       0.67      0.67      0.67         3
               macro avg       0.75      0.75      0.67         3
            weighted avg       0.83      0.67      0.67         3
        """
        width = max([len("weighted avg"), digits, *map(len, self.per_type)])
        head = f"{'':>{width}s}  {'precision':>9} {'recall':>9} {'f1-score':>9} {'support':>9}"

        def row(name: str, s: TypeScores) -> str:
            return (f"{name:>{width}s}  {s.precision:>9.{digits}f} {s.recall:>9.{digits}f} "
                    f"{s.f1:>9.{digits}f} {s.support:>9}")  # fmt: skip

        micro = TypeScores(self.precision, self.recall, self.f1, self.n_true)
        lines = [head, "", *(row(name, s) for name, s in self.per_type.items()), ""]
        lines += [row("micro avg", micro), row("macro avg", self.macro)]
        lines += [row("weighted avg", self.weighted), ""]
        return "\n".join(lines)


def _entities(sentences: Sequence[Sequence[str]], scheme: str, strict: bool) -> set[tuple]:
    """Every entity as (sentence index, type, start, end)."""
    found = set()
    for i, tags in enumerate(sentences):
        try:
            spans = get_entities(tags, scheme=scheme, strict=strict)
        except ValueError as error:
            raise ValueError(f"sentence {i}: {error}") from None
        found.update((i, s.type, s.start, s.end) for s in spans)
    return found


def span_scores(
    y_true: Sequence[Sequence[str]],
    y_pred: Sequence[Sequence[str]],
    *,
    scheme: str = "BIO",
    strict: bool = False,
) -> SpanScores:
    """Entity precision, recall and F1 of predicted tags against true tags.

    Args:
        y_true: the gold tags, one list per sentence.
        y_pred: the predicted tags, with the same number of tags in every sentence.
        scheme: "BIO" (= "IOB2"), "IOB1", "IOBES" or "BILOU" (see :mod:`seqlab.text.tags`).
        strict: False: the lenient conlleval reading (seqeval's default); True: the scheme's
            own rules (seqeval's ``mode="strict", scheme=...``).

    Returns:
        A :class:`SpanScores`.

    Raises:
        ValueError: if there are no sentences, the sentence counts differ, a sentence has a
            different number of tags in ``y_true`` and ``y_pred`` (its index is named), or a tag
            is not a tag of the reading (sentence and token are named).
    """
    if isinstance(y_true, str) or isinstance(y_pred, str):
        raise ValueError("y_true and y_pred must be lists of tag lists, not a single str")
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} sentences but y_pred has {len(y_pred)}")
    if not y_true:
        raise ValueError("no sentences to score")
    for i, (true, pred) in enumerate(zip(y_true, y_pred)):
        if isinstance(true, str) or isinstance(pred, str):
            raise ValueError(f"sentence {i}: expected a list of tags, got a single str")
        if len(true) != len(pred):
            raise ValueError(f"sentence {i}: {len(true)} true tags but {len(pred)} predicted")
    true = _entities(y_true, scheme, strict)
    pred = _entities(y_pred, scheme, strict)
    correct = true & pred
    n_true, n_pred, n_correct = (Counter(e[1] for e in s) for s in (true, pred, correct))
    per_type = {}
    for name in sorted(n_true | n_pred):
        p = _ratio(n_correct[name], n_pred[name])
        r = _ratio(n_correct[name], n_true[name])
        per_type[name] = TypeScores(p, r, _f1(p, r), n_true[name])
    p, r = _ratio(len(correct), len(pred)), _ratio(len(correct), len(true))
    return SpanScores(p, r, _f1(p, r), len(true), len(pred), len(correct), per_type)
