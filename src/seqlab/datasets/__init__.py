"""seqlab.datasets."""
