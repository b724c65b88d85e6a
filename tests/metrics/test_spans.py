"""Entity scores against seqeval: hand-written tables and seeded fuzzed corpora, both modes."""

import math
import random

import pytest
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
from seqeval.scheme import BILOU, IOB1, IOB2, IOBES

from seqlab.metrics import SpanScores, span_scores

pytestmark = pytest.mark.filterwarnings("ignore")  # seqeval's zero-division warnings

SEQEVAL_SCHEMES = {"BIO": IOB2, "IOB1": IOB1, "IOBES": IOBES, "BILOU": BILOU}
LETTERS = {"BIO": "BI", "IOB1": "BI", "IOBES": "BIES", "BILOU": "BILU"}


def _lenient_bilou(corpus):
    """seqeval's default reading knows E- and S-; ours reads BILOU's L- and U- as those."""
    return [[{"L": "E", "U": "S"}.get(t[0], t[0]) + t[1:] for t in tags] for tags in corpus]


def assert_equals_seqeval(y_true, y_pred, scheme, strict):
    ours = span_scores(y_true, y_pred, scheme=scheme, strict=strict)
    y_true, y_pred = [list(s) for s in y_true], [list(s) for s in y_pred]
    if strict:
        kw = {"mode": "strict", "scheme": SEQEVAL_SCHEMES[scheme]}
    else:
        kw = {}
        if scheme == "BILOU":
            y_true, y_pred = _lenient_bilou(y_true), _lenient_bilou(y_pred)
    assert ours.precision == pytest.approx(precision_score(y_true, y_pred, **kw), abs=1e-12)
    assert ours.recall == pytest.approx(recall_score(y_true, y_pred, **kw), abs=1e-12)
    assert ours.f1 == pytest.approx(f1_score(y_true, y_pred, **kw), abs=1e-12)
    report = classification_report(y_true, y_pred, output_dict=True, **kw)
    micro = report.pop("micro avg")
    assert (ours.n_true, ours.precision, ours.f1) == pytest.approx(
        (micro["support"], micro["precision"], micro["f1-score"]), abs=1e-12
    )
    for name, ours_avg in (("weighted avg", ours.weighted), ("macro avg", ours.macro)):
        theirs = report.pop(name)
        if ours.per_type or name == "weighted avg":  # seqeval's macro over no type is NaN
            for key in ("precision", "recall", "f1-score", "support"):
                ours_value = getattr(ours_avg, "f1" if key == "f1-score" else key)
                assert ours_value == pytest.approx(theirs[key], abs=1e-12), (name, key)
        else:
            assert math.isnan(theirs["f1-score"]) and ours_avg.f1 == 0.0
    assert list(ours.per_type) == list(report)  # the same types, sorted
    for name, row in report.items():
        ours_row = ours.per_type[name]
        assert (ours_row.precision, ours_row.recall, ours_row.f1) == pytest.approx(
            (row["precision"], row["recall"], row["f1-score"]), abs=1e-12
        )
        assert ours_row.support == row["support"]
    return ours


# (y_true, y_pred, scheme, (n_true, n_pred, n_correct) leniently)
CASES = [
    # seqeval's docstring example: a boundary error costs one false positive and one false negative
    ([["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]],
     [["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]],
     "BIO", (2, 2, 1)),
    ([["O", "I-PER", "I-PER"]], [["O", "B-PER", "I-PER"]], "BIO", (1, 1, 1)),  # I- after O
    ([["B-PER", "I-PER"]], [["B-PER", "I-LOC"]], "BIO", (1, 2, 0)),  # type switch
    ([["B-PER", "I-PER", "O"]], [["B-PER", "I-PER", "I-PER"]], "BIO", (1, 1, 0)),  # ends on I-
    ([["B-LOC", "B-LOC"]], [["B-LOC", "I-LOC"]], "BIO", (2, 1, 0)),
    ([["B-X", "O"], ["O", "B-X"]], [["O", "B-X"], ["B-X", "O"]], "BIO", (2, 2, 0)),  # sentences
    ([["O", "O"]], [["O", "O"]], "BIO", (0, 0, 0)),  # nothing at all
    ([["O", "O"]], [["B-PER", "O"]], "BIO", (0, 1, 0)),  # no true entity
    ([["B-PER", "O"]], [["O", "O"]], "BIO", (1, 0, 0)),  # empty predictions
    ([[]], [[]], "BIO", (0, 0, 0)),
    ([["I-PER", "I-PER", "B-PER"]], [["I-PER", "I-PER", "I-PER"]], "IOB1", (2, 1, 0)),
    ([["I-PER", "I-LOC", "B-LOC"]], [["I-PER", "B-LOC", "B-LOC"]], "IOB1", (3, 3, 3)),
    ([["O", "B-PER", "I-PER"]], [["O", "I-PER", "I-PER"]], "IOB1", (1, 1, 1)),  # strict: 1, 1, 0
    ([["S-PER", "S-PER", "O"]], [["B-PER", "E-PER", "O"]], "IOBES", (2, 1, 0)),
    ([["B-LOC", "I-LOC", "E-LOC"]], [["B-LOC", "I-LOC", "I-LOC"]], "IOBES", (1, 1, 1)),
    ([["U-PER", "B-LOC", "L-LOC"]], [["U-PER", "B-LOC", "I-LOC"]], "BILOU", (2, 2, 2)),
    ([["B-A", "I-A", "O", "B-B"], ["B-C"]], [["B-A", "I-A", "O", "B-C"], ["O"]], "BIO",
     (3, 2, 1)),
]  # fmt: skip


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize(("y_true", "y_pred", "scheme", "counts"), CASES)
def test_table_equals_seqeval(y_true, y_pred, scheme, counts, strict):
    ours = assert_equals_seqeval(y_true, y_pred, scheme, strict)
    if not strict:
        assert (ours.n_true, ours.n_pred, ours.n_correct) == counts


def test_strict_mode_drops_invalid_chunks():
    # I- after O is an entity leniently, none in strict BIO: the prediction loses its hit
    lenient = span_scores([["B-PER", "I-PER"]], [["I-PER", "I-PER"]])
    strict = span_scores([["B-PER", "I-PER"]], [["I-PER", "I-PER"]], strict=True)
    assert (lenient.precision, lenient.recall, lenient.f1) == (1.0, 1.0, 1.0)
    assert (strict.n_pred, strict.precision, strict.recall, strict.f1) == (0, 0.0, 0.0, 0.0)


def test_zero_division_gives_zero():
    none = span_scores([["O"]], [["O"]])
    assert (none.precision, none.recall, none.f1, none.per_type) == (0.0, 0.0, 0.0, {})
    assert none.macro.f1 == 0.0 and none.weighted.f1 == 0.0  # seqeval's macro: NaN
    only_pred = span_scores([["O"]], [["B-X"]])
    assert (only_pred.precision, only_pred.recall) == (0.0, 0.0)
    assert only_pred.per_type["X"].support == 0


def _corpus(rng: random.Random, letters: str, lengths: list[int]) -> list[list[str]]:
    return [["O" if rng.random() < 0.35 else f"{rng.choice(letters)}-{rng.choice('ABC')}"
             for _ in range(n)] for n in lengths]  # fmt: skip


def _noisy_copy(rng: random.Random, corpus, letters: str, p: float):
    return [[t if rng.random() > p else rng.choice(["O", f"{rng.choice(letters)}-A"])
             for t in tags] for tags in corpus]  # fmt: skip


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("scheme", ["BIO", "IOB1", "IOBES", "BILOU"])
def test_fuzzed_corpora_equal_seqeval(scheme, strict):
    rng = random.Random(len(scheme) + 10 * strict)
    for _ in range(60):
        lengths = [rng.randint(0, 9) for _ in range(rng.randint(1, 5))]
        y_true = _corpus(rng, LETTERS[scheme], lengths)
        if rng.random() < 0.5:  # predictions close to the truth, so that some entities match
            y_pred = _noisy_copy(rng, y_true, LETTERS[scheme], rng.random() * 0.5)
        else:
            y_pred = _corpus(rng, LETTERS[scheme], lengths)
        assert_equals_seqeval(y_true, y_pred, scheme, strict)


@pytest.mark.parametrize("digits", [2, 4])
def test_format_is_seqevals_report(digits):
    y_true = [["B-LOC", "O", "B-LOC", "B-PER"], ["B-ORGANIZATION", "I-ORGANIZATION"]]
    y_pred = [["B-LOC", "O", "B-PER", "B-PER"], ["O", "B-ORGANIZATION"]]
    text = span_scores(y_true, y_pred).format(digits)
    assert text == classification_report(y_true, y_pred, digits=digits)
    assert "ORGANIZATION" in text and "micro avg" in text


def test_format_with_no_entity():
    lines = span_scores([["O"]], [["O"]]).format().splitlines()
    assert lines[0].split() == ["precision", "recall", "f1-score", "support"]
    assert lines[3].split() == ["micro", "avg", "0.0000", "0.0000", "0.0000", "0"]


def test_result_is_frozen():
    scores = span_scores([["B-X"]], [["B-X"]])
    assert isinstance(scores, SpanScores)
    with pytest.raises(AttributeError):
        scores.f1 = 0.5


@pytest.mark.parametrize(
    ("y_true", "y_pred", "message"),
    [
        ([["O"], ["O"]], [["O"]], "y_true has 2 sentences but y_pred has 1"),
        ([["O"], ["O", "B-X"]], [["O"], ["O"]], "sentence 1: 2 true tags but 1 predicted"),
        ([], [], "no sentences to score"),
        ("B-X", "B-X", "not a single str"),
        ([["O"], "B-X"], [["O"], "B-X"], "sentence 1: expected a list of tags"),
        ([["O"], ["B-X", "Q-X"]], [["O"], ["O", "O"]],
         "sentence 1: token 1: tag 'Q-X' is not O"),
    ],
)  # fmt: skip
def test_errors(y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        span_scores(y_true, y_pred)


def test_strict_mode_rejects_prefixes_outside_the_scheme():
    with pytest.raises(ValueError, match="sentence 0: token 0: tag 'S-X'"):
        span_scores([["S-X"]], [["O"]], strict=True)
    assert span_scores([["S-X"]], [["O"]]).n_true == 1  # lenient: read as IOBES
