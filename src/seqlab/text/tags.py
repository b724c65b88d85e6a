"""Tag schemes for named-entity tagging: from per-token tags to entity spans and back.

A tagger labels every token; an entity ("chunk") is a run of tokens. Each tag is ``O``
(outside every entity) or ``PREFIX-TYPE``, and the schemes differ in their prefixes::

    tokens:  Jim   Henson  visited  New   York   City   .
    BIO:     B-PER I-PER   O        B-LOC I-LOC  I-LOC  O     B begins, I continues
    IOB1:    I-PER I-PER   O        I-LOC I-LOC  I-LOC  O     B only between two same-type chunks
    IOBES:   B-PER E-PER   O        B-LOC I-LOC  E-LOC  O     E ends, S is a one-token chunk
    BILOU:   B-PER L-PER   O        B-LOC I-LOC  L-LOC  O     IOBES with L = E and U = S

``"IOB2"`` is another name for BIO. Entities are :class:`Span` s with token offsets,
``end`` exclusive (``Span("LOC", 3, 6)`` above).

Two readings, as seqeval (Nakayama 2018) has them:

- lenient (``strict=False``, the conlleval reading and seqeval's default): every non-``O`` tag
  belongs to some entity. A tag starts a new entity unless it is I- or E- and the previous tag
  is B- or I- of the same type, so an I-X after O, or a type change, starts an entity whatever
  the scheme says. The scheme is not used (BILOU's L and U are read as E and S).
- strict (``strict=True``, seqeval's ``mode="strict"``): the scheme's own rules; a run of tags
  that breaks them yields no entity at all (an I-PER after O is not an entity in BIO).

:func:`check_tags` says what breaks the scheme, :func:`repair_tags` rewrites the lenient
reading as valid tags and :func:`convert_tags` moves tags between schemes, keeping the spans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["SCHEMES", "Span", "check_tags", "convert_tags", "get_entities", "repair_tags"]

# Scheme name -> the prefixes it uses, besides O.
SCHEMES = {"BIO": "BI", "IOB2": "BI", "IOB1": "BI", "IOBES": "BIES", "BILOU": "BILU"}
# BILOU is IOBES with other letters: internally every tag is read with IOBES letters.
_TO_IOBES = {"L": "E", "U": "S"}
_OUTSIDE = ("O", "")  # (prefix, type) of an O tag, and of the end of the sentence


@dataclass(frozen=True)
class Span:
    """One entity: its type and token offsets ``[start, end)``."""

    type: str  # e.g. "PER"
    start: int  # first token
    end: int  # one past the last token


def _scheme(scheme: str) -> str:
    """Canonical scheme name: BIO, IOB1, IOBES or BILOU."""
    name = scheme.upper() if isinstance(scheme, str) else scheme
    if name not in SCHEMES:
        raise ValueError(f"unknown tag scheme {scheme!r}; expected one of {list(SCHEMES)}")
    return "BIO" if name == "IOB2" else name


def _split_tag(tag: str) -> tuple[str, str] | None:
    """``"B-PER"`` -> ``("B", "PER")``, ``"O"`` -> ``("O", "")``; None if neither shape."""
    if tag == "O":
        return _OUTSIDE
    if not isinstance(tag, str) or len(tag) < 3 or tag[1] != "-" or tag[0] == "O":
        return None
    return tag[0], tag[2:]


def _parse(tags: Sequence[str], letters: str, scheme: str) -> list[tuple[str, str]]:
    """Each tag as (prefix, type) with IOBES letters; ValueError on a tag not in ``letters``."""
    if isinstance(tags, str):
        raise ValueError("tags must be a sequence of tag strings, not a single str")
    parsed = []
    for k, tag in enumerate(tags):
        split = _split_tag(tag)
        if split is None or (split[0] != "O" and split[0] not in letters):
            prefixes = "/".join(f"{p}-" for p in letters)
            raise ValueError(f"token {k}: tag {tag!r} is not O or {prefixes}TYPE ({scheme})")
        prefix, type_ = split
        parsed.append((_TO_IOBES.get(prefix, prefix) if scheme == "BILOU" else prefix, type_))
    return parsed


def _lenient_spans(parsed: list[tuple[str, str]]) -> list[Span]:
    """The conlleval reading (seqeval's default ``get_entities``)."""
    spans: list[Span] = []
    start = None  # start of the open entity, if any
    prev_prefix, prev_type = _OUTSIDE
    for k, (prefix, type_) in enumerate([*parsed, _OUTSIDE]):
        continues = prefix in "IE" and prev_prefix in "BI" and type_ == prev_type
        if start is not None and not continues:
            spans.append(Span(prev_type, start, k))
            start = None
        if prefix != "O" and not continues:
            start = k
        prev_prefix, prev_type = prefix, type_
    return spans


# The strict readings, as seqeval.scheme has them. A rule "PREV>CUR" holds for a pair of
# neighbouring tags when the previous prefix is one of PREV and the current one is one of CUR
# ("*" = any prefix); a trailing "=" also needs the same type, "!" a different type.
# A tag that matches a `start` rule opens an entity, which takes in the following tags while
# they match an `inside` rule; the entity counts only if the pair (its last tag, the tag after
# it) matches an `end` rule. Scanning goes on at the tag after the entity.
_STRICT_RULES = {
    "BIO": {
        "start": ("*>B",),
        "inside": ("BI>I=",),
        "end": ("BI>OB", "BI>I!"),
    },
    "IOB1": {  # B- only separates two neighbouring chunks of one type
        "start": ("O>I", "I>I!", "B>I", "IB>B="),
        "inside": ("BI>I=",),
        "end": ("BI>O", "I>B", "B>B=", "BI>I!"),
    },
    "IOBES": {  # BILOU is read with these letters too
        "start": ("*>BS",),
        "inside": ("BI>IE=",),
        "end": ("SE>*",),
    },
}


def _holds(rules: tuple[str, ...], prev: tuple[str, str], cur: tuple[str, str]) -> bool:
    """Whether some rule matches the pair (previous tag, current tag)."""
    for rule in rules:
        before, after = rule.rstrip("=!").split(">")
        if (before == "*" or prev[0] in before) and (after == "*" or cur[0] in after):
            if rule.endswith("="):
                if prev[1] == cur[1]:
                    return True
            elif rule.endswith("!"):
                if prev[1] != cur[1]:
                    return True
            else:
                return True
    return False


def _strict_spans(parsed: list[tuple[str, str]], scheme: str) -> list[Span]:
    """seqeval's ``Entities(..., scheme)`` reading: rule-breaking runs give no entity."""
    rules = _STRICT_RULES["IOBES" if scheme == "BILOU" else scheme]
    tokens = [*parsed, _OUTSIDE]  # an O after the end closes the last entity
    spans: list[Span] = []
    k = 0
    while k < len(tokens):
        prev = tokens[k - 1] if k > 0 else _OUTSIDE
        if not _holds(rules["start"], prev, tokens[k]):
            k += 1
            continue
        stop = k + 1  # the final O is never inside, so this stops inside the list
        while _holds(rules["inside"], tokens[stop - 1], tokens[stop]):
            stop += 1
        if _holds(rules["end"], tokens[stop - 1], tokens[stop]):
            spans.append(Span(tokens[k][1], k, stop))
        k = stop
    return spans


def get_entities(tags: Sequence[str], *, scheme: str = "BIO", strict: bool = False) -> list[Span]:
    """The entities of one tagged sentence, in order.

    Args:
        tags: one tag per token, ``"O"`` or ``"PREFIX-TYPE"``.
        scheme: "BIO" (= "IOB2"), "IOB1", "IOBES" or "BILOU".
        strict: False for the lenient conlleval reading (seqeval's default; any of B-, I-, E-,
            S- is read whatever the scheme, and L-, U- too for BILOU); True for the scheme's
            own rules (seqeval's ``mode="strict"``), where tags that break them give no entity.

    Returns:
        The entities as :class:`Span` s, ordered by position (they never overlap).

    Raises:
        ValueError: on an unknown scheme, or a tag that is not ``O`` or ``PREFIX-TYPE`` with a
            prefix the reading accepts (the message gives its 0-based token index).
    """
    name = _scheme(scheme)
    if strict:
        return _strict_spans(_parse(tags, SCHEMES[name], name), name)
    letters = "BIESLU" if name == "BILOU" else "BIES"
    return _lenient_spans(_parse(tags, letters, name))


def _problems(tags: Sequence[str], parsed: list[tuple[str, str]], scheme: str) -> list[str]:
    """Transitions that break ``scheme`` (``parsed`` in IOBES letters, bad tags as O)."""
    close = "L" if scheme == "BILOU" else "E"
    problems = []
    for k, (prefix, type_) in enumerate(parsed):
        prev_prefix, prev_type = parsed[k - 1] if k > 0 else _OUTSIDE
        before = tags[k - 1] if k > 0 else "the sentence start"
        opened = prev_prefix in "BI" and prev_type == type_  # an open chunk of this type
        if scheme == "BIO" and prefix == "I" and not opened:
            problems.append(f"token {k}: {tags[k]} follows {before} (BIO needs B-{type_} first)")
        elif scheme == "IOB1" and prefix == "B" and not opened:
            problems.append(f"token {k}: {tags[k]} follows {before} (IOB1 uses B- only right "
                            f"after a {type_} chunk; use I-{type_})")  # fmt: skip
        elif scheme in ("IOBES", "BILOU"):
            if prev_prefix in "BI" and not (prefix in "IE" and opened):
                problems.append(f"token {k - 1}: {tags[k - 1]} is not closed, {tags[k]} "
                                f"follows it ({scheme} needs I-{prev_type} or "
                                f"{close}-{prev_type} next)")  # fmt: skip
            if prefix in "IE" and not opened:
                problems.append(f"token {k}: {tags[k]} follows {before} ({scheme} needs "
                                f"B-{type_} first)")  # fmt: skip
    if scheme in ("IOBES", "BILOU") and parsed and parsed[-1][0] in "BI":
        k, type_ = len(parsed) - 1, parsed[-1][1]
        problems.append(f"token {k}: {tags[k]} is not closed at the end of the sentence "
                        f"({scheme} needs {close}-{type_} last)")  # fmt: skip
    return problems


def check_tags(tags: Sequence[str], *, scheme: str = "BIO") -> list[str]:
    """What makes a tag sequence invalid in a scheme, in words.

    A valid sequence reads the same leniently and strictly: every I- continues a B- or I- of
    its type (BIO); B- comes only right after a chunk of the same type (IOB1); chunks open with
    B- and close with E-, or are one S- (IOBES; B, I, L, U in BILOU).

    Args:
        tags: one tag per token.
        scheme: "BIO" (= "IOB2"), "IOB1", "IOBES" or "BILOU".

    Returns:
        One message per problem, such as ``"token 3: I-PER follows O (BIO needs B-PER
        first)"`` (0-based token indices, as in :class:`Span`); empty if the tags are valid.

    Raises:
        ValueError: on an unknown scheme, or if ``tags`` is a single str.
    """
    name = _scheme(scheme)
    if isinstance(tags, str):
        raise ValueError("tags must be a sequence of tag strings, not a single str")
    letters = SCHEMES[name]
    malformed, parsed = [], []
    for k, tag in enumerate(tags):
        split = _split_tag(tag)
        if split is None or (split[0] != "O" and split[0] not in letters):
            prefixes = "/".join(f"{p}-" for p in letters)
            malformed.append(f"token {k}: {tag!r} is not O or {prefixes}TYPE ({name})")
            split = _OUTSIDE  # judge its neighbours as if it were O
        prefix, type_ = split
        parsed.append((_TO_IOBES.get(prefix, prefix) if name == "BILOU" else prefix, type_))
    return malformed + _problems(tags, parsed, name)


def _render(spans: Sequence[Span], n_tokens: int, scheme: str) -> list[str]:
    """Tags in ``scheme`` (canonical name) for non-overlapping ordered spans."""
    tags = ["O"] * n_tokens
    prev: Span | None = None
    for span in spans:
        t, length = span.type, span.end - span.start
        if scheme == "BIO":
            tags[span.start : span.end] = [f"B-{t}"] + [f"I-{t}"] * (length - 1)
        elif scheme == "IOB1":
            touches = prev is not None and prev.end == span.start and prev.type == t
            tags[span.start : span.end] = [f"{'B' if touches else 'I'}-{t}"] + [f"I-{t}"] * (
                length - 1
            )
        else:
            b, i, e, s = "BILU" if scheme == "BILOU" else "BIES"
            chunk = [f"{s}-{t}"] if length == 1 else [f"{b}-{t}"] + [f"{i}-{t}"] * (length - 2)
            tags[span.start : span.end] = chunk if length == 1 else [*chunk, f"{e}-{t}"]
        prev = span
    return tags


def repair_tags(tags: Sequence[str], *, scheme: str = "BIO") -> list[str]:
    """The lenient (conlleval) reading of ``tags``, written as valid tags of ``scheme``.

    An I-X that starts an entity becomes B-X (BIO), an entity left open gets its E-X (IOBES),
    and so on, so that ``get_entities(repair_tags(t), strict=True) == get_entities(t)``.

    Raises:
        ValueError: as :func:`get_entities` (lenient) does.
    """
    name = _scheme(scheme)
    return _render(get_entities(tags, scheme=name), len(tags), name)


def convert_tags(tags: Sequence[str], *, source: str, target: str) -> list[str]:
    """The same entities in another scheme (e.g. CoNLL-2003's original IOB1 -> BIO).

    ``tags`` are read leniently in ``source`` (so invalid sequences are read the conlleval way)
    and only ``source`` 's prefixes are accepted; valid input keeps exactly its spans.

    Raises:
        ValueError: on an unknown scheme or a tag that is not ``O`` or a prefix of ``source``.
    """
    source_name, target_name = _scheme(source), _scheme(target)
    parsed = _parse(tags, SCHEMES[source_name], source_name)
    return _render(_lenient_spans(parsed), len(parsed), target_name)
