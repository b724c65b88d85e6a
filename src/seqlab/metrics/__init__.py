"""seqlab.metrics."""
