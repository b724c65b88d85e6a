"""Tokenizers: the first step of the notes' recipe, text -> a list of tokens.

The notes build a language model by tokenizing the training text, building a vocabulary, using
`<unk>` for words outside it and `<eos>` at the end of each sentence. This module does the first
step at either level the notes use:

* character level (`char_tokenize`): every character is a token, spaces and newlines included,
  so `detokenize_chars` inverts it exactly;
* word level (`word_tokenize`): a small documented regular expression, and `detokenize_words`,
  a reasonable (not exact) inverse that puts English spacing back around punctuation.

`CharTokenizer` and `WordTokenizer` wrap them behind one `Tokenizer` protocol, with
`to_config` / `tokenizer_from_config` so a model folder records which tokenizer it used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

__all__ = [
    "CharTokenizer",
    "Tokenizer",
    "WordTokenizer",
    "char_tokenize",
    "detokenize_chars",
    "detokenize_words",
    "tokenizer_from_config",
    "word_tokenize",
]

# The word tokenizer, tried left to right at each position (the first alternative that matches
# wins); whitespace separates tokens and is dropped.
_WORD_RE = re.compile(
    r"""
      (?:[^\W\d_]\.){2,}          # abbreviations of single letters: e.g.  U.S.A.
    | \d+(?:[.,:]\d+)+            # numbers with separators: 3.14  1,000  12:30
    | \w+(?:['’-]\w+)*            # words and plain numbers, inner ' ’ - kept: don't  x-ray  42
    | ([^\w\s])\1*                # anything else (punctuation): runs of one mark  , ... --
    """,
    re.VERBOSE,
)

# Spacing rules of `detokenize_words`: tokens made only of these marks attach to the left ...
_NO_SPACE_BEFORE = frozenset(",.!?;:%)]}…”’")
# ... these tokens attach to the right (``'' are Penn Treebank's opening and closing quotes).
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "$", "£", "€", "#", "“", "‘", "¿", "¡", "``"})
_STRAIGHT_QUOTES = frozenset({'"', "'"})
# Split-off clitics ('s 're n't ...), as Penn-Treebank-style corpora write them: "John 's".
_CLITIC_RE = re.compile(r"(?:['’](?:s|re|ve|ll|d|m|t)|n['’]t)", re.IGNORECASE)


def _check_text(text: str) -> None:
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")


def _check_tokens(tokens: Sequence[str]) -> None:
    if isinstance(tokens, str):
        raise ValueError("tokens must be a list of str, got a single str")
    if not isinstance(tokens, Sequence):
        raise ValueError(f"tokens must be a list of str, got {type(tokens).__name__}")
    for i, token in enumerate(tokens):
        if not isinstance(token, str):
            raise ValueError(f"tokens[{i}] must be a str, got {type(token).__name__}: {token!r}")


def char_tokenize(text: str) -> list[str]:
    """Split text into characters, every one kept (spaces and newlines included).

    Args:
        text: The text.

    Returns:
        ``list(text)``; ``detokenize_chars`` gives the text back exactly.

    Raises:
        ValueError: If ``text`` is not a str.
    """
    _check_text(text)
    return list(text)


def detokenize_chars(tokens: Sequence[str]) -> str:
    """Join character tokens back into text (the exact inverse of `char_tokenize`).

    Raises:
        ValueError: If ``tokens`` is a str or holds a non-str.
    """
    _check_tokens(tokens)
    return "".join(tokens)


def word_tokenize(text: str, *, lower: bool = False) -> list[str]:
    """Split text into words, numbers and punctuation marks.

    The rules, in the order they are tried at each position (whitespace is dropped):

    1. abbreviations made of single letters with dots stay whole: ``e.g.``, ``U.S.A.``;
    2. numbers with inner ``.`` ``,`` ``:`` stay whole: ``3.14``, ``1,000``, ``12:30``;
    3. runs of letters, digits and ``_``, joined by inner apostrophes (``'`` or ``’``) or
       hyphens, are one token: ``don't``, ``state-of-the-art``, ``42``;
    4. any other character is punctuation: a run of the same mark is one token (``,`` ``.``
       ``...`` ``--`` ``!!``), different marks are separate tokens (``?!`` -> ``?`` ``!``).

    So a leading or trailing apostrophe is split off (``dogs'`` -> ``dogs`` ``'``), and
    ``e.g.`` stays whole while ``Mr.`` becomes ``Mr`` ``.``.

    Args:
        text: The text.
        lower: Lowercase the tokens.

    Returns:
        The tokens, in order.

    Raises:
        ValueError: If ``text`` is not a str.

    Example:
        >>> word_tokenize("Don't panic: it's 3.14, not 42!")
        ["Don't", 'panic', ':', "it's", '3.14', ',', 'not', '42', '!']
    """
    _check_text(text)
    tokens = [match.group() for match in _WORD_RE.finditer(text)]
    return [token.lower() for token in tokens] if lower else tokens


def detokenize_words(tokens: Sequence[str]) -> str:
    """Join word tokens into text with English spacing: a reasonable inverse of `word_tokenize`.

    Tokens are joined by one space, except:

    * no space before tokens made only of ``, . ! ? ; : % ) ] } …`` and the closing quotes
      ``” ’`` (so ``...`` and ``?!`` attach too), Penn Treebank's closing quote (two
      apostrophes), or split-off clitics (``'s 're 've 'll 'd 'm n't``);
    * no space after ``( [ { $ £ € #``, the opening quotes ``“ ‘`` and Penn Treebank's opening
      quote (two backticks);
    * straight quotes ``"`` and ``'`` alternate between opening (space before, none after) and
      closing (none before).

    ``detokenize_words(word_tokenize(text)) == text`` for ordinary single-spaced prose. Not
    recovered: line breaks and repeated spaces, spaces inside the glued cases (``a , b``), and a
    lone trailing apostrophe (``dogs' bone`` comes back as ``dogs 'bone``).

    Args:
        tokens: Word tokens.

    Returns:
        The text.

    Raises:
        ValueError: If ``tokens`` is a str or holds a non-str.
    """
    _check_tokens(tokens)
    pieces: list[str] = []
    quote_open = dict.fromkeys(_STRAIGHT_QUOTES, False)
    glue_next = True  # no space before the first token
    for token in tokens:
        if token in _STRAIGHT_QUOTES:
            opening = quote_open[token] = not quote_open[token]
            glue_before, glue_after = not opening, opening
        else:
            glue_before = (
                set(token) <= _NO_SPACE_BEFORE
                or token == "''"
                or _CLITIC_RE.fullmatch(token) is not None
            )
            glue_after = token in _NO_SPACE_AFTER
        if not (glue_next or glue_before):
            pieces.append(" ")
        pieces.append(token)
        glue_next = glue_after
    return "".join(pieces)


@runtime_checkable
class Tokenizer(Protocol):
    """What models and the CLI need from a tokenizer."""

    @property
    def level(self) -> Literal["char", "word"]:
        """``"char"`` or ``"word"``: what one token is."""
        ...

    def tokenize(self, text: str) -> list[str]:
        """Text -> tokens."""
        ...

    def detokenize(self, tokens: Sequence[str]) -> str:
        """Tokens -> text."""
        ...

    def to_config(self) -> dict[str, Any]:
        """A JSON-ready dict that `tokenizer_from_config` turns back into this tokenizer."""
        ...


def _check_config(config: Mapping[str, Any], level: str, allowed: set[str]) -> None:
    if not isinstance(config, Mapping):
        raise ValueError(f"tokenizer config must be a mapping, got {type(config).__name__}")
    if config.get("level") != level:
        raise ValueError(f"tokenizer config has level {config.get('level')!r}, expected {level!r}")
    unknown = sorted(set(config) - allowed - {"level"})
    if unknown:
        raise ValueError(f"unknown keys in {level} tokenizer config: {unknown}")


@dataclass(frozen=True)
class CharTokenizer:
    """Character-level tokenizer: `char_tokenize` / `detokenize_chars`."""

    level: ClassVar[Literal["char"]] = "char"

    def tokenize(self, text: str) -> list[str]:
        """See `char_tokenize`."""
        return char_tokenize(text)

    def detokenize(self, tokens: Sequence[str]) -> str:
        """See `detokenize_chars`."""
        return detokenize_chars(tokens)

    def to_config(self) -> dict[str, Any]:
        """``{"level": "char"}``."""
        return {"level": self.level}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CharTokenizer:
        """Inverse of `to_config`. Raises ValueError on a wrong level or unknown keys."""
        _check_config(config, cls.level, set())
        return cls()


@dataclass(frozen=True)
class WordTokenizer:
    """Word-level tokenizer: `word_tokenize` / `detokenize_words`."""

    level: ClassVar[Literal["word"]] = "word"
    lower: bool = False  # lowercase every token
    whitespace: bool = False  # split on whitespace only (text that is tokenized already)

    def __post_init__(self) -> None:
        for name in ("lower", "whitespace"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be a bool, got {getattr(self, name)!r}")

    def tokenize(self, text: str) -> list[str]:
        """See `word_tokenize`; with ``whitespace``, ``text.split()`` (lower-cased if asked)."""
        if self.whitespace:
            _check_text(text)
            return [t.lower() for t in text.split()] if self.lower else text.split()
        return word_tokenize(text, lower=self.lower)

    def detokenize(self, tokens: Sequence[str]) -> str:
        """See `detokenize_words`."""
        return detokenize_words(tokens)

    def to_config(self) -> dict[str, Any]:
        """``{"level": "word", "lower": ...}`` (plus ``"whitespace": true`` when set)."""
        config: dict[str, Any] = {"level": self.level, "lower": self.lower}
        if self.whitespace:  # only when set, so folders written before still compare equal
            config["whitespace"] = True
        return config

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> WordTokenizer:
        """Inverse of `to_config`. Raises ValueError on a wrong level, key or value."""
        _check_config(config, cls.level, {"lower", "whitespace"})
        return cls(lower=config.get("lower", False), whitespace=config.get("whitespace", False))


def tokenizer_from_config(config: Mapping[str, Any]) -> CharTokenizer | WordTokenizer:
    """Rebuild the tokenizer whose `to_config` gave ``config`` (dispatching on ``"level"``).

    Raises:
        ValueError: If ``config`` is not a mapping, its level is unknown, or a key or value
            is wrong for that level.
    """
    if not isinstance(config, Mapping):
        raise ValueError(f"tokenizer config must be a mapping, got {type(config).__name__}")
    classes = {"char": CharTokenizer, "word": WordTokenizer}
    level = config.get("level")
    if not isinstance(level, str) or level not in classes:
        raise ValueError(f"unknown tokenizer level {level!r}; expected one of {sorted(classes)}")
    return classes[level].from_config(config)
