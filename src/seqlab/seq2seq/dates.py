"""The date-normalisation dataset of the notes' attention exercise: human dates -> ISO dates.

The Sequence Models notes train an attention model to translate dates as people write them
("the 3rd of March 1997", "3/3/97", "lundi 3 mars 1997") into machine dates ("1997-03-03").
Here the pairs are generated: a seeded Faker instance draws the dates and the format, Babel writes
each date with a CLDR pattern in a locale, and a few small functions write what CLDR cannot
(English ordinals). Every source is one line, whitespace-normalised (Babel's no-break and narrow
no-break spaces become plain spaces); every target is ``YYYY-MM-DD``.

**One right answer per string.** A translation task is only well posed if no source string is
produced by two different dates. Fixed formats alone do not ensure that, since they share strings
("10/11/97" is 11 October in the US and 10 November in most of Europe). The registry keeps it so:

- slash-separated numeric dates are month first (US) only; day-first numeric dates use dots
  (de_DE) or dashes (nl_NL), which is why en_GB/fr_FR/es_ES/it_IT/pt_BR have no slash format;
- year-first numeric dates are always year, month, day;
- two-digit years are read in ``TWO_DIGIT_YEARS`` (1950-01-01 ... 2049-12-31): a format with
  ``yy`` refuses other dates, and :func:`date_pairs` refuses a wider range for such formats;
- years before 1000 are refused: Babel's ``y`` writes them with fewer than four digits, and
  "03.03.97" would then be both 0097-03-03 and 1997-03-03.

**Held-out formats** (``HELD_OUT_FORMATS``) are never drawn for training. Each combines parts that
the training formats teach separately, so a model can only get them right by analogy, and none of
them shares a single source string with a training format (May, whose abbreviation is its full
name, rules out e.g. "3rd Mar 1997" next to "3rd March 1997"):

======================== ========================== ==========================================
held out                 1997-03-03                 parts seen in training
======================== ========================== ==========================================
iso_slashes              1997/03/03                 year-first dates (iso_dots), slashes
en_US_long_lower         march 3, 1997              en_US_long, lower case (en_US_full_lower)
en_ordinal_full          Monday, March 3rd, 1997    en_US_full, ordinals (en_ordinal_mdy)
fr_FR_long_yy            3 mars 97                  French months, two-digit years (en_US_short)
de_DE_weekday_numeric    Montag, 03.03.1997         German weekdays (de_DE_full), de_DE_medium
it_IT_full               lunedì 3 marzo 1997        Italian months (it_IT_long), the full layout
                                                    of other locales; the weekday word is new
======================== ========================== ==========================================
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.dates import format_date
from faker import Faker

from seqlab._atomic import atomic_write_text

__all__ = [
    "FORMATS",
    "HELD_OUT_FORMATS",
    "TRAIN_FORMATS",
    "TWO_DIGIT_YEARS",
    "DateFormat",
    "date_pairs",
    "format_date_as",
    "write_tsv",
]

# Two-digit years mean 1950 ... 2049; formats that write ``yy`` accept no other dates.
TWO_DIGIT_YEARS = (date(1950, 1, 1), date(2049, 12, 31))
# Babel's ``y`` writes years before 1000 with fewer than four digits (see the module docstring).
EARLIEST = date(1000, 1, 1)

_CASES = ("keep", "lower", "upper")


def _ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 3 -> "3rd", 4 -> "4th", 11 -> "11th", 21 -> "21st", 22 -> "22nd"."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# English ordinals: CLDR patterns have no ordinal day, so these four are written by hand.
def _the_ordinal_of(day: date) -> str:
    return f"the {_ordinal(day.day)} of {format_date(day, 'MMMM y', locale='en_GB')}"


def _ordinal_dmy(day: date) -> str:
    return f"{_ordinal(day.day)} {format_date(day, 'MMMM y', locale='en_GB')}"


def _ordinal_mdy(day: date) -> str:
    return f"{format_date(day, 'MMMM', locale='en_US')} {_ordinal(day.day)}, {day.year}"


def _ordinal_full(day: date) -> str:
    return f"{format_date(day, 'EEEE, MMMM', locale='en_US')} {_ordinal(day.day)}, {day.year}"


@dataclass(frozen=True)
class DateFormat:
    """One way of writing a date: a CLDR pattern or width in a locale, or a small function.

    ``DateFormat("de_DE_long", "de_DE", "long").format(date(1997, 3, 3)) == "3. März 1997"``.
    """

    name: str  # the key in FORMATS, e.g. "fr_FR_full"
    locale: str  # CLDR locale of the words ("root" for digits only), e.g. "fr_FR"
    pattern: str = "medium"  # a Babel width (short, medium, long, full) or a CLDR pattern
    case: str = "keep"  # "keep", "lower" or "upper", applied after formatting
    render: Callable[[date], str] | None = None  # used instead of Babel (English ordinals)
    two_digit_year: bool = False  # writes the year as yy: only dates in TWO_DIGIT_YEARS

    def __post_init__(self) -> None:
        if self.case not in _CASES:
            raise ValueError(f"{self.name}: case must be one of {_CASES}, got {self.case!r}")

    def format(self, day: date) -> str:
        """Write ``day`` in this format.

        Args:
            day: the date (a ``datetime.date``, not a ``datetime``), in year 1000 or later and,
                for a two-digit-year format, in ``TWO_DIGIT_YEARS``.

        Returns:
            One line: stripped, every run of whitespace (Babel's U+00A0 and U+202F included)
            turned into one plain space.

        Raises:
            ValueError: if ``day`` is not a date or is outside the years this format can write
                unambiguously.
        """
        _check_date(day, "day")
        low, high = TWO_DIGIT_YEARS
        if self.two_digit_year and not low <= day <= high:
            raise ValueError(
                f"{self.name} writes two-digit years, which mean {low} ... {high}; got {day}"
            )
        if self.render is not None:
            text = self.render(day)
        else:
            text = format_date(day, self.pattern, locale=self.locale)
        text = " ".join(text.split())
        if self.case == "lower":
            return text.lower()
        return text.upper() if self.case == "upper" else text


def _formats(*formats: DateFormat) -> dict[str, DateFormat]:
    registry = {fmt.name: fmt for fmt in formats}
    if len(registry) != len(formats):
        raise ValueError("two date formats share a name")
    return registry


# Comments give each format's text for 1997-03-03 (Babel 2.18 / CLDR 47).
FORMATS: dict[str, DateFormat] = _formats(
    # numbers only; slashes mean month first, dots and dashes day first
    DateFormat("en_US_short", "en_US", "short", two_digit_year=True),  # 3/3/97
    DateFormat("en_US_numeric", "en_US", "MM/dd/y"),  # 03/03/1997
    DateFormat("de_DE_short", "de_DE", "short", two_digit_year=True),  # 03.03.97
    DateFormat("de_DE_medium", "de_DE", "medium"),  # 03.03.1997
    DateFormat("nl_NL_short", "nl_NL", "short"),  # 03-03-1997
    DateFormat("iso_dots", "root", "y.MM.dd"),  # 1997.03.03
    DateFormat("iso_compact", "root", "yyyyMMdd"),  # 19970303
    DateFormat("iso_slashes", "root", "y/MM/dd"),  # 1997/03/03
    # English
    DateFormat("en_US_medium", "en_US", "medium"),  # Mar 3, 1997
    DateFormat("en_US_long", "en_US", "long"),  # March 3, 1997
    DateFormat("en_US_long_lower", "en_US", "long", case="lower"),  # march 3, 1997
    DateFormat("en_US_full", "en_US", "full"),  # Monday, March 3, 1997
    DateFormat("en_US_full_lower", "en_US", "full", case="lower"),  # monday, march 3, 1997
    DateFormat("en_GB_medium", "en_GB", "medium"),  # 3 Mar 1997 (September is "Sept")
    DateFormat("en_GB_medium_upper", "en_GB", "medium", case="upper"),  # 3 MAR 1997
    DateFormat("en_GB_long", "en_GB", "long"),  # 3 March 1997
    DateFormat("en_GB_full", "en_GB", "EEEE d MMMM y"),  # Monday 3 March 1997
    DateFormat("en_ordinal_the_of", "en_GB", render=_the_ordinal_of),  # the 3rd of March 1997
    DateFormat("en_ordinal_dmy", "en_GB", render=_ordinal_dmy),  # 3rd March 1997
    DateFormat("en_ordinal_mdy", "en_US", render=_ordinal_mdy),  # March 3rd, 1997
    DateFormat("en_ordinal_full", "en_US", render=_ordinal_full),  # Monday, March 3rd, 1997
    # French
    DateFormat("fr_FR_medium", "fr_FR", "medium"),  # 3 mars 1997 (3 janv. 1997)
    DateFormat("fr_FR_long", "fr_FR", "long"),  # 3 mars 1997
    DateFormat("fr_FR_long_yy", "fr_FR", "d MMMM yy", two_digit_year=True),  # 3 mars 97
    DateFormat("fr_FR_full", "fr_FR", "full"),  # lundi 3 mars 1997
    # German
    DateFormat("de_DE_long", "de_DE", "long"),  # 3. März 1997
    DateFormat("de_DE_full", "de_DE", "full"),  # Montag, 3. März 1997
    DateFormat("de_DE_weekday_numeric", "de_DE", "EEEE, dd.MM.y"),  # Montag, 03.03.1997
    # Spanish
    DateFormat("es_ES_medium", "es_ES", "medium"),  # 3 mar 1997
    DateFormat("es_ES_long", "es_ES", "long"),  # 3 de marzo de 1997
    DateFormat("es_ES_full", "es_ES", "full"),  # lunes, 3 de marzo de 1997
    # Italian
    DateFormat("it_IT_medium", "it_IT", "medium"),  # 3 mar 1997
    DateFormat("it_IT_long", "it_IT", "long"),  # 3 marzo 1997
    DateFormat("it_IT_full", "it_IT", "full"),  # lunedì 3 marzo 1997
    # Brazilian Portuguese
    DateFormat("pt_BR_medium", "pt_BR", "medium"),  # 3 de mar. de 1997
    DateFormat("pt_BR_long", "pt_BR", "long"),  # 3 de março de 1997
    DateFormat("pt_BR_full", "pt_BR", "full"),  # segunda-feira, 3 de março de 1997
    # Dutch
    DateFormat("nl_NL_medium", "nl_NL", "medium"),  # 3 mrt 1997
    DateFormat("nl_NL_long", "nl_NL", "long"),  # 3 maart 1997
    DateFormat("nl_NL_full", "nl_NL", "full"),  # maandag 3 maart 1997
)

# Never drawn for training; why each is learnable by analogy: see the module docstring.
HELD_OUT_FORMATS: tuple[str, ...] = (
    "iso_slashes",
    "en_US_long_lower",
    "en_ordinal_full",
    "fr_FR_long_yy",
    "de_DE_weekday_numeric",
    "it_IT_full",
)
TRAIN_FORMATS: tuple[str, ...] = tuple(name for name in FORMATS if name not in HELD_OUT_FORMATS)


def format_date_as(name: str, day: date) -> str:
    """Write ``day`` in the registered format ``name``.

    Args:
        name: a key of ``FORMATS``, e.g. ``"en_ordinal_the_of"``.
        day: the date.

    Returns:
        The source text, e.g. ``"the 3rd of March 1997"`` for ``date(1997, 3, 3)``.

    Raises:
        ValueError: if ``name`` is unknown (the message lists the known ones) or ``day`` is one
            the format cannot write unambiguously (see :meth:`DateFormat.format`).
    """
    return FORMATS[_check_format_names([name])[0]].format(day)


def date_pairs(
    n: int,
    *,
    formats: Sequence[str] | None = None,
    seed: int = 0,
    start: date = TWO_DIGIT_YEARS[0],
    end: date = TWO_DIGIT_YEARS[1],
) -> list[tuple[str, str]]:
    """Draw ``n`` (human date, ISO date) pairs.

    Each pair draws a format uniformly among ``formats``, then a day uniformly in
    ``[start, end]`` (both ends included), from one Faker instance seeded with ``seed``:
    the same arguments give the same list, whatever the global random state.

    Args:
        n: how many pairs.
        formats: names of ``FORMATS`` to draw from (a name given twice counts once);
            ``None`` means ``TRAIN_FORMATS``.
        seed: seeds the Faker instance (``Faker().seed_instance(seed)``).
        start: the first day that may be drawn.
        end: the last day that may be drawn.

    Returns:
        ``n`` pairs ``(source, target)``: e.g. ``("lundi 3 mars 1997", "1997-03-03")``.

    Raises:
        ValueError: if ``n`` is not an int >= 1, ``seed`` is not an int, ``formats`` is empty,
            a string or holds an unknown name, ``start`` or ``end`` is not a date, ``start`` is
            after ``end`` or before year 1000, or a two-digit-year format is asked for with a
            range outside ``TWO_DIGIT_YEARS``.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an int, got {seed!r}")
    names = _check_format_names(TRAIN_FORMATS if formats is None else formats)
    _check_range(start, end, names)
    fake = Faker()
    fake.seed_instance(seed)
    # A whole-day offset rather than Faker's date_between_dates: that one draws float seconds
    # between two midnights (so never ``end``) through the local time zone.
    n_days = (end - start).days
    pairs = []
    for _ in range(n):
        fmt = FORMATS[fake.random_element(names)]
        day = start + timedelta(days=fake.random_int(0, n_days))
        pairs.append((fmt.format(day), day.isoformat()))
    return pairs


def write_tsv(pairs: Iterable[tuple[str, str]], path: str | os.PathLike[str]) -> None:
    """Write pairs as ``source<TAB>target`` lines (UTF-8), atomically.

    Args:
        pairs: ``(source, target)`` string pairs, e.g. from :func:`date_pairs`.
        path: the file to create or replace; its folder must exist.

    Raises:
        ValueError: if there are no pairs, a pair is not two strings, or a string is empty or
            holds a tab or a line break (it would not read back as the same pair).
    """
    lines = []
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise ValueError(f"pair {i}: expected (source, target), got {pair!r}")
        for text in pair:
            # splitlines() != [text] also catches "" and the Unicode line breaks (U+2028, ...).
            if not isinstance(text, str) or "\t" in text or text.splitlines() != [text]:
                raise ValueError(
                    f"pair {i}: {text!r} is not a one-line string without tabs, so the file "
                    "would not read back as the same pairs"
                )
        lines.append(f"{pair[0]}\t{pair[1]}\n")
    if not lines:
        raise ValueError("no pairs to write")
    atomic_write_text(path, "".join(lines))


def _check_date(value: object, what: str) -> None:
    # datetime is a subclass of date; its isoformat() would put a time in the target.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError(f"{what} must be a datetime.date, got {value!r}")
    if value < EARLIEST:
        raise ValueError(
            f"{what} {value} is before {EARLIEST}: years below 1000 are written with fewer than "
            "four digits and would clash with two-digit years"
        )


def _check_format_names(formats: Sequence[str]) -> tuple[str, ...]:
    if isinstance(formats, str):
        raise ValueError(f"formats must be a sequence of format names, not the string {formats!r}")
    names = tuple(dict.fromkeys(formats))
    if not names:
        raise ValueError("formats is empty: give at least one format name")
    unknown = [name for name in names if name not in FORMATS]
    if unknown:
        raise ValueError(
            f"unknown date format(s) {', '.join(map(repr, unknown))}; "
            f"known formats: {', '.join(FORMATS)}"
        )
    return names


def _check_range(start: date, end: date, names: Sequence[str]) -> None:
    _check_date(start, "start")
    _check_date(end, "end")
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    low, high = TWO_DIGIT_YEARS
    two_digit = [name for name in names if FORMATS[name].two_digit_year]
    if two_digit and (start < low or end > high):
        raise ValueError(
            f"formats {', '.join(two_digit)} write two-digit years, which mean {low} ... {high}; "
            f"keep start and end in that range (got {start} ... {end}) or leave those formats out"
        )
