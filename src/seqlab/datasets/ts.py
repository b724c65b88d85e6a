"""The sktime/aeon ``.ts`` time-series format (the UEA/UCR classification archive).

A ``.ts`` file::

    # comment lines describe the data
    @problemName GunPoint
    @timeStamps false
    @missing false
    @univariate true            (or @dimensions 6 for multivariate data)
    @equalLength true
    @seriesLength 150
    @classLabel true 1 2        (the labels a line may end with)
    @data
    -1.125,-1.131,...,-0.987:1
    ...

After ``@data`` each line is one example: its channels separated by ``:``, each channel's values
by ``,``, and (with ``@classLabel true``) the class label last. Header keywords are
case-insensitive (``@timeStamps`` and ``@timestamps`` both occur). Values may be ``?`` or
``NaN`` (missing) only under ``@missing true``; this reader refuses missing values either way,
with the line and channel, since none of seqlab's models can read them. Time stamps
(``@timeStamps true``) are not supported.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np

from seqlab.datasets.text import read_text

__all__ = ["TimeSeriesSet", "read_ts"]


@dataclass
class TimeSeriesSet:
    """The examples of one ``.ts`` file.

    series: one float32 array (T_i, C) per example (time first, channels last); labels: one str
    per example (empty strings when the file has no labels); class_labels: the labels the
    header declares, in its order; header: every ``@`` line as keyword (lower case) -> value.
    """

    series: list[np.ndarray]
    labels: list[str]
    class_labels: list[str]
    header: dict[str, str] = field(default_factory=dict)
    name: str = ""

    def __len__(self) -> int:
        return len(self.series)

    @property
    def n_channels(self) -> int:
        """C, the number of channels (dimensions) of every series."""
        return int(self.series[0].shape[1]) if self.series else 0

    @property
    def lengths(self) -> list[int]:
        """T_i of every series."""
        return [int(s.shape[0]) for s in self.series]


def _flag(header: dict[str, str], key: str, default: bool, name: str) -> bool:
    value = header.get(key)
    if value is None:
        return default
    word = value.split()[0].lower() if value.split() else ""
    if word not in ("true", "false"):
        raise ValueError(f"{name}: @{key} must be true or false, got {value!r}")
    return word == "true"


def _header(lines: list[str], name: str) -> tuple[dict[str, str], int]:
    """The ``@`` keywords (lower-cased) and the index of the first data line."""
    header: dict[str, str] = {}
    for i, line in enumerate(lines):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if not text.startswith("@"):
            raise ValueError(f"{name}: line {i + 1}: data before @data ({text[:40]!r})")
        key, _, value = text[1:].partition(" ")
        if key.lower() == "data":
            return header, i + 1
        header[key.lower()] = value.strip()
    raise ValueError(f"{name}: no @data line (not a .ts file?)")


def _channel(text: str, number: int, channel: int, name: str) -> np.ndarray:
    where = f"{name}: line {number}, channel {channel}"
    values = []
    for v in text.split(","):
        v = v.strip()
        if v in ("?", "") or v.lower() == "nan":
            raise ValueError(f"{where}: missing value ({v or 'empty'!r}); fill or drop it first")
        try:
            x = float(v)
        except ValueError:
            raise ValueError(f"{where}: {v!r} is not a number") from None
        if not math.isfinite(x):
            raise ValueError(f"{where}: {v!r} is not a finite number")
        values.append(x)
    return np.asarray(values, dtype=np.float32)


def read_ts(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> TimeSeriesSet:
    """Read a ``.ts`` file (see the module docstring).

    Args:
        path: the file.
        encoding: its encoding.

    Returns:
        A :class:`TimeSeriesSet`.

    Raises:
        ValueError: naming the file and the 1-based line: no ``@data``, time stamps, a missing
            value, a value that is not a number, a line with another number of channels than
            the header (or the first line) says, channels of different lengths within a line,
            lengths that differ under ``@equalLength true`` or from ``@seriesLength``, a label
            the header does not declare, or no examples.
    """
    name = str(path)
    lines = read_text(path, encoding=encoding).split("\n")
    header, start = _header(lines, name)
    if _flag(header, "timestamps", False, name):
        raise ValueError(f"{name}: @timeStamps true is not supported")
    labelled = _flag(header, "classlabel", False, name)
    class_labels = header.get("classlabel", "").split()[1:] if labelled else []
    univariate = _flag(header, "univariate", True, name)
    n_channels = 1 if univariate else None
    if "dimensions" in header:
        try:
            n_channels = int(header["dimensions"])
        except ValueError:
            raise ValueError(
                f"{name}: @dimensions {header['dimensions']!r} is not a number"
            ) from None
    equal = _flag(header, "equallength", False, name)
    fixed = None
    if equal and "serieslength" in header:
        try:
            fixed = int(header["serieslength"])
        except ValueError:
            raise ValueError(
                f"{name}: @seriesLength {header['serieslength']!r} is not a number"
            ) from None
    series, labels = [], []
    for number, line in enumerate(lines[start:], start=start + 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split(":")
        label = parts.pop().strip() if labelled else ""
        if labelled and class_labels and label not in class_labels:
            raise ValueError(f"{name}: line {number}: label {label!r} is not among the header's "
                             f"@classLabel {class_labels}")  # fmt: skip
        if n_channels is None:
            n_channels = len(parts)
        if len(parts) != n_channels:
            raise ValueError(f"{name}: line {number}: {len(parts)} channels, expected "
                             f"{n_channels}")  # fmt: skip
        channels = [_channel(p, number, c + 1, name) for c, p in enumerate(parts)]
        lengths = {len(c) for c in channels}
        if len(lengths) != 1:
            raise ValueError(f"{name}: line {number}: ragged channels (lengths "
                             f"{[len(c) for c in channels]})")  # fmt: skip
        T = lengths.pop()
        if fixed is not None and T != fixed:
            raise ValueError(f"{name}: line {number}: {T} values, @seriesLength is {fixed}")
        if equal and series and T != series[0].shape[0]:
            raise ValueError(f"{name}: line {number}: {T} values, earlier lines have "
                             f"{series[0].shape[0]} (@equalLength true)")  # fmt: skip
        series.append(np.stack(channels, axis=1))  # (T, C)
        labels.append(label)
    if not series:
        raise ValueError(f"{name}: no examples after @data")
    return TimeSeriesSet(series, labels, class_labels, header, header.get("problemname", ""))
