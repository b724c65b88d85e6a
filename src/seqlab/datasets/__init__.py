"""seqlab.datasets: readers for real corpora, with clear errors on bad files."""

from seqlab.datasets.conll import TaggedSentence, read_conll, write_conll
from seqlab.datasets.labelled import read_labelled, read_polarity
from seqlab.datasets.text import decode_text, read_text
from seqlab.datasets.ts import TimeSeriesSet, read_ts

__all__ = [
    "TaggedSentence",
    "TimeSeriesSet",
    "decode_text",
    "read_conll",
    "read_labelled",
    "read_polarity",
    "read_text",
    "read_ts",
    "write_conll",
]
