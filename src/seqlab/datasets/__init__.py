"""seqlab.datasets: readers for real corpora, with clear errors on bad files."""

from seqlab.datasets.conll import TaggedSentence, read_conll, write_conll
from seqlab.datasets.labelled import read_labelled, read_polarity
from seqlab.datasets.text import decode_text, read_text

__all__ = [
    "TaggedSentence",
    "decode_text",
    "read_conll",
    "read_labelled",
    "read_polarity",
    "read_text",
    "write_conll",
]
