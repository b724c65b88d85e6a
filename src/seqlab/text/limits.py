"""Long inputs: the documented limit of tokens per input and the ``--on-long`` policy.

Every model reads a sentence whole, so its work and memory grow with the sentence: a 50 MB line
handed to ``classify predict`` used 3.1 GB. Each command that reads sentences therefore has a
limit (:data:`MAX_TOKENS`, or a model's own, like an encoder-decoder's ``max_src_len``) and a
policy for inputs over it: ``"error"`` (a one-line error naming the limit) or ``"truncate"``
(keep the first tokens). :func:`head_tokens` tokenizes only as much of a text as the limit
needs, so even the policy's check costs memory bounded by the limit, not by the line.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["MAX_TOKENS", "ON_LONG", "check_on_long", "head_tokens", "limit_tokens"]

MAX_TOKENS = 10_000  # tokens per sentence that a classifier, tagger or language model reads
ON_LONG = ("error", "truncate")
_MARGIN = 8  # tokens at a cut may differ from the whole text's ("don" | "'t"): never kept


def check_on_long(on_long: str) -> None:
    """Raises ValueError unless ``on_long`` is ``"error"`` or ``"truncate"``."""
    if on_long not in ON_LONG:
        raise ValueError(f"on_long must be 'error' or 'truncate', got {on_long!r}")


def head_tokens(
    tokenize: Callable[[str], list[str]], text: str, limit: int
) -> tuple[list[str], bool]:
    """The tokens of ``text``, or of enough of its beginning to hold more than ``limit``.

    The text is tokenized in growing prefixes (16 characters a token, then four times more
    each round) until a prefix holds more than ``limit`` tokens or is the whole text; the last
    few tokens of a cut prefix, which the cut may have split, are dropped.

    Returns:
        ``(tokens, complete)``: every token and True when the whole text was read; else False
        and a prefix of the text's tokens longer than ``limit``.
    """
    size = 16 * (limit + _MARGIN) + 64
    while True:
        head = text[:size]
        tokens = tokenize(head)
        if len(head) == len(text):
            return tokens, True
        if len(tokens) > limit + _MARGIN:
            return tokens[: len(tokens) - _MARGIN], False
        size *= 4


def limit_tokens(
    tokenize: Callable[[str], list[str]],
    text: str,
    limit: int,
    *,
    on_long: str = "error",
    what: str = "the input",
) -> list[str]:
    """At most ``limit`` tokens of ``text``, by the ``on_long`` policy.

    Raises:
        ValueError: ``what`` has more tokens than ``limit`` and ``on_long="error"`` (the message
            names the limit and ``--on-long truncate``), or an unknown policy.
    """
    check_on_long(on_long)
    tokens, complete = head_tokens(tokenize, text, limit)
    if len(tokens) <= limit:
        return tokens
    if on_long == "error":
        count = f"{len(tokens)} tokens, more than" if complete else "more tokens than"
        raise ValueError(f"{what} has {count} the {limit} allowed (--on-long truncate keeps "
                         "the first ones)")  # fmt: skip
    return tokens[:limit]
