"""Tag schemes: entities equal seqeval's (lenient and strict), checks, repairs, conversions."""

import random
import warnings

import pytest
from seqeval.metrics.sequence_labeling import get_entities as seqeval_lenient
from seqeval.scheme import BILOU, IOB1, IOB2, IOBES, Tokens

from seqlab.text import Span, check_tags, convert_tags, get_entities, repair_tags

SEQEVAL_SCHEMES = {"BIO": IOB2, "IOB2": IOB2, "IOB1": IOB1, "IOBES": IOBES, "BILOU": BILOU}
LETTERS = {"BIO": "BI", "IOB2": "BI", "IOB1": "BI", "IOBES": "BIES", "BILOU": "BILU"}


def seqeval_entities(tags: list[str], scheme: str, strict: bool) -> list[Span]:
    """seqeval's reading, as Spans (its lenient ends are inclusive, its strict ends are not)."""
    if strict:
        return [Span(e.tag, e.start, e.end) for e in Tokens(tags, SEQEVAL_SCHEMES[scheme]).entities]
    if scheme == "BILOU":  # seqeval's default reading knows E and S, not L and U
        tags = [{"L": "E", "U": "S"}.get(t[0], t[0]) + t[1:] for t in tags]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [Span(t, start, end + 1) for t, start, end in seqeval_lenient(list(tags))]


def S(type_: str, start: int, end: int) -> Span:
    return Span(type_, start, end)


# (tags, scheme, lenient spans, strict spans)
CASES = [
    ([], "BIO", [], []),
    (["O", "O"], "BIO", [], []),
    (["B-PER", "I-PER", "O", "B-LOC"], "BIO", [S("PER", 0, 2), S("LOC", 3, 4)],
     [S("PER", 0, 2), S("LOC", 3, 4)]),
    (["O", "I-PER", "I-PER"], "BIO", [S("PER", 1, 3)], []),  # I- after O
    (["I-PER"], "BIO", [S("PER", 0, 1)], []),  # I- at the start
    (["B-PER", "I-LOC", "I-LOC"], "BIO", [S("PER", 0, 1), S("LOC", 1, 3)], [S("PER", 0, 1)]),
    (["B-PER", "B-PER", "I-PER"], "BIO", [S("PER", 0, 1), S("PER", 1, 3)],
     [S("PER", 0, 1), S("PER", 1, 3)]),
    (["B-PER", "I-PER"], "BIO", [S("PER", 0, 2)], [S("PER", 0, 2)]),  # ends on I-
    (["B-A", "I-A", "I-B", "B-B"], "BIO", [S("A", 0, 2), S("B", 2, 3), S("B", 3, 4)],
     [S("A", 0, 2), S("B", 3, 4)]),  # type switch inside a chunk
    # IOB1: B- only separates two neighbouring chunks of one type
    (["I-PER", "I-PER", "B-PER", "O"], "IOB1", [S("PER", 0, 2), S("PER", 2, 3)],
     [S("PER", 0, 2), S("PER", 2, 3)]),
    (["I-PER", "I-LOC"], "IOB1", [S("PER", 0, 1), S("LOC", 1, 2)],
     [S("PER", 0, 1), S("LOC", 1, 2)]),
    (["O", "B-PER", "I-PER"], "IOB1", [S("PER", 1, 3)], [S("PER", 2, 3)]),  # B- after O
    (["I-X", "B-X", "B-Y", "I-Y"], "IOB1", [S("X", 0, 1), S("X", 1, 2), S("Y", 2, 4)],
     [S("X", 0, 1), S("Y", 3, 4)]),  # seqeval drops B-X: a B-Y cannot follow it in IOB1
    # IOBES
    (["S-PER", "O", "B-LOC", "I-LOC", "E-LOC"], "IOBES", [S("PER", 0, 1), S("LOC", 2, 5)],
     [S("PER", 0, 1), S("LOC", 2, 5)]),
    (["S-PER", "S-PER"], "IOBES", [S("PER", 0, 1), S("PER", 1, 2)],
     [S("PER", 0, 1), S("PER", 1, 2)]),
    (["B-LOC", "I-LOC"], "IOBES", [S("LOC", 0, 2)], []),  # never closed
    (["B-LOC", "O", "E-LOC"], "IOBES", [S("LOC", 0, 1), S("LOC", 2, 3)], []),
    (["E-LOC", "I-LOC", "E-LOC"], "IOBES", [S("LOC", 0, 1), S("LOC", 1, 3)], []),
    (["B-LOC", "E-PER"], "IOBES", [S("LOC", 0, 1), S("PER", 1, 2)], []),
    (["B-LOC", "E-LOC", "E-LOC"], "IOBES", [S("LOC", 0, 2), S("LOC", 2, 3)], [S("LOC", 0, 2)]),
    # BILOU = IOBES with L and U
    (["U-PER", "B-LOC", "I-LOC", "L-LOC"], "BILOU", [S("PER", 0, 1), S("LOC", 1, 4)],
     [S("PER", 0, 1), S("LOC", 1, 4)]),
    (["B-LOC", "I-LOC", "O"], "BILOU", [S("LOC", 0, 2)], []),
    (["B-ORG", "I-ORG"], "IOB2", [S("ORG", 0, 2)], [S("ORG", 0, 2)]),
    (["B-I-X", "I-I-X"], "BIO", [S("I-X", 0, 2)], [S("I-X", 0, 2)]),  # types may hold "-"
]  # fmt: skip


@pytest.mark.parametrize(("tags", "scheme", "lenient", "strict"), CASES)
def test_table(tags, scheme, lenient, strict):
    assert get_entities(tags, scheme=scheme) == lenient
    assert get_entities(tags, scheme=scheme, strict=True) == strict
    assert seqeval_entities(tags, scheme, strict=False) == lenient
    assert seqeval_entities(tags, scheme, strict=True) == strict


def test_lenient_reading_ignores_the_scheme():
    # seqeval's default reads E- and S- in any scheme, so an IOBES prediction scored as BIO
    tags = ["S-PER", "B-LOC", "E-LOC", "I-LOC"]
    expected = seqeval_entities(tags, "BIO", strict=False)
    assert expected == [S("PER", 0, 1), S("LOC", 1, 3), S("LOC", 3, 4)]
    for scheme in ("BIO", "IOB1", "IOBES"):
        assert get_entities(tags, scheme=scheme) == expected


def _random_tags(rng: random.Random, letters: str, n: int) -> list[str]:
    return ["O" if rng.random() < 0.3 else f"{rng.choice(letters)}-{rng.choice('XYZ')}"
            for _ in range(n)]  # fmt: skip


@pytest.mark.parametrize("scheme", ["BIO", "IOB1", "IOBES", "BILOU"])
def test_fuzzed_tags_equal_seqeval(scheme):
    rng = random.Random(sum(map(ord, scheme)))
    for _ in range(400):
        tags = _random_tags(rng, LETTERS[scheme], rng.randint(0, 10))
        for strict in (False, True):
            ours = get_entities(tags, scheme=scheme, strict=strict)
            assert ours == seqeval_entities(tags, scheme, strict), (tags, strict)
        mixed = _random_tags(rng, "BIES", rng.randint(0, 10))  # any prefix, lenient reading
        assert get_entities(mixed, scheme=scheme) == seqeval_entities(mixed, "BIO", False)


@pytest.mark.parametrize(
    ("tags", "scheme", "message"),
    [
        (["B-PER", "X-PER"], "BIO", "token 1: tag 'X-PER' is not O or B-/I-/E-/S-TYPE (BIO)"),
        (["PER"], "IOB1", "token 0: tag 'PER' is not O or B-/I-/E-/S-TYPE (IOB1)"),
        (["B-"], "BIO", "token 0: tag 'B-' is not O"),
        (["O-PER"], "BIO", "token 0: tag 'O-PER' is not O"),
        (["b-PER"], "BIO", "token 0: tag 'b-PER' is not O"),
        (["L-PER"], "IOBES", "token 0: tag 'L-PER' is not O or B-/I-/E-/S-TYPE (IOBES)"),
    ],
)
def test_malformed_tags_raise(tags, scheme, message):
    # the lenient reading takes B/I/E/S in every scheme (and L/U in BILOU), as seqeval does
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        get_entities(tags, scheme=scheme)
    with pytest.raises(ValueError, match="is not O"):
        get_entities(tags, scheme=scheme, strict=True)


@pytest.mark.parametrize(
    ("tags", "scheme"),
    [(["S-PER"], "BIO"), (["E-PER"], "IOB1"), (["S-PER"], "IOB2"), (["S-PER"], "BILOU")],
)
def test_strict_reading_accepts_only_the_schemes_prefixes(tags, scheme):
    get_entities(tags, scheme=scheme)  # the lenient reading takes B/I/E/S whatever the scheme
    with pytest.raises(ValueError, match="token 0"):
        get_entities(tags, scheme=scheme, strict=True)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown tag scheme 'IOE2'"):
        get_entities(["O"], scheme="IOE2")
    with pytest.raises(ValueError, match="not a single str"):
        get_entities("B-PER")
    assert get_entities(["I-PER"], scheme="bio", strict=True) == []  # names ignore case


@pytest.mark.parametrize(
    ("tags", "scheme", "problems"),
    [
        (["B-PER", "E-PER", "O", "S-X"], "IOBES", []),
        (["B-PER", "I-PER", "O", "B-LOC"], "BIO", []),
        (["O", "O", "O", "I-PER"], "BIO", ["token 3: I-PER follows O (BIO needs B-PER first)"]),
        (["I-PER"], "BIO", ["token 0: I-PER follows the sentence start (BIO needs B-PER first)"]),
        (["B-LOC", "I-PER"], "BIO", ["token 1: I-PER follows B-LOC (BIO needs B-PER first)"]),
        (["I-PER", "B-PER", "I-LOC"], "IOB1", []),
        (["O", "B-PER"], "IOB1",
         ["token 1: B-PER follows O (IOB1 uses B- only right after a PER chunk; use I-PER)"]),
        (["B-LOC", "O"], "IOBES",
         ["token 0: B-LOC is not closed, O follows it (IOBES needs I-LOC or E-LOC next)"]),
        (["B-LOC", "I-LOC"], "IOBES",
         ["token 1: I-LOC is not closed at the end of the sentence (IOBES needs E-LOC last)"]),
        (["O", "E-LOC"], "IOBES", ["token 1: E-LOC follows O (IOBES needs B-LOC first)"]),
        (["B-LOC", "L-PER"], "BILOU",
         ["token 0: B-LOC is not closed, L-PER follows it (BILOU needs I-LOC or L-LOC next)",
          "token 1: L-PER follows B-LOC (BILOU needs B-PER first)"]),
        (["E-PER", "I-PER"], "BIO",
         ["token 0: 'E-PER' is not O or B-/I-TYPE (BIO)",
          "token 1: I-PER follows E-PER (BIO needs B-PER first)"]),
        (["U-X", "S-X"], "BILOU", ["token 1: 'S-X' is not O or B-/I-/L-/U-TYPE (BILOU)"]),
    ],
)  # fmt: skip
def test_check_tags(tags, scheme, problems):
    assert check_tags(tags, scheme=scheme) == problems


@pytest.mark.parametrize("scheme", ["BIO", "IOB1", "IOBES", "BILOU"])
def test_valid_means_both_readings_agree_and_repair_changes_nothing(scheme):
    rng = random.Random(len(scheme))
    n_valid = 0
    for _ in range(400):
        tags = _random_tags(rng, LETTERS[scheme], rng.randint(0, 7))
        lenient = get_entities(tags, scheme=scheme)
        repaired = repair_tags(tags, scheme=scheme)
        assert check_tags(repaired, scheme=scheme) == []
        assert get_entities(repaired, scheme=scheme, strict=True) == lenient
        agree = get_entities(tags, scheme=scheme, strict=True) == lenient and repaired == tags
        assert (check_tags(tags, scheme=scheme) == []) == agree, tags
        n_valid += agree
    assert n_valid > 20  # the fuzz reaches valid sequences too


@pytest.mark.parametrize(
    ("tags", "scheme", "repaired"),
    [
        (["O", "I-PER", "I-PER"], "BIO", ["O", "B-PER", "I-PER"]),
        (["B-PER", "I-LOC"], "BIO", ["B-PER", "B-LOC"]),
        (["B-LOC", "I-LOC"], "IOBES", ["B-LOC", "E-LOC"]),
        (["B-LOC", "O", "E-LOC"], "IOBES", ["S-LOC", "O", "S-LOC"]),
        (["O", "B-PER", "I-PER"], "IOB1", ["O", "I-PER", "I-PER"]),
        (["I-X", "B-X", "B-Y"], "IOB1", ["I-X", "B-X", "I-Y"]),
        (["I-X", "S-Y", "E-Y"], "BILOU", ["U-X", "U-Y", "U-Y"]),
    ],
)
def test_repair_tags(tags, scheme, repaired):
    assert repair_tags(tags, scheme=scheme) == repaired


NOTES_EXAMPLE = {  # "Jim Henson visited New York City ."
    "BIO": ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "I-LOC", "O"],
    "IOB1": ["I-PER", "I-PER", "O", "I-LOC", "I-LOC", "I-LOC", "O"],
    "IOBES": ["B-PER", "E-PER", "O", "B-LOC", "I-LOC", "E-LOC", "O"],
    "BILOU": ["B-PER", "L-PER", "O", "B-LOC", "I-LOC", "L-LOC", "O"],
}
ADJACENT = {  # two neighbouring LOC chunks, then a one-token PER
    "BIO": ["B-LOC", "B-LOC", "I-LOC", "B-PER"],
    "IOB1": ["I-LOC", "B-LOC", "I-LOC", "I-PER"],
    "IOBES": ["S-LOC", "B-LOC", "E-LOC", "S-PER"],
    "BILOU": ["U-LOC", "B-LOC", "L-LOC", "U-PER"],
}


@pytest.mark.parametrize("example", [NOTES_EXAMPLE, ADJACENT])
@pytest.mark.parametrize("source", ["BIO", "IOB1", "IOBES", "BILOU"])
@pytest.mark.parametrize("target", ["BIO", "IOB1", "IOBES", "BILOU", "IOB2"])
def test_convert_table(example, source, target):
    expected = example["BIO" if target == "IOB2" else target]
    assert convert_tags(example[source], source=source, target=target) == expected


@pytest.mark.parametrize("source", ["BIO", "IOB1", "IOBES", "BILOU"])
def test_convert_keeps_spans_and_round_trips(source):
    rng = random.Random(7 * len(source))
    for _ in range(300):
        tags = repair_tags(_random_tags(rng, LETTERS[source], rng.randint(0, 9)), scheme=source)
        spans = get_entities(tags, scheme=source, strict=True)
        for target in ("BIO", "IOB1", "IOBES", "BILOU"):
            converted = convert_tags(tags, source=source, target=target)
            assert get_entities(converted, scheme=target, strict=True) == spans
            assert check_tags(converted, scheme=target) == []
            assert convert_tags(converted, source=target, target=source) == tags


def test_convert_refuses_prefixes_outside_the_source_scheme():
    with pytest.raises(ValueError, match="token 1: tag 'E-PER' is not O or B-/I-TYPE \\(BIO\\)"):
        convert_tags(["B-PER", "E-PER"], source="BIO", target="IOBES")
    with pytest.raises(ValueError, match="unknown tag scheme"):
        convert_tags(["O"], source="BIO", target="IO")
