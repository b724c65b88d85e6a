"""seqlab.seq2seq.dates: every format, parse-back with strptime, one answer per string, errors."""

from __future__ import annotations

import dataclasses
import random
import re
from collections import defaultdict
from datetime import date, datetime, timedelta

import faker
import pytest

from seqlab.seq2seq.dates import (
    FORMATS,
    HELD_OUT_FORMATS,
    TRAIN_FORMATS,
    TWO_DIGIT_YEARS,
    DateFormat,
    date_pairs,
    format_date_as,
    write_tsv,
)

MARCH_3 = date(1997, 3, 3)
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Every format on 1997-03-03 (a Monday), as CLDR 47 / Babel 2.18 write it.
EXAMPLES = [
    ("en_US_short", "3/3/97"),
    ("en_US_numeric", "03/03/1997"),
    ("de_DE_short", "03.03.97"),
    ("de_DE_medium", "03.03.1997"),
    ("nl_NL_short", "03-03-1997"),
    ("iso_dots", "1997.03.03"),
    ("iso_compact", "19970303"),
    ("iso_slashes", "1997/03/03"),
    ("en_US_medium", "Mar 3, 1997"),
    ("en_US_long", "March 3, 1997"),
    ("en_US_long_lower", "march 3, 1997"),
    ("en_US_full", "Monday, March 3, 1997"),
    ("en_US_full_lower", "monday, march 3, 1997"),
    ("en_GB_medium", "3 Mar 1997"),
    ("en_GB_medium_upper", "3 MAR 1997"),
    ("en_GB_long", "3 March 1997"),
    ("en_GB_full", "Monday 3 March 1997"),
    ("en_ordinal_the_of", "the 3rd of March 1997"),
    ("en_ordinal_dmy", "3rd March 1997"),
    ("en_ordinal_mdy", "March 3rd, 1997"),
    ("en_ordinal_full", "Monday, March 3rd, 1997"),
    ("fr_FR_medium", "3 mars 1997"),
    ("fr_FR_long", "3 mars 1997"),
    ("fr_FR_long_yy", "3 mars 97"),
    ("fr_FR_full", "lundi 3 mars 1997"),
    ("de_DE_long", "3. März 1997"),
    ("de_DE_full", "Montag, 3. März 1997"),
    ("de_DE_weekday_numeric", "Montag, 03.03.1997"),
    ("es_ES_medium", "3 mar 1997"),
    ("es_ES_long", "3 de marzo de 1997"),
    ("es_ES_full", "lunes, 3 de marzo de 1997"),
    ("it_IT_medium", "3 mar 1997"),
    ("it_IT_long", "3 marzo 1997"),
    ("it_IT_full", "lunedì 3 marzo 1997"),
    ("pt_BR_medium", "3 de mar. de 1997"),
    ("pt_BR_long", "3 de março de 1997"),
    ("pt_BR_full", "segunda-feira, 3 de março de 1997"),
    ("nl_NL_medium", "3 mrt 1997"),
    ("nl_NL_long", "3 maart 1997"),
    ("nl_NL_full", "maandag 3 maart 1997"),
]

# Reference parser: the formats that C-locale strptime reads (ordinal suffixes removed first).
# en_GB_medium is left out: it abbreviates September as "Sept", strptime's %b wants "Sep".
STRPTIME = [
    ("en_US_short", "%m/%d/%y"),
    ("en_US_numeric", "%m/%d/%Y"),
    ("de_DE_short", "%d.%m.%y"),
    ("de_DE_medium", "%d.%m.%Y"),
    ("nl_NL_short", "%d-%m-%Y"),
    ("iso_dots", "%Y.%m.%d"),
    ("iso_compact", "%Y%m%d"),
    ("iso_slashes", "%Y/%m/%d"),
    ("en_US_medium", "%b %d, %Y"),
    ("en_US_long", "%B %d, %Y"),
    ("en_US_long_lower", "%B %d, %Y"),
    ("en_US_full", "%A, %B %d, %Y"),
    ("en_US_full_lower", "%A, %B %d, %Y"),
    ("en_GB_long", "%d %B %Y"),
    ("en_GB_full", "%A %d %B %Y"),
    ("en_ordinal_the_of", "the %d of %B %Y"),
    ("en_ordinal_dmy", "%d %B %Y"),
    ("en_ordinal_mdy", "%B %d, %Y"),
    ("en_ordinal_full", "%A, %B %d, %Y"),
]


def _every_day(*years: int) -> list[date]:
    start = date(min(years), 1, 1)
    days = (start + timedelta(days=i) for i in range((date(max(years), 12, 31) - start).days + 1))
    return [day for day in days if day.year in years]


def test_registry_is_split_into_disjoint_train_and_held_out_formats():
    assert set(TRAIN_FORMATS).isdisjoint(HELD_OUT_FORMATS)
    assert set(TRAIN_FORMATS) | set(HELD_OUT_FORMATS) == set(FORMATS)
    assert len(TRAIN_FORMATS) + len(HELD_OUT_FORMATS) == len(FORMATS)
    assert 5 <= len(HELD_OUT_FORMATS) <= 6
    assert all(name == fmt.name for name, fmt in FORMATS.items())


def test_every_format_has_an_example():
    assert [name for name, _ in EXAMPLES] == list(FORMATS)


@pytest.mark.parametrize(("name", "expected"), EXAMPLES)
def test_format_writes_1997_03_03(name, expected):
    assert format_date_as(name, MARCH_3) == expected


@pytest.mark.parametrize(
    "expected", ["the 3rd of March 1997", "3/3/97", "Monday, March 3, 1997", "3 mars 1997"]
)
def test_the_notes_examples_are_produced(expected):
    assert expected in {format_date_as(name, MARCH_3) for name in FORMATS}


@pytest.mark.parametrize(
    ("name", "expected"),
    [  # day 21 > 12: the day/month order shows
        ("en_US_short", "9/21/08"),
        ("en_US_numeric", "09/21/2008"),
        ("de_DE_short", "21.09.08"),
        ("de_DE_medium", "21.09.2008"),
        ("nl_NL_short", "21-09-2008"),
        ("iso_dots", "2008.09.21"),
        ("iso_compact", "20080921"),
        ("en_GB_medium", "21 Sept 2008"),
        ("en_GB_medium_upper", "21 SEPT 2008"),
        ("fr_FR_medium", "21 sept. 2008"),
        ("fr_FR_long_yy", "21 septembre 08"),
    ],
)
def test_day_and_month_order(name, expected):
    assert format_date_as(name, date(2008, 9, 21)) == expected


@pytest.mark.parametrize(
    ("day", "ordinal"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th")]
    + [(21, "21st"), (22, "22nd"), (23, "23rd"), (24, "24th"), (30, "30th"), (31, "31st")],
)
def test_english_ordinals(day, ordinal):
    when = date(2001, 1, day)
    assert format_date_as("en_ordinal_the_of", when) == f"the {ordinal} of January 2001"
    assert format_date_as("en_ordinal_mdy", when) == f"January {ordinal}, 2001"


@pytest.mark.parametrize(("name", "pattern"), STRPTIME)
def test_sources_parse_back_to_their_targets(name, pattern):
    for source, target in date_pairs(300, formats=[name], seed=7):
        parsed = datetime.strptime(re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", source), pattern).date()
        if "%y" in pattern and parsed.year >= 2050:  # strptime's pivot is 1969, ours 1950
            parsed = parsed.replace(year=parsed.year - 100)
        assert parsed.isoformat() == target, source


def test_pairs_are_one_of_the_asked_formats_applied_to_the_target():
    pairs = date_pairs(800, formats=list(FORMATS), seed=1)
    for source, target in pairs:
        assert ISO.match(target), target
        assert source in {format_date_as(name, date.fromisoformat(target)) for name in FORMATS}


def test_default_pairs_use_training_formats_only():
    for source, target in date_pairs(1000, seed=2):
        day = date.fromisoformat(target)
        assert source in {format_date_as(name, day) for name in TRAIN_FORMATS}


def test_sources_are_single_clean_lines():
    for source, target in date_pairs(3000, formats=list(FORMATS), seed=3):
        assert source == " ".join(source.split())  # no tabs, line breaks, U+00A0 or U+202F
        assert source and ISO.match(target)


def test_whitespace_is_normalised():
    fmt = DateFormat("odd", "fr_FR", render=lambda day: " 3\u202fmars\u00a0\t1997 \n")
    assert fmt.format(MARCH_3) == "3 mars 1997"


def test_same_seed_same_pairs_whatever_the_global_random_state():
    before = faker.generator.random.getstate()
    random.seed(1)
    first = date_pairs(200, seed=5)
    random.seed(2)
    assert date_pairs(200, seed=5) == first
    assert date_pairs(200, seed=6) != first
    assert faker.generator.random.getstate() == before  # Faker's shared random is untouched


def test_formats_are_drawn_uniformly():
    counts = defaultdict(int)
    n = 20_000
    for source, _ in date_pairs(n, formats=["iso_dots", "iso_compact"], seed=4):
        counts["." in source] += 1
    assert 0.47 < counts[True] / n < 0.53


def test_days_stay_in_range_and_reach_both_ends():
    start, end = date(2000, 2, 28), date(2000, 3, 1)
    targets = {target for _, target in date_pairs(300, start=start, end=end)}
    assert targets == {"2000-02-28", "2000-02-29", "2000-03-01"}
    assert {t for _, t in date_pairs(20, start=start, end=start)} == {"2000-02-28"}
    low, high = (day.isoformat() for day in TWO_DIGIT_YEARS)
    assert all(low <= target <= high for _, target in date_pairs(2000, seed=9))


def test_four_digit_formats_take_any_year_from_1000():
    pairs = date_pairs(200, formats=["en_US_long"], start=date(1000, 1, 1), end=date(9999, 12, 31))
    assert all(source.endswith(target[:4]) for source, target in pairs)


def test_two_digit_year_flags_match_what_the_formats_write():
    for fmt in FORMATS.values():
        text = dataclasses.replace(fmt, two_digit_year=False).format(date(1234, 5, 6))
        assert fmt.two_digit_year == ("1234" not in text), fmt.name


def test_no_source_string_has_two_targets_in_random_samples():
    targets = defaultdict(set)
    for source, target in date_pairs(20_000, formats=list(FORMATS), seed=11):
        targets[source].add(target)
    assert all(len(found) == 1 for found in targets.values())


def test_no_source_string_has_two_dates_and_held_out_strings_are_new():
    # Every day of four years: day/month swaps and both ends of the two-digit window.
    dates_of = defaultdict(set)
    strings_of = defaultdict(set)
    for day in _every_day(1950, 1997, 2008, 2049):
        for name in FORMATS:
            source = format_date_as(name, day)
            dates_of[source].add(day)
            strings_of[name].add(source)
    assert {source: days for source, days in dates_of.items() if len(days) > 1} == {}
    train = set().union(*(strings_of[name] for name in TRAIN_FORMATS))
    for name in HELD_OUT_FORMATS:
        assert strings_of[name].isdisjoint(train), name


def test_write_tsv(tmp_path):
    path = tmp_path / "dates.tsv"
    path.write_text("old\n", encoding="utf-8")
    pairs = date_pairs(50, formats=list(FORMATS), seed=12)
    write_tsv(pairs, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [tuple(line.split("\t")) for line in lines] == pairs
    assert [p.name for p in tmp_path.iterdir()] == ["dates.tsv"]  # no temporary file left


@pytest.mark.parametrize("n", [0, -1, 1.5, True, "3"])
def test_bad_n(n):
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        date_pairs(n)


@pytest.mark.parametrize(
    ("formats", "message"),
    [
        (["en_US_long", "nope"], r"unknown date format\(s\) 'nope'; known formats: en_US_short"),
        ([], "formats is empty"),
        ("en_US_long", "not the string 'en_US_long'"),
    ],
)
def test_bad_formats(formats, message):
    with pytest.raises(ValueError, match=message):
        date_pairs(5, formats=formats)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": date(2000, 1, 2), "end": date(2000, 1, 1)}, "start 2000-01-02 is after end"),
        ({"start": datetime(2000, 1, 1)}, "start must be a datetime.date"),
        ({"end": "2000-01-01"}, "end must be a datetime.date"),
        ({"start": date(999, 1, 1), "formats": ["iso_dots"]}, "before 1000-01-01"),
        ({"start": date(1900, 1, 1)}, "formats en_US_short, de_DE_short write two-digit years"),
        ({"end": date(2050, 1, 1), "formats": ["fr_FR_long_yy"]}, "fr_FR_long_yy write two-digit"),
        ({"seed": 1.5}, "seed must be an int"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        date_pairs(5, **kwargs)


def test_two_digit_years_only_where_the_century_is_known():
    assert date_pairs(3, formats=["en_US_long"], start=date(1900, 1, 1))  # four digits: fine
    with pytest.raises(ValueError, match="two-digit years, which mean 1950-01-01 ... 2049-12-31"):
        format_date_as("en_US_short", date(2050, 1, 1))
    assert format_date_as("en_US_short", date(2049, 12, 31)) == "12/31/49"
    assert format_date_as("en_US_short", date(1950, 1, 1)) == "1/1/50"


def test_bad_format_name_and_case():
    with pytest.raises(ValueError, match="unknown date format.*'US'.*known formats"):
        format_date_as("US", MARCH_3)
    with pytest.raises(ValueError, match="case must be one of"):
        DateFormat("shout", "en_US", case="title")


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ([], "no pairs to write"),
        ([("3 mars\t1997", "1997-03-03")], "not a one-line string without tabs"),
        ([("3 mars 1997", "1997-03-03\n")], "not a one-line string without tabs"),
        ([("3 mars\u20281997", "1997-03-03")], "not a one-line string without tabs"),
        ([("", "1997-03-03")], "not a one-line string without tabs"),
        ([("3 mars 1997",)], "expected \\(source, target\\)"),
        ([("3 mars 1997", 1997)], "not a one-line string"),
    ],
)
def test_write_tsv_refuses_what_would_not_read_back(tmp_path, pairs, message):
    with pytest.raises(ValueError, match=message):
        write_tsv(pairs, tmp_path / "dates.tsv")
    assert not (tmp_path / "dates.tsv").exists()
