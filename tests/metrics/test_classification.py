"""Classification scores against scikit-learn: tables and seeded fuzzed labels."""

import random

import pytest
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from seqlab.metrics import ClassificationScores, classification_scores

# scikit-learn warns when y_true and y_pred hold a single label; the fuzz does that on purpose
pytestmark = pytest.mark.filterwarnings("ignore:A single label was found")


def assert_equals_sklearn(y_true, y_pred, labels=None):
    ours = classification_scores(y_true, y_pred, labels=labels)
    assert ours.accuracy == pytest.approx(accuracy_score(y_true, y_pred), abs=1e-12)
    expected_labels = sorted(set(y_true) | set(y_pred)) if labels is None else list(labels)
    assert ours.labels == expected_labels
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=ours.labels,
                                                 zero_division=0)  # fmt: skip
    for i, label in enumerate(ours.labels):
        row = ours.per_class[label]
        assert (row.precision, row.recall, row.f1) == pytest.approx((p[i], r[i], f[i]), abs=1e-12)
        assert row.support == s[i]
    macro = f1_score(y_true, y_pred, labels=ours.labels, average="macro", zero_division=0)
    assert ours.macro_f1 == pytest.approx(macro, abs=1e-12)
    for average, ours_avg in (("macro", ours.macro), ("weighted", ours.weighted)):
        theirs = precision_recall_fscore_support(y_true, y_pred, labels=ours.labels,
                                                 average=average, zero_division=0)  # fmt: skip
        assert (ours_avg.precision, ours_avg.recall, ours_avg.f1) == pytest.approx(
            theirs[:3], abs=1e-12
        )
    assert ours.confusion == confusion_matrix(y_true, y_pred, labels=ours.labels).tolist()
    return ours


CASES = [
    (["pos", "neg", "pos", "pos"], ["pos", "pos", "neg", "pos"], None),
    ([0, 1, 2, 3, 4, 2], [0, 1, 3, 3, 2, 2], None),  # Emojify's five classes, as ints
    (["1", "0"], ["1", "0"], None),  # perfect
    (["1", "1"], ["0", "0"], None),  # all wrong: a class never predicted, one never true
    (["a"], ["a"], None),
    (["a", "b", "c"], ["a", "b", "b"], ["c", "b", "a"]),  # given order
    (["a", "b"], ["a", "b"], ["a", "b", "z"]),  # a label with no support and no prediction
    ([3, 1, 2, 1], [1, 1, 2, 2], [2, 1]),  # a label left out: it counts in no class
]


@pytest.mark.parametrize(("y_true", "y_pred", "labels"), CASES)
def test_table_equals_sklearn(y_true, y_pred, labels):
    assert_equals_sklearn(y_true, y_pred, labels)


def test_a_small_example_by_hand():
    scores = classification_scores(["pos", "neg", "pos", "pos"], ["pos", "pos", "neg", "pos"])
    assert scores.labels == ["neg", "pos"]
    assert scores.accuracy == 0.5
    assert scores.confusion == [[0, 1], [1, 2]]  # rows: true neg, true pos
    assert scores.per_class["pos"].precision == pytest.approx(2 / 3)
    assert scores.per_class["pos"].recall == pytest.approx(2 / 3)
    assert scores.per_class["neg"].f1 == 0.0
    assert scores.macro_f1 == pytest.approx((0 + 2 / 3) / 2)


@pytest.mark.parametrize("seed", range(4))
def test_fuzzed_labels_equal_sklearn(seed):
    rng = random.Random(seed)
    for _ in range(50):
        classes = rng.choice([["0", "1"], ["neg", "neu", "pos"], [0, 1, 2, 3, 4]])
        n = rng.randint(1, 30)
        y_true = [rng.choice(classes) for _ in range(n)]
        y_pred = [t if rng.random() < 0.5 else rng.choice(classes) for t in y_true]
        labels = None
        if rng.random() < 0.3:
            labels = rng.sample(classes, len(classes))  # a shuffled order covering every label
        assert_equals_sklearn(y_true, y_pred, labels)


@pytest.mark.parametrize("digits", [2, 4])
@pytest.mark.parametrize(("y_true", "y_pred"), [
    (["pos", "neg", "pos", "pos"], ["pos", "pos", "neg", "pos"]),
    ([0, 1, 2, 3, 4, 2, 2], [0, 1, 3, 3, 2, 2, 4]),
    (["a-very-long-class-name", "b"], ["b", "b"]),
])  # fmt: skip
def test_format_is_sklearns_report(y_true, y_pred, digits):
    ours = classification_scores(y_true, y_pred).format(digits)
    assert ours == classification_report(y_true, y_pred, digits=digits, zero_division=0)


def test_result_is_frozen():
    scores = classification_scores(["a"], ["a"])
    assert isinstance(scores, ClassificationScores)
    with pytest.raises(AttributeError):
        scores.accuracy = 0.0


@pytest.mark.parametrize(
    ("y_true", "y_pred", "labels", "message"),
    [
        (["a", "b"], ["a"], None, "y_true has 2 labels but y_pred has 1"),
        ([], [], None, "no labels to score"),
        ("ab", "ab", None, "not a single str"),
        (["a"], ["a"], [], "labels is empty"),
        (["a"], ["a"], ["a", "b", "a"], "labels repeats 'a'"),
        (["1", 1], [1, 1], None, "labels mix types"),
    ],
)
def test_errors(y_true, y_pred, labels, message):
    with pytest.raises(ValueError, match=message):
        classification_scores(y_true, y_pred, labels=labels)
