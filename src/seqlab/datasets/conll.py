"""CoNLL column files for sequence tagging (CoNLL-2003 NER and the like): read and write.

One token per line, whitespace-separated columns, a blank line after each sentence, and
``-DOCSTART-`` lines between documents::

    -DOCSTART- -X- -X- O

    Alice NNP B-NP B-PER        word POS chunk NER: word_column=0, tag_column=-1
    lives VBZ B-VP O
    in IN B-PP O
    Paris NNP B-NP B-LOC

:func:`write_conll` writes ``word tag`` lines, or ``word gold predicted`` lines: the input of
the conlleval script, and of :func:`read_conll` with ``tag_column=1`` / ``-1``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from seqlab._atomic import atomic_write_text
from seqlab.datasets.text import read_text

__all__ = ["TaggedSentence", "read_conll", "write_conll"]

DOCSTART = "-DOCSTART-"


@dataclass(frozen=True)
class TaggedSentence:
    """A sentence and one tag per token."""

    tokens: list[str]
    tags: list[str]

    def __post_init__(self) -> None:
        if len(self.tokens) != len(self.tags):
            raise ValueError(f"{len(self.tokens)} tokens but {len(self.tags)} tags")

    def __len__(self) -> int:
        return len(self.tokens)


def _columns(n: int) -> str:
    return f"{n} column" if n == 1 else f"{n} columns"


def _column_index(column: int, n_columns: int) -> int | None:
    """``column`` (negative counts from the end) as an index into n_columns, or None."""
    index = column + n_columns if column < 0 else column
    return index if 0 <= index < n_columns else None


def read_conll(
    path: str | os.PathLike[str],
    *,
    word_column: int = 0,
    tag_column: int = -1,
    encoding: str = "utf-8",
) -> list[TaggedSentence]:
    """Read a CoNLL-format file into sentences of (token, tag).

    Args:
        path: the file.
        word_column: the column of the words (0-based; negative counts from the end).
        tag_column: the column of the tags (default: the last, CoNLL-2003's NER tags).
        encoding: the file's encoding.

    Returns:
        The sentences in file order; ``-DOCSTART-`` lines are skipped.

    Raises:
        ValueError: if the file cannot be read (see :func:`read_text`) or holds no sentence;
            or, naming the 1-based line, if a token line has a different number of columns
            than the file's first token line, or too few for ``word_column`` and
            ``tag_column`` (which must be two different columns).
    """
    name = str(path)
    sentences: list[TaggedSentence] = []
    tokens: list[str] = []
    tags: list[str] = []
    first: tuple[int, int] | None = None  # (line number, column count) of the first token line
    for number, line in enumerate(read_text(path, encoding=encoding).split("\n"), start=1):
        columns = line.split()
        if not columns or columns[0] == DOCSTART:  # a sentence (or document) boundary
            if tokens:
                sentences.append(TaggedSentence(tokens, tags))
            tokens, tags = [], []
            continue
        if first is None:
            first = (number, len(columns))
            word = _column_index(word_column, len(columns))
            tag = _column_index(tag_column, len(columns))
            if word is None or tag is None or word == tag:
                raise ValueError(
                    f"{name}: line {number}: {_columns(len(columns))}, too few for "
                    f"word_column={word_column} and tag_column={tag_column} (two different columns)"
                )
        elif len(columns) != first[1]:
            raise ValueError(f"{name}: line {number}: {_columns(len(columns))}, but line "
                             f"{first[0]} has {first[1]}")  # fmt: skip
        tokens.append(columns[word])
        tags.append(columns[tag])
    if tokens:
        sentences.append(TaggedSentence(tokens, tags))
    if not sentences:
        raise ValueError(f"{name}: no sentences (only {DOCSTART} lines)")
    return sentences


def _check_field(value: str, what: str, i: int, k: int) -> None:
    if not isinstance(value, str) or not value or any(ch.isspace() for ch in value):
        raise ValueError(f"sentence {i}, token {k}: {what} {value!r} is empty or has whitespace "
                         "(a CoNLL column cannot)")  # fmt: skip


def write_conll(
    path: str | os.PathLike[str],
    sentences: Sequence[TaggedSentence],
    predicted: Sequence[Sequence[str]] | None = None,
) -> None:
    """Write sentences as a CoNLL file (atomically): ``word tag`` or ``word gold predicted``.

    Args:
        path: the file to create or replace (UTF-8); its folder must exist.
        sentences: the tokens and their (gold) tags.
        predicted: optional predicted tags, one list per sentence, for a third column.

    Raises:
        ValueError: if ``predicted`` has a different number of sentences or tags than
            ``sentences`` (the sentence is named), a sentence is empty, or a word or tag is
            empty or holds whitespace (it would break the columns).
    """
    if predicted is not None and len(predicted) != len(sentences):
        raise ValueError(f"{len(sentences)} sentences but {len(predicted)} predicted tag lists")
    blocks = []
    for i, sentence in enumerate(sentences):
        columns = [sentence.tokens, sentence.tags]
        if predicted is not None:
            if len(predicted[i]) != len(sentence):
                raise ValueError(f"sentence {i}: {len(sentence)} tokens but "
                                 f"{len(predicted[i])} predicted tags")  # fmt: skip
            columns.append(predicted[i])
        if not len(sentence):
            raise ValueError(f"sentence {i} has no tokens")
        for what, column in zip(("word", "tag", "predicted tag"), columns):
            for k, value in enumerate(column):
                _check_field(value, what, i, k)
        blocks.append("".join(" ".join(row) + "\n" for row in zip(*columns)))
    atomic_write_text(path, "\n".join(blocks))
