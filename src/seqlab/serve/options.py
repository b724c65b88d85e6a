"""A request's options, checked: the JSON body's keys (or the query string of an upload), each
read with its type, default and range, and the server's input limits.

Every problem raises :class:`RequestError` with the HTTP status it deserves and one line that
names the key: 400 for a bad value, 413 for an input over a limit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Limits", "Options", "RequestError"]

_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}  # in a query string


class RequestError(ValueError):
    """A request the server refuses: ``status`` (4xx) and a one-line message."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Limits:
    """What one request may ask for (``seqlab serve --max-...`` flags)."""

    max_text_chars: int = 2000  # characters of typed text in one request
    max_lines: int = 16  # sentences (lines) in one request
    max_upload_bytes: int = 5 * 2**20  # a WAV or PNG upload
    max_beam: int = 16  # beam size
    max_length: int = 1000  # sampled characters, words, time steps or output tokens
    max_n: int = 50  # samples, n-best hypotheses, neighbours

    def to_json(self) -> dict[str, int]:
        return asdict(self)


class Options:
    """Typed access to a request's options; ``from_query`` values arrive as strings.

    Args:
        values: the JSON object or the query string's pairs.
        known: the keys the verb reads; any other key is an error (it catches typos).
        where: how messages name the request, e.g. ``"lm sample"``.
        limits: the server's limits.
        from_query: convert strings (``"8"`` -> 8, ``"true"`` -> True).
    """

    def __init__(
        self,
        values: Mapping[str, Any],
        known: tuple[str, ...],
        where: str,
        limits: Limits,
        *,
        from_query: bool = False,
    ) -> None:
        if not isinstance(values, Mapping):
            raise RequestError(f"{where}: the body must be a JSON object, got {_kind(values)}")
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise RequestError(f"{where}: unknown option {unknown[0]!r}; it takes: "
                               f"{', '.join(known) or 'no options'}")  # fmt: skip
        self.values, self.where, self.limits, self.from_query = values, where, limits, from_query

    def _get(self, key: str, default: Any, parse: Any = None) -> Any:
        """The key's value or the default; a query string's text through ``parse`` (int,
        float) where it parses, else left as text for the caller's message."""
        value = self.values.get(key)
        if value is None or (self.from_query and value == ""):
            return default
        if self.from_query and parse is not None and isinstance(value, str):
            try:
                return parse(value)
            except ValueError:
                return value
        return value

    def integer(self, key: str, default: int | None, lo: int, hi: int) -> int | None:
        """An integer in [lo, hi] (None only when the default is None and the key is absent)."""
        value = self._get(key, default, int)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise RequestError(f"{self.where}: {key} must be an integer, got {value!r}")
        if not lo <= value <= hi:
            raise RequestError(f"{self.where}: {key} must be in [{lo}, {hi}], got {value}")
        return value

    def number(self, key: str, default: float | None, lo: float, hi: float = math.inf,
               *, above: bool = False) -> float | None:  # fmt: skip
        """A finite number in [lo, hi] (in (lo, hi] with ``above``)."""
        value = self._get(key, default, float)
        if value is None:
            return None
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if not numeric or not math.isfinite(value):
            raise RequestError(f"{self.where}: {key} must be a number, got {value!r}")
        if value < lo or value > hi or (above and value == lo):
            shown = f"({lo:g}, {hi:g}]" if above else f"[{lo:g}, {hi:g}]"
            raise RequestError(f"{self.where}: {key} must be in {shown}, got {value:g}")
        return float(value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self._get(key, default)
        if self.from_query and isinstance(value, str) and value.lower() in _BOOLEANS:
            value = _BOOLEANS[value.lower()]
        if not isinstance(value, bool):
            raise RequestError(f"{self.where}: {key} must be true or false, got {value!r}")
        return value

    def string(self, key: str, default: str = "", *, required: bool = False) -> str:
        """A string of at most ``max_text_chars`` characters."""
        value = self._get(key, None)
        if value is None:
            if required:
                raise RequestError(f"{self.where}: {key} is missing")
            return default
        if not isinstance(value, str):
            raise RequestError(f"{self.where}: {key} must be a string, got {_kind(value)}")
        if required and not value.strip():
            raise RequestError(f"{self.where}: {key} is empty")
        self._check_length(key, value)
        return value

    def words(self, key: str, *, required: bool = True) -> list[str]:
        """A list of words (a string is split at white space)."""
        value = self._get(key, None)
        if isinstance(value, str):
            self._check_length(key, value)
            value = value.split()
        if value is None or value == []:
            if required:
                raise RequestError(f"{self.where}: {key} is empty: give at least one word")
            return []
        if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
            raise RequestError(f"{self.where}: {key} must be a list of words")
        if len(value) > self.limits.max_n:
            raise RequestError(f"{self.where}: {key} has {len(value)} words; the limit is "
                               f"{self.limits.max_n}", 413)  # fmt: skip
        return value

    def lines(self, key: str = "text") -> list[str]:
        """The text's non-blank lines (at least one, at most ``max_lines``)."""
        text = self.string(key, required=True)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) > self.limits.max_lines:
            raise RequestError(f"{self.where}: {len(lines)} lines; the limit is "
                               f"{self.limits.max_lines} per request", 413)  # fmt: skip
        return lines

    def _check_length(self, key: str, value: str) -> None:
        if len(value) > self.limits.max_text_chars:
            raise RequestError(f"{self.where}: {key} has {len(value):,} characters; the limit is "
                               f"{self.limits.max_text_chars:,}", 413)  # fmt: skip


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), "a number")  # fmt: skip
