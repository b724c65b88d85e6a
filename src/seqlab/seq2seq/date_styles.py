"""Composed date styles: date normalisation as a space of parts, whole families held out.

The registry of :mod:`seqlab.seq2seq.dates` holds 40 fixed formats; a model trained on 34 of them
is near perfect on those and poor on the rest (77-81% exact on the six held-out formats), because
six formats are too few to learn that a date is *made of parts*. Here a :class:`DateStyle` is a
combination of parts, each chosen independently:

========= ================================================================================
part      values (1997-03-03 in brackets)
========= ================================================================================
locale    en fr de es it pt nl (month and weekday names from Babel/CLDR, format context)
order     DMY, MDY, YMD
day       plain (3), padded (03), ordinal (en 3rd; fr 1er and pt 1º only for the 1st; de 3.)
month     full (March), abbr (CLDR's abbreviation with its dot, if any: "janv."), number (3),
          padded (03)
year      yyyy (1997), yy (97: only dates in ``TWO_DIGIT_YEARS``)
sep       space, comma ("March 3, 1997"), dash, slash, dot, glue (en "the 3rd of March 1997",
          es/pt "3 de marzo de 1997")
weekday   none, full ("Monday, "), abbr ("Mon, "); en/de/es/pt put a comma after it
case      keep, lower, upper, title (first letter of every word, "3rd" left alone)
noise     none, double_space (every space doubled), no_comma (commas dropped),
          trailing_period
========= ================================================================================

**One right answer per string** (as in :mod:`seqlab.seq2seq.dates`): a style is *allowed* only
if no string it writes can be written by another allowed style for another date. Numeric dates
follow the registry's rules: "/" means month first (or year first), "." and "-" day first (or
year first); year first only with four-digit years; two-digit years mean 1950-2049. A word month
fixes the order by its position. :func:`allowed_styles` also refuses combinations whose parts
would do nothing (a case that changes no letter, a missing comma where there is none), so each
allowed style writes its own strings.

**Held-out families** (``FAMILIES``) are predicates over the parts. No training style matches any
of them, yet every value a family names occurs in training in other combinations, so a model
can get a family right only by composing what it learned separately. The training space is all
allowed styles that match no family; ``"val"`` draws new pairs from that same space (for choosing
settings), ``"held_out"`` from the families.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from functools import cache, lru_cache

import numpy as np
from babel.dates import get_day_names, get_month_names

from seqlab.seq2seq.dates import TWO_DIGIT_YEARS

__all__ = [
    "FAMILIES",
    "PARTS",
    "SPLITS",
    "DateStyle",
    "allowed_styles",
    "date_style_pairs",
    "family_of",
    "split_styles",
]

# Every part and its values, in the order of DateStyle's fields.
PARTS: dict[str, tuple[str, ...]] = {
    "locale": ("en", "fr", "de", "es", "it", "pt", "nl"),
    "order": ("DMY", "MDY", "YMD"),
    "day": ("plain", "padded", "ordinal"),
    "month": ("full", "abbr", "number", "padded"),
    "year": ("yyyy", "yy"),
    "sep": ("space", "comma", "dash", "slash", "dot", "glue"),
    "weekday": ("none", "full", "abbr"),
    "case": ("keep", "lower", "upper", "title"),
    "noise": ("none", "double_space", "no_comma", "trailing_period"),
}
SPLITS = ("train", "val", "held_out")
_NUMERIC = ("number", "padded")
_ORDINAL_LOCALES = ("en", "fr", "de", "pt")
_GLUE_LOCALES = ("en", "es", "pt")
_COMMA_AFTER_WEEKDAY = ("en", "de", "es", "pt")
# Days that show every rendering choice: the 1st (fr 1er, pt 1º), a 2nd, a 23rd; 1997-03-03.
_PROBES = (date(1997, 3, 3), date(2001, 11, 1), date(1962, 8, 22), date(2043, 12, 23))

# Held out entirely: a style is held out when its parts match every entry of one family.
FAMILIES: dict[str, dict[str, tuple[str, ...]]] = {
    "it_weekday_full": {"locale": ("it",), "weekday": ("full",)},
    "es_abbr_upper": {"locale": ("es",), "month": ("abbr",), "case": ("upper",)},
    "de_numeric_weekday": {
        "locale": ("de",),
        "order": ("DMY",),
        "month": _NUMERIC,
        "weekday": ("full",),
    },
    "nl_upper_full": {"locale": ("nl",), "case": ("upper",), "month": ("full",)},
    "fr_yy_full": {"locale": ("fr",), "year": ("yy",), "month": ("full",)},
    "en_ordinal_weekday_mdy": {
        "locale": ("en",),
        "day": ("ordinal",),
        "weekday": ("full",),
        "order": ("MDY",),
    },
    "pt_ymd_abbr": {"locale": ("pt",), "order": ("YMD",), "month": ("abbr",)},
    "iso_slashes": {"month": _NUMERIC, "order": ("YMD",), "sep": ("slash",)},
    "en_abbr_dash": {"locale": ("en",), "month": ("abbr",), "sep": ("dash",)},
    "fr_title": {"locale": ("fr",), "case": ("title",)},
    "es_mdy": {"locale": ("es",), "order": ("MDY",)},
    "nl_weekday_abbr_double_space": {
        "locale": ("nl",),
        "weekday": ("abbr",),
        "noise": ("double_space",),
    },
}


def _ordinal_en(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@cache
def _names(locale: str) -> dict[str, tuple[str, ...]]:
    """CLDR month names (January first) and weekday names (Monday first) for ``locale``."""

    def clean(names: dict[int, str], keys: Sequence[int]) -> tuple[str, ...]:
        return tuple(" ".join(names[k].split()) for k in keys)

    months, days = range(1, 13), range(7)  # Babel's weekday keys: 0 = Monday, as date.weekday()
    return {
        "full": clean(get_month_names("wide", "format", locale), months),
        "abbr": clean(get_month_names("abbreviated", "format", locale), months),
        "weekday_full": clean(get_day_names("wide", "format", locale), days),
        "weekday_abbr": clean(get_day_names("abbreviated", "format", locale), days),
    }


@dataclass(frozen=True)
class DateStyle:
    """One way of writing a date, made of parts (see the module docstring for their values).

    ``DateStyle("it", weekday="full").format(date(1997, 3, 3)) == "lunedì 3 marzo 1997"``.
    """

    locale: str = "en"  # whose month and weekday names
    order: str = "DMY"  # DMY | MDY | YMD
    day: str = "plain"  # plain | padded | ordinal
    month: str = "full"  # full | abbr | number | padded
    year: str = "yyyy"  # yyyy | yy
    sep: str = "space"  # space | comma | dash | slash | dot | glue
    weekday: str = "none"  # none | full | abbr
    case: str = "keep"  # keep | lower | upper | title
    noise: str = "none"  # none | double_space | no_comma | trailing_period

    def __post_init__(self) -> None:
        for part, values in PARTS.items():
            if getattr(self, part) not in values:
                raise ValueError(f"{part} must be one of {values}, got {getattr(self, part)!r}")

    @property
    def name(self) -> str:
        """The parts joined by "/", e.g. ``"it/DMY/plain/full/yyyy/space/full/keep/none"``."""
        return "/".join(getattr(self, part) for part in PARTS)

    def problem(self) -> str | None:
        """Why these parts are not allowed together (one answer, no idle part), or None."""
        numeric = self.month in _NUMERIC
        rules = [
            (numeric and self.sep not in ("dash", "slash", "dot"), "numeric months need - / ."),
            (numeric and self.sep == "slash" and self.order == "DMY", '"/" is never day first'),
            (numeric and self.sep != "slash" and self.order == "MDY", '". -" never month first'),
            (not numeric and self.sep == "dot", "word months take no dots"),
            (self.order == "YMD" and self.year == "yy", "year first needs four digits"),
            (self.order == "YMD" and self.sep in ("comma", "glue"), "no comma or glue year first"),
            (self.sep == "glue" and self.locale not in _GLUE_LOCALES, "this locale has no glue"),
            (self.sep == "glue" and self.order != "DMY", "glue words read day first"),
            (self.sep == "glue" and self.locale == "en" and self.day != "ordinal", '"the 3rd of"'),
            (self.day == "ordinal" and self.locale not in _ORDINAL_LOCALES, "no ordinal day here"),
            (self.day == "ordinal" and (numeric or self.sep not in ("space", "comma", "glue")),
             "ordinals go with word months and spaces"),
            (self.day == "ordinal" and self.order != "DMY"
             and not (self.locale == "en" and self.order == "MDY"),
             "ordinal days come first (en: or after the month)"),
        ]  # fmt: skip
        for broken, why in rules:
            if broken:
                return why
        return self._idle_part()

    def _idle_part(self) -> str | None:
        plain = DateStyle(**{**self._parts(), "case": "keep", "noise": "none"})
        texts = [plain._render(day) for day in _PROBES]
        if self.case != "keep" and all(_cased(t, self.case) == t for t in texts):
            return f"case {self.case} changes nothing here"
        needs = {"double_space": " ", "no_comma": ",", "trailing_period": ""}.get(self.noise)
        if needs and not all(needs in t for t in texts):
            return f"noise {self.noise} has nothing to act on here"
        return None

    def _parts(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def format(self, day: date) -> str:
        """Write ``day`` in this style.

        Args:
            day: the date; for a two-digit-year style, in ``TWO_DIGIT_YEARS``.

        Returns:
            One line, e.g. ``"LUN, 3 MAR 1997"`` for es/abbr weekday/abbr month/upper.

        Raises:
            ValueError: if the style is not allowed (:meth:`problem` says why) or the date is
                outside the years it writes unambiguously.
        """
        why = _problem(self)
        if why is not None:
            raise ValueError(f"style {self.name} is not allowed: {why}")
        low, high = TWO_DIGIT_YEARS
        if not isinstance(day, date) or not low <= day <= high:
            raise ValueError(f"day must be a datetime.date in {low} ... {high}, got {day!r}")
        text = _cased(self._render(day), self.case)
        if self.noise == "double_space":
            return text.replace(" ", "  ")
        if self.noise == "no_comma":
            return text.replace(",", "")
        return text + "." if self.noise == "trailing_period" else text

    def _render(self, day: date) -> str:
        names = _names(self.locale)
        d = {"plain": str(day.day), "padded": f"{day.day:02d}", "ordinal": self._ordinal(day.day)}
        m = {"number": str(day.month), "padded": f"{day.month:02d}"}.get(self.month)
        m = m or names[self.month][day.month - 1]
        y = str(day.year) if self.year == "yyyy" else f"{day.year % 100:02d}"
        parts = {"D": d[self.day], "M": m, "Y": y}
        first, second, third = (parts[key] for key in self.order)
        if self.sep == "glue" and self.locale == "en":
            text = f"the {first} of {second} {third}"
        elif self.sep == "glue":
            text = f"{first} de {second} de {third}"
        elif self.sep == "comma":
            text = f"{first} {second}, {third}"
        else:
            glue = {"space": " ", "dash": "-", "slash": "/", "dot": "."}[self.sep]
            text = glue.join((first, second, third))
        if self.weekday != "none":
            comma = "," if self.locale in _COMMA_AFTER_WEEKDAY else ""
            text = f"{names['weekday_' + self.weekday][day.weekday()]}{comma} {text}"
        return text

    def _ordinal(self, n: int) -> str:
        if self.locale == "en":
            return _ordinal_en(n)
        if self.locale == "de":
            return f"{n}."
        return str(n) if n != 1 else {"fr": "1er", "pt": "1º"}.get(self.locale, "1")


@cache
def _problem(style: DateStyle) -> str | None:
    return style.problem()


def _cased(text: str, case: str) -> str:
    if case == "lower":
        return text.lower()
    if case == "upper":
        return text.upper()
    if case == "title":  # str.title() would write "3Rd"; only a word's first letter changes
        return " ".join(w[:1].upper() + w[1:] if w[:1].isalpha() else w for w in text.split(" "))
    return text


def family_of(style: DateStyle) -> str | None:
    """The first held-out family whose predicate ``style`` matches, or None (a training style)."""
    for name, predicate in FAMILIES.items():
        if all(getattr(style, part) in values for part, values in predicate.items()):
            return name
    return None


@lru_cache(maxsize=1)
def allowed_styles() -> tuple[DateStyle, ...]:
    """Every allowed combination of parts (about 20,000), in a fixed order."""
    combos = (DateStyle(*values) for values in itertools.product(*PARTS.values()))
    return tuple(style for style in combos if _problem(style) is None)


@cache
def split_styles(split: str, families: tuple[str, ...] | None = None) -> tuple[DateStyle, ...]:
    """The styles a split draws from: training space ("train", "val") or held-out families.

    Args:
        split: "train" or "val" (the allowed styles that match no family), or "held_out".
        families: for "held_out", which names of ``FAMILIES`` (None = all of them).

    Raises:
        ValueError: if ``split`` or a family name is unknown, or families is given for a
            training split.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if split != "held_out":
        if families is not None:
            raise ValueError(f"families picks held-out families; split {split!r} takes none")
        return tuple(s for s in allowed_styles() if family_of(s) is None)
    wanted = tuple(FAMILIES) if families is None else families
    unknown = [name for name in wanted if name not in FAMILIES]
    if isinstance(families, str) or unknown or not wanted:
        raise ValueError(
            f"unknown or no held-out families {families!r}; known: {', '.join(FAMILIES)}"
        )
    return tuple(s for s in allowed_styles() if family_of(s) in wanted)


def date_style_pairs(
    n: int,
    *,
    seed: int = 0,
    split: str = "train",
    families: Sequence[str] | None = None,
    exclude: Collection[str] = (),
) -> list[tuple[str, str, DateStyle]]:
    """Draw ``n`` (human date, ISO date, style) triples.

    Each triple draws a style uniformly among the split's allowed combinations and a day
    uniformly in ``TWO_DIGIT_YEARS`` from one NumPy Generator seeded with ``(seed, split)``:
    the same arguments give the same list, and "val" never repeats "train"'s stream.

    Args:
        n: how many triples.
        seed: seeds the generator.
        split: "train", "val" (new draws from the training space) or "held_out".
        families: for "held_out", names of ``FAMILIES`` to draw from (None = all).
        exclude: source strings never to return (e.g. the training sources, for "val"); a draw
            that hits one is redrawn.

    Returns:
        ``n`` triples ``(source, target, style)``, e.g.
        ``("lunedì 3 marzo 1997", "1997-03-03", DateStyle("it", weekday="full"))``.

    Raises:
        ValueError: if ``n`` is not an int >= 1, ``seed`` not an int, or the split or families
            are wrong (see :func:`split_styles`).
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    styles = split_styles(split, None if families is None else tuple(families))
    rng = np.random.default_rng([seed, SPLITS.index(split) if split in SPLITS else 0])
    low, high = TWO_DIGIT_YEARS
    n_days = (high - low).days
    triples: list[tuple[str, str, DateStyle]] = []
    for _ in range(100 * n):  # redraws for excluded strings; bounded so a tiny space ends
        style = styles[int(rng.integers(len(styles)))]
        day = low + timedelta(days=int(rng.integers(n_days + 1)))
        source = style.format(day)
        if source not in exclude:
            triples.append((source, day.isoformat(), style))
            if len(triples) == n:
                return triples
    raise ValueError(f"could not draw {n} pairs outside exclude from split {split!r}")
