"""seqlab.datasets: readers for real corpora, with clear errors on bad files."""

from seqlab._lazy import lazy_exports

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

# Each name and the submodule that defines it, imported on first use (seqlab._lazy): the .ts
# reader needs NumPy, and the command line imports this package to build its parser.
_EXPORTS = {
    "TaggedSentence": "conll",
    "read_conll": "conll",
    "write_conll": "conll",
    "read_labelled": "labelled",
    "read_polarity": "labelled",
    "decode_text": "text",
    "read_text": "text",
    "TimeSeriesSet": "ts",
    "read_ts": "ts",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
