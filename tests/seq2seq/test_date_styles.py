"""seqlab.seq2seq.date_styles: parts render, one answer per string, families held out, errors."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

import numpy as np
import pytest

from seqlab.seq2seq.date_styles import (
    FAMILIES,
    PARTS,
    DateStyle,
    allowed_styles,
    date_style_pairs,
    family_of,
    split_styles,
)
from seqlab.seq2seq.dates import TWO_DIGIT_YEARS

MARCH_3 = date(1997, 3, 3)  # a Monday

# (parts, date, text): each part as a person would write it (CLDR 47 / Babel 2.18 names).
EXAMPLES = [
    ({"locale": "it", "weekday": "full"}, MARCH_3, "lunedì 3 marzo 1997"),
    ({"locale": "en", "order": "MDY", "sep": "comma"}, MARCH_3, "March 3, 1997"),
    ({"locale": "en", "day": "ordinal", "sep": "glue"}, MARCH_3, "the 3rd of March 1997"),
    ({"locale": "en", "day": "ordinal", "order": "MDY", "sep": "comma", "weekday": "full"},
     MARCH_3, "Monday, March 3rd, 1997"),
    ({"locale": "en", "day": "ordinal"}, date(2011, 11, 11), "11th November 2011"),
    ({"locale": "fr", "day": "ordinal"}, date(2001, 5, 1), "1er mai 2001"),
    ({"locale": "fr", "day": "ordinal"}, MARCH_3, "3 mars 1997"),
    ({"locale": "fr", "month": "abbr", "weekday": "abbr"}, date(2001, 1, 1), "lun. 1 janv. 2001"),
    ({"locale": "fr", "year": "yy"}, MARCH_3, "3 mars 97"),
    ({"locale": "de", "day": "ordinal", "weekday": "full"}, MARCH_3, "Montag, 3. März 1997"),
    ({"locale": "de", "day": "padded", "month": "padded", "sep": "dot", "weekday": "full"},
     MARCH_3, "Montag, 03.03.1997"),
    ({"locale": "es", "sep": "glue", "weekday": "full"}, MARCH_3, "lunes, 3 de marzo de 1997"),
    ({"locale": "es", "month": "abbr", "case": "upper"}, MARCH_3, "3 MAR 1997"),
    ({"locale": "pt", "day": "ordinal", "sep": "glue"}, date(2001, 1, 1), "1º de janeiro de 2001"),
    ({"locale": "pt", "month": "abbr", "sep": "glue"}, MARCH_3, "3 de mar. de 1997"),
    ({"locale": "pt", "weekday": "full", "case": "title"}, MARCH_3,
     "Segunda-feira, 3 Março 1997"),
    ({"locale": "nl", "month": "abbr"}, MARCH_3, "3 mrt 1997"),
    ({"locale": "nl", "case": "upper"}, MARCH_3, "3 MAART 1997"),
    ({"order": "YMD", "month": "padded", "day": "padded", "sep": "slash"}, MARCH_3, "1997/03/03"),
    ({"order": "MDY", "month": "number", "year": "yy", "sep": "slash"}, MARCH_3, "3/3/97"),
    ({"month": "number", "sep": "dash"}, date(2020, 12, 25), "25-12-2020"),
    ({"locale": "en", "month": "abbr", "sep": "dash", "day": "padded"}, MARCH_3, "03-Mar-1997"),
    ({"locale": "en", "day": "ordinal", "case": "title", "sep": "glue"}, MARCH_3,
     "The 3rd Of March 1997"),
    ({"locale": "en", "order": "MDY", "sep": "comma", "noise": "no_comma"}, MARCH_3,
     "March 3 1997"),
    ({"locale": "en", "noise": "double_space"}, MARCH_3, "3  March  1997"),
    ({"locale": "de", "noise": "trailing_period"}, MARCH_3, "3 März 1997."),
    ({"locale": "de", "case": "lower", "month": "abbr"}, date(1997, 10, 3), "3 okt. 1997"),
]  # fmt: skip


@pytest.mark.parametrize(("parts", "day", "expected"), EXAMPLES)
def test_each_part_renders_as_written_by_hand(parts, day, expected):
    assert DateStyle(**parts).format(day) == expected


def test_same_seed_same_pairs_whatever_the_global_random_state():
    first = date_style_pairs(200, seed=5)
    random.seed(1)
    np.random.seed(1)
    assert date_style_pairs(200, seed=5) == first
    assert date_style_pairs(200, seed=6) != first
    assert date_style_pairs(200, seed=5, split="val") != first


def test_pairs_apply_their_style_to_their_target_and_stay_in_range():
    low, high = TWO_DIGIT_YEARS
    for source, target, style in date_style_pairs(300, seed=1, split="held_out"):
        day = date.fromisoformat(target)
        assert low <= day <= high
        assert style.format(day) == source
        assert family_of(style) is not None


def _stress_days() -> list[date]:
    # Day, month and two-digit year swapped in every way, the 1st, and random days.
    days = [date(2000 + y, m, d) for d, m, y in
            [(3, 4, 5), (3, 5, 4), (4, 3, 5), (4, 5, 3), (5, 3, 4), (5, 4, 3)]]  # fmt: skip
    days += [date(1997, 3, 3), date(2001, 1, 1), date(1950, 1, 12), date(2012, 12, 1)]
    rng = random.Random(0)
    low, high = TWO_DIGIT_YEARS
    days += [low + timedelta(days=rng.randrange((high - low).days + 1)) for _ in range(4)]
    return days


def test_no_source_string_has_two_dates():
    """Every allowed style (training and held out) on dates whose numbers can be swapped."""
    targets = defaultdict(set)
    for style in allowed_styles():
        for day in _stress_days():
            targets[style.format(day)].add(day)
    clashes = {s: t for s, t in targets.items() if len(t) > 1}
    assert not clashes, list(clashes.items())[:5]


def test_no_source_string_has_two_dates_in_random_draws():
    targets = defaultdict(set)
    for split in ("train", "held_out"):
        for source, target, _ in date_style_pairs(20000, seed=3, split=split):
            targets[source].add(target)
    assert all(len(t) == 1 for t in targets.values())


def test_no_training_style_matches_a_family_and_the_splits_cover_the_space():
    train, held_out = split_styles("train"), split_styles("held_out")
    assert all(family_of(s) is None for s in train)
    assert all(family_of(s) is not None for s in held_out)
    assert len(train) + len(held_out) == len(allowed_styles())
    assert split_styles("val") == train
    for name in FAMILIES:  # every family is non-empty
        assert split_styles("held_out", (name,))


def test_every_part_value_of_a_family_occurs_in_training():
    train = split_styles("train")
    for name, predicate in FAMILIES.items():
        for part, values in predicate.items():
            for value in values:
                assert any(getattr(s, part) == value for s in train), (name, part, value)


def test_held_out_strings_are_not_training_strings():
    train = {s for s, _, _ in date_style_pairs(20000, seed=0)}
    held = [s for s, _, _ in date_style_pairs(5000, seed=2, split="held_out")]
    assert sum(s in train for s in held) < 0.01 * len(held)


def test_families_span_five_locales_and_ten_families():
    locales = {v for p in FAMILIES.values() for v in p.get("locale", ())}
    assert len(FAMILIES) >= 10 and len(locales) >= 5


def test_every_part_value_is_used_by_some_allowed_style():
    styles = allowed_styles()
    for part, values in PARTS.items():
        for value in values:
            assert any(getattr(s, part) == value for s in styles), (part, value)


def test_val_excludes_given_sources():
    train = {s for s, _, _ in date_style_pairs(2000, seed=0)}
    val = date_style_pairs(500, seed=0, split="val", exclude=train)
    assert len(val) == 500 and not {s for s, _, _ in val} & train


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"locale": "xx"}, "locale must be one of"),
        ({"case": "shout"}, "case must be one of"),
        ({"month": "number", "sep": "slash", "order": "DMY"}, '"/" is never day first'),
        ({"order": "YMD", "year": "yy"}, "year first needs four digits"),
        ({"locale": "it", "day": "ordinal"}, "no ordinal day here"),
        ({"locale": "fr", "sep": "glue"}, "this locale has no glue"),
        ({"locale": "fr", "case": "lower"}, "case lower changes nothing"),
        ({"noise": "no_comma"}, "noise no_comma has nothing to act on"),
    ],
)
def test_bad_styles_name_the_problem(parts, message):
    with pytest.raises(ValueError, match=message):
        DateStyle(**parts).format(MARCH_3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "n must be an int >= 1"),
        ({"n": True}, "n must be an int >= 1"),
        ({"n": 5, "seed": -1}, "seed must be an int >= 0"),
        ({"n": 5, "split": "test"}, "split must be one of"),
        ({"n": 5, "split": "train", "families": ["fr_title"]}, "takes none"),
        ({"n": 5, "split": "held_out", "families": ["nope"]}, "known: it_weekday_full"),
        ({"n": 5, "split": "held_out", "families": []}, "unknown or no held-out families"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        date_style_pairs(**kwargs)


def test_dates_outside_the_two_digit_years_are_refused():
    with pytest.raises(ValueError, match="day must be a datetime.date in 1950"):
        DateStyle().format(date(1949, 12, 31))
