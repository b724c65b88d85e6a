"""seqlab.datasets: readers for real corpora, with clear errors on bad files."""

from seqlab.datasets.text import read_text

__all__ = ["read_text"]
