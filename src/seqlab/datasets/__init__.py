"""seqlab.datasets: readers for real corpora, with clear errors on bad files."""

from seqlab.datasets.text import decode_text, read_text

__all__ = ["decode_text", "read_text"]
